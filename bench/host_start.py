"""Host cold start: the dynamic-provider host started as the engine starts it (a fresh
interpreter in a fresh folder), timed from printing its port to answering its first Check on a
renewal resource, which unpickles the provider and so imports what it needs."""

import statistics
import tempfile
import time
from pathlib import Path

from pulumi.dynamic.dynamic import serialize_provider

from cloudflare_service_token._providers import TokenRenewalProvider
from tests.dynamic_harness import PROVIDER_KEY, DynamicProviderHarness
from tests.hosts import dynamic_host_command, start_host

_INPUTS = {
    "token_id": "6b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "account_id": "023e105f4ecef8ad9ca31a8372d0c353",
    "token_expires_at": "2030-01-01T00:00:00Z",
    "min_days": 30,
}


def first_check_seconds(repeats: int) -> float:
    """Median seconds from the port on stdout to the first Check's answer."""
    inputs = {**_INPUTS, PROVIDER_KEY: serialize_provider(TokenRenewalProvider())}
    timings = []
    for _ in range(repeats):
        with (
            tempfile.TemporaryDirectory() as folder,
            start_host(dynamic_host_command(), Path(folder)) as host,
        ):
            started = time.perf_counter()
            DynamicProviderHarness(host.stub).check({}, inputs)
            timings.append(time.perf_counter() - started)
    return statistics.median(timings)
