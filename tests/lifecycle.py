"""The engine model the lifecycle tests use: the testing kit's `Stack`
(`cloudflare_service_token.testing._stack`), under the names these tests were written with.

`world(start, **config)` opens a clock and a fake Cloudflare API that several stacks can share;
`Stack(program, world)` is a kit stack on them, opened for as long as the world is.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from cloudflare_service_token.testing import FakeClock, FakeCloudflareApi
from cloudflare_service_token.testing import Stack as KitStack
from cloudflare_service_token.testing._stack import (
    DeploymentError,
    SavedResource,
    Step,
    StepError,
)

API_TOKEN = "cf-api-token-that-must-never-leak"
Saved = SavedResource

__all__ = [
    "API_TOKEN",
    "DeploymentError",
    "Saved",
    "Stack",
    "Step",
    "StepError",
    "World",
    "world",
]


@dataclass
class World:
    """What stacks deploy against: a clock, the fake Cloudflare API, and the stack config."""

    clock: FakeClock
    api: FakeCloudflareApi
    config: dict[str, str]
    exits: ExitStack = field(default_factory=ExitStack)


@contextmanager
def world(start: Any, **config: str) -> Iterator[World]:
    clock = FakeClock(start)
    api = FakeCloudflareApi(api_token=API_TOKEN, now=clock.now)
    with ExitStack() as exits:
        yield World(clock, api, dict(config), exits)


class Stack(KitStack):
    """A kit stack on a shared world, with the world at hand (`stack.world.api`)."""

    def __init__(self, program: Callable[[], object], world: World) -> None:
        super().__init__(program, config=world.config, clock=world.clock, api=world.api)
        self.world = world
        world.exits.enter_context(self)
