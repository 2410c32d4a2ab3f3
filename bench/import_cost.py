"""Import cost in fresh interpreters: what `import cloudflare_service_token` adds on top of
`import pulumi_cloudflare` (a program), and what loading the renewal providers costs over the
dynamic host's own imports (`pulumi.dynamic`, `dill`, `grpc`), which every preview pays."""

import json
import statistics
import subprocess
import sys
import time

_PROBE = """
import json, sys, time
import pulumi_cloudflare
started = time.perf_counter()
from cloudflare_service_token import ServiceTokenComponent  # the public names load lazily
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "sdk_imported": "cloudflare" in sys.modules}))
"""


def measure(repeats: int) -> tuple[float, bool]:
    """Median seconds, and whether any run imported the SDK."""
    timings, sdk_imported = [], False
    for _ in range(repeats):
        output = subprocess.run(  # noqa: S603 - our own interpreter and probe
            [sys.executable, "-c", _PROBE], check=True, capture_output=True, text=True
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        timings.append(result["seconds"])
        sdk_imported = sdk_imported or result["sdk_imported"]
    return statistics.median(timings), sdk_imported


_HOST_BASELINE = "import pulumi.dynamic, dill, grpc"
_HOST_PROBE = _HOST_BASELINE + "\nimport cloudflare_service_token._providers"


def _fresh_interpreter_seconds(probe: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", probe], check=True)  # noqa: S603 - our own probe
    return time.perf_counter() - started


def providers_over_host(repeats: int) -> tuple[float, float]:
    """Median seconds of a fresh interpreter that loads the providers, and of one that imports
    only what the host imports itself; interleaved, so drift hits both alike."""
    loaded, baseline = [], []
    for _ in range(repeats):
        baseline.append(_fresh_interpreter_seconds(_HOST_BASELINE))
        loaded.append(_fresh_interpreter_seconds(_HOST_PROBE))
    return statistics.median(loaded), statistics.median(baseline)
