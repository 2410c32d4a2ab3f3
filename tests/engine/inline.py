"""Python programs served to the real CLI without a language host, as the Automation API does.

The Python language host (`pulumi-language-python`) cannot be had on this machine (its Go module
has no version the proxy serves). The Automation API runs inline programs without one: it serves
the SDK's `LanguageRuntime` in the calling process and passes the CLI the hidden flag
`--client=<address>` (CLI 3.181+) with `--exec-kind auto.inline`. This module does the same so
that the harness, not the Automation API, starts the CLI: it then owns the process (its pid, its
signals, its output), which the scenarios need.

The one SDK internal used is `pulumi.automation._server.LanguageServer`, checked against pulumi
3.272 (`pulumi/automation/_stack.py` starts it the same way for `up`, `preview`, `refresh` and
`destroy`).
"""

import runpy
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
from pulumi.automation._server import LanguageServer
from pulumi.runtime.proto import language_pb2_grpc

Program = Callable[[], None]
# A guard against a program that never ends after its CLI died, not a timing.
RUN_END_TIMEOUT_SECONDS = 120


class _LanguageServer(LanguageServer):
    """The SDK's inline language server, telling when no program run is in progress."""

    def __init__(self, program: Program) -> None:
        super().__init__(program)
        self.idle = threading.Event()
        self.idle.set()

    def Run(self, request: Any, context: Any) -> Any:  # noqa: N802 - the gRPC method's name
        self.idle.clear()
        try:
            return super().Run(request, context)  # type: ignore[no-untyped-call]
        finally:
            self.idle.set()


def program_file(path: Path) -> Program:
    """A program that runs a `__main__.py` as the Python language host would: as `__main__`."""

    def run() -> None:
        runpy.run_path(str(path), run_name="__main__")

    return run


@contextmanager
def serve_program(program: Program) -> Iterator[list[str]]:
    """Serve `program` on loopback for one CLI run; yields the flags that point the CLI at it."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    language = _LanguageServer(program)
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(language, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield [f"--client=127.0.0.1:{port}", "--exec-kind", "auto.inline"]
    finally:
        server.stop(grace=None).wait()
        # A CLI killed mid-run leaves the program to notice the engine is gone: let it end.
        language.idle.wait(RUN_END_TIMEOUT_SECONDS)


def main(argv: list[str]) -> None:
    """`python -m tests.engine.inline <program file>`: serve one program in a process of its
    own, for runs that must not share the caller's interpreter (another release's code, or a
    CLI killed mid-run, whose program debris dies with this process). Prints the CLI flags on
    one line, then serves until stdin closes."""
    with serve_program(program_file(Path(argv[1]))) as flags:
        print(" ".join(flags), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main(sys.argv)
