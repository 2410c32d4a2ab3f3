"""A mock engine that keeps every log message with the resource it is about.

The SDK's `MockEngine` passes messages to a Python logger and drops the URN that says which
resource a warning belongs to (which `pulumi up` shows it under).
"""

from dataclasses import dataclass
from typing import Any

from pulumi.runtime.mocks import MockEngine
from pulumi.runtime.proto import engine_pb2

# The SDK's own debug chatter (a few lines per resource) is not recorded.
_SEVERITIES = {
    engine_pb2.INFO: "info",
    engine_pb2.WARNING: "warning",
    engine_pb2.ERROR: "error",
}


@dataclass(frozen=True)
class LogRecord:
    """One message a program logged: `severity` ('info', 'warning' or 'error'), the text, and
    the URN of the resource it is about ('' for none)."""

    severity: str
    message: str
    urn: str


class RecordingEngine(MockEngine):
    """Logs like `MockEngine` (to the root logger) and records each message above debug in
    `logs`."""

    def __init__(self) -> None:
        super().__init__(None)
        self.logs: list[LogRecord] = []

    def Log(self, request: Any) -> None:  # noqa: N802 - gRPC method name
        severity = _SEVERITIES.get(request.severity)
        if severity is not None:
            self.logs.append(LogRecord(severity, request.message, request.urn))
        super().Log(request)  # type: ignore[no-untyped-call]
