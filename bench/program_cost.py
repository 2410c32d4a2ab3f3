"""Program cost: seconds per token to declare N tokens under the project's mocks: the bare token,
the component with and without renewal, and the floor the SDK puts under each."""

import gc
import statistics
import time
from collections.abc import Callable

import pulumi
import pulumi_cloudflare as cloudflare

from cloudflare_service_token import ServiceTokenArgs, ServiceTokenComponent
from cloudflare_service_token._component import TYPE_TOKEN
from cloudflare_service_token._renewal_resources import TokenRenewal
from cloudflare_service_token.testing import CloudflareMocks, run_program

ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"


def bare(count: int) -> None:
    for i in range(count):
        cloudflare.ZeroTrustAccessServiceToken(f"t{i}", name=f"t{i}", account_id=ACCOUNT_ID)


def component(count: int) -> None:
    for i in range(count):
        ServiceTokenComponent(f"t{i}", ServiceTokenArgs(name=f"t{i}", account_id=ACCOUNT_ID))


def component_with_renewal(count: int) -> None:
    for i in range(count):
        ServiceTokenComponent(
            f"t{i}",
            ServiceTokenArgs(name=f"t{i}", account_id=ACCOUNT_ID, min_days_for_renewal=30),
        )


class _Floor(pulumi.ComponentResource):
    """What the SDK makes any such component pay: the component, its token (and the renewal
    tracker), registered with nothing else: no options, no validation, no derived outputs."""

    def __init__(self, name: str, *, renews: bool) -> None:
        super().__init__(TYPE_TOKEN, name, None, None)
        token = cloudflare.ZeroTrustAccessServiceToken(
            f"{name}-token",
            name=name,
            account_id=ACCOUNT_ID,
            opts=pulumi.ResourceOptions(parent=self),
        )
        if renews:
            TokenRenewal(
                f"{name}-renewal",
                token_id=token.id,
                account_id=ACCOUNT_ID,
                token_expires_at=token.expires_at,
                min_days=30,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})


def floor(count: int) -> None:
    for i in range(count):
        _Floor(f"t{i}", renews=False)


def floor_with_renewal(count: int) -> None:
    for i in range(count):
        _Floor(f"t{i}", renews=True)


WAYS: dict[str, Callable[[int], None]] = {
    "bare ZeroTrustAccessServiceToken": bare,
    "SDK floor: component + token": floor,
    "component, no renewal": component,
    "SDK floor: component + token + tracker": floor_with_renewal,
    "component, refresh renewal": component_with_renewal,
}


def _seconds_per_token(program: Callable[[int], None], count: int) -> float:
    gc.collect()  # each run starts from the same heap, whichever way ran before it
    started = time.perf_counter()
    run_program(lambda: program(count), mocks=CloudflareMocks())
    return (time.perf_counter() - started) / count


def measure(counts: tuple[int, ...], repeats: int) -> dict[int, dict[str, float]]:
    """Median seconds per token for each way and count. The ways are measured side by side:
    interleaved in every repeat, in a rotating order, so drift in the process hits all alike."""
    names = list(WAYS)
    _seconds_per_token(bare, 20)  # warm up imports and caches
    # The provider SDK's millions of import-time objects would otherwise be re-scanned by every
    # full collection, adding noise that swamps the difference being measured.
    gc.collect()
    gc.freeze()
    results: dict[int, dict[str, float]] = {}
    for count in counts:
        timings: dict[str, list[float]] = {name: [] for name in names}
        for repeat in range(repeats):
            order = names[repeat % len(names) :] + names[: repeat % len(names)]
            for name in order:
                timings[name].append(_seconds_per_token(WAYS[name], count))
        results[count] = {name: statistics.median(timings[name]) for name in names}
    return results
