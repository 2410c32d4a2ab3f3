"""Import cost: what `import cloudflare_service_token` adds on top of `import pulumi_cloudflare`,
in fresh interpreters, and whether the `cloudflare` SDK stays unimported."""

import json
import statistics
import subprocess
import sys

_PROBE = """
import json, sys, time
import pulumi_cloudflare
started = time.perf_counter()
import cloudflare_service_token
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
