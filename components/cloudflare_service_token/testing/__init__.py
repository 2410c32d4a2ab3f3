"""Test your own stacks (and ours) without the Pulumi CLI or a Cloudflare account.

- `CloudflareMocks`: Pulumi mocks that answer like the Cloudflare provider for service tokens.
- `RecordingMonitor`: a mock monitor that keeps every registration, to assert resource options,
  and each component's registered outputs.
- `run_program` / `resolve`: run a program under the mocks and read its outputs with secretness,
  and what it logged, with the resource each message is about (`LogRecord`).
- `FakeCloudflareApi`: a stateful fake of the service-token API on loopback, with fault injection,
  a request log and a settable clock, for code that calls Cloudflare through the SDK.
- `FakeClock`: a clock to move by hand; `with clock.installed():` makes renewal read it.
- `Stack`: a stack whose state lasts from one run to the next (`up`, `preview`, `refresh`,
  `destroy`) over a `FakeClock`, the renewal resources' real providers acting on a
  `FakeCloudflareApi`: what a test of renewal needs.
- `write_local_cloudflare_plugin`: writes `pulumi-resource-cloudflare`, a stand-in for the
  pulumi-cloudflare plugin backed by `FakeCloudflareApi`, for tests under the real engine.
"""

from ._clock import FakeClock
from ._engine import LogRecord
from ._fake_api import FakeCloudflareApi, Fault, Hold, LoggedRequest
from ._mocks import CloudflareMocks, StackOutput
from ._monitor import RecordingMonitor, Registration
from ._program import ProgramRun, Resolved, resolve, run_program
from ._stack import DeploymentError, SavedResource, Stack, Step, StepError, Steps
from .local_cloudflare import write_local_cloudflare_plugin

__all__ = [
    "CloudflareMocks",
    "DeploymentError",
    "FakeClock",
    "FakeCloudflareApi",
    "Fault",
    "Hold",
    "LogRecord",
    "LoggedRequest",
    "ProgramRun",
    "RecordingMonitor",
    "Registration",
    "Resolved",
    "SavedResource",
    "Stack",
    "StackOutput",
    "Step",
    "StepError",
    "Steps",
    "resolve",
    "run_program",
    "write_local_cloudflare_plugin",
]
