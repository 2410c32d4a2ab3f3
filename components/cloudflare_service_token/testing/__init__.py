"""Test your own stacks (and ours) without the Pulumi CLI or a Cloudflare account.

- `CloudflareMocks`: Pulumi mocks that answer like the Cloudflare provider for service tokens.
- `RecordingMonitor`: a mock monitor that keeps every registration, to assert resource options.
- `run_program` / `resolve`: run a program under the mocks and read its outputs with secretness.
"""

from ._mocks import CloudflareMocks, StackOutput
from ._monitor import RecordingMonitor, Registration
from ._program import ProgramRun, Resolved, resolve, run_program

__all__ = [
    "CloudflareMocks",
    "ProgramRun",
    "RecordingMonitor",
    "Registration",
    "Resolved",
    "StackOutput",
    "resolve",
    "run_program",
]
