"""One scenario table, two hosts: library mode's dynamic providers and the provider plugin's
custom resources run the same state machines, so across simulated years they must make the same
decisions and the same Cloudflare calls, and give the same outputs.

Each scenario plays `pulumi up`s (and previews) as the engine does: Check, then Diff against the
saved outputs, then Create, Update, or a create-before-delete replacement. A failed step keeps the
saved state, as the engine does. Each scenario also asserts what it is about, on each host.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest

from cloudflare_service_token._machines import UNKNOWN
from cloudflare_service_token._renewal import format_timestamp, parse_timestamp
from cloudflare_service_token.testing import FakeClock, FakeCloudflareApi
from cloudflare_service_token.testing._fake_api import Fault
from tests.adapters import ADAPTERS, Adapter, serve_adapter
from tests.conftest import ACCOUNT_ID, NOW
from tests.machine_inputs import DAY, TOKEN_ID, rotation, schedule, tracker

SENTINEL = "sentinel-api-token-5e6f-must-never-leak"
OTHER_TOKEN_ID = "0f9e8d7c-6b5a-4c3d-9e1f-2a3b4c5d6e7f"
# Fast retries: the fake answers with a tiny retry-after, as Cloudflare answers with its own.
SOON = "0.01"


@dataclass
class Saved:
    """A resource as the engine keeps it: id, last inputs, last outputs."""

    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass
class Session:
    adapter: Adapter
    api: FakeCloudflareApi
    clock: FakeClock
    # The token's own secret, which consumers hold until the first rotation.
    original_secret: str = ""
    transcript: list[tuple[Any, ...]] = field(default_factory=list)

    def up(self, kind: str, news: dict[str, Any], saved: Saved | None) -> Saved | None:
        mark = len(self.api.requests)
        try:
            return self._up(kind, news, saved)
        except grpc.RpcError as error:
            # The engine keeps the state of a failed step.
            self._note("error", _message(error.details() or ""))
            return saved
        finally:
            self._note("calls", self._calls(mark))

    def _up(self, kind: str, news: dict[str, Any], saved: Saved | None) -> Saved | None:
        failures = self.adapter.check(kind, saved.inputs if saved else {}, news)
        if failures:
            self._note("check", sorted(prop for prop, _ in failures))
            return saved
        if saved is None:
            return self._create(kind, news)
        changes, replaces = self.adapter.diff(kind, saved.id, saved.outputs, news)
        self._note("diff", changes, sorted(replaces))
        if replaces:
            replacement = self._create(kind, news)  # the new one first
            self.adapter.delete(kind, saved.id, saved.outputs)
            self._note("deleted", saved.id)
            return replacement
        if not changes:
            return saved
        outputs = self.adapter.update(kind, saved.id, saved.outputs, news)
        self._note("update", _normal(outputs))
        return Saved(saved.id, news, outputs)

    def _create(self, kind: str, news: dict[str, Any]) -> Saved:
        id_, outputs = self.adapter.create(kind, news)
        self._note("create", id_, _normal(outputs))
        return Saved(id_, news, outputs)

    def preview(self, kind: str, news: dict[str, Any], saved: Saved) -> dict[str, Any] | None:
        mark = len(self.api.requests)
        changes, replaces = self.adapter.diff(kind, saved.id, saved.outputs, news)
        self._note("preview diff", changes, sorted(replaces))
        shown = None
        if changes and not replaces:
            shown = self.adapter.preview_update(kind, saved.id, saved.outputs, news)
        self._note("preview calls", self._calls(mark))
        return shown

    def _calls(self, mark: int) -> list[str]:
        return [r.operation for r in self.api.requests[mark:]]

    def _note(self, *entry: Any) -> None:
        self.transcript.append(entry)


def _normal(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs to compare: whole numbers as ints (the wire has one number type), no nulls (the
    dynamic host's answers leave them out), a fresh secret as its presence (each rotation makes
    a random one)."""
    normal: dict[str, Any] = {}
    for key, value in outputs.items():
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if key == "client_secret" and isinstance(value, str) and value:
            value = "<new secret>"
        normal[key] = value
    return normal


def _message(details: str) -> str:
    """The error's own message, from either host's report: the dynamic host sends a Python
    traceback (message last, after the exception's class), the plugin the message first. Each
    names its own config namespace for the credentials, and the plugin names arguments in its
    users' camelCase; those differences are intended."""
    details = details.replace("cloudflare-service-token:api", "<config>:api")
    details = details.replace("cloudflare:api", "<config>:api")
    details = details.replace("secretVersion", "secret_version")
    lines = [line for line in details.strip().splitlines() if line.strip()]
    if lines and lines[0].startswith("Traceback"):
        kind, _, message = lines[-1].partition(": ")
        return message if " " not in kind else lines[-1]
    # The SDK's aio server prefixes what the plugin raised.
    first = lines[0].removeprefix("Unexpected <class 'Exception'>: ") if lines else ""
    return first.removesuffix(":")


# -- the scenarios ---------------------------------------------------------------------------


def tracker_not_due(s: Session) -> None:
    saved = s.up("TokenRenewal", tracker(), None)
    s.clock.advance(days=100)
    s.up("TokenRenewal", tracker(), saved)

    assert s.api.calls() == 0
    assert ("diff", False, []) in s.transcript


def tracker_due_renews_once(s: Session) -> None:
    saved = s.up("TokenRenewal", tracker(), None)
    s.clock.advance(days=340)
    renewed = s.up("TokenRenewal", tracker(), saved)
    s.up("TokenRenewal", tracker(), renewed)

    assert s.api.calls("refresh") == 1
    assert renewed is not None
    assert parse_timestamp(renewed.outputs["expires_at"]) > NOW + 365 * DAY
    assert renewed.outputs["last_renewed_at"] == format_timestamp(s.clock.now())


def tracker_preview_when_due_calls_nothing(s: Session) -> None:
    saved = s.up("TokenRenewal", tracker(), None)
    assert saved is not None
    s.clock.advance(days=340)
    shown = s.preview("TokenRenewal", tracker(), saved)

    assert s.api.calls() == 0
    assert ("preview diff", True, []) in s.transcript
    if shown is not None:  # a host that previews shows what only the refresh knows as unknown
        assert shown["expires_at"] is UNKNOWN
        assert shown["last_renewed_at"] is UNKNOWN


def tracker_failure_keeps_state_and_retries(s: Session) -> None:
    saved = s.up("TokenRenewal", tracker(), None)
    s.clock.advance(days=340)
    s.api.fail_next("refresh", Fault(status=403, code=10000, message="Authentication error"))
    kept = s.up("TokenRenewal", tracker(), saved)
    assert kept is saved
    s.clock.advance(days=1)
    renewed = s.up("TokenRenewal", tracker(), kept)

    assert s.api.calls("refresh") == 2
    assert renewed is not None and renewed is not saved
    errors = [entry for entry in s.transcript if entry[0] == "error"]
    assert len(errors) == 1 and "10000" in errors[0][1]


def tracker_refresh_after_catch_up_is_no_change(s: Session) -> None:
    saved = s.up("TokenRenewal", tracker(), None)
    s.clock.advance(days=340)
    renewed = s.up("TokenRenewal", tracker(), saved)
    token = s.api.token(TOKEN_ID)
    assert token is not None
    # `pulumi refresh` reads the token's new expiry into the token resource.
    caught_up = tracker(token_expires_at=format_timestamp(parse_timestamp(token["expires_at"])))
    s.up("TokenRenewal", caught_up, renewed)

    assert s.api.calls("refresh") == 1
    assert s.transcript[-2] == ("diff", False, [])


def tracker_follows_a_new_token(s: Session) -> None:
    saved = s.up("TokenRenewal", tracker(), None)
    s.up("TokenRenewal", tracker(token_id=OTHER_TOKEN_ID), saved)

    assert ("diff", True, ["token_id"]) in s.transcript
    assert s.api.calls() == 0


def schedule_moves_to_the_next_generation_when_due(s: Session) -> None:
    saved = s.up("RenewalSchedule", schedule(), None)
    s.clock.advance(days=100)
    saved = s.up("RenewalSchedule", schedule(), saved)
    s.clock.advance(days=240)
    renewed = s.up("RenewalSchedule", schedule(), saved)

    assert renewed is not None and renewed.outputs["generation"] == 2
    assert renewed.outputs["started_at"] == format_timestamp(s.clock.now())
    assert s.api.calls() == 0


def rotation_rotates_once_per_bump(s: Session) -> None:
    saved = s.up("SecretRotation", rotation(), None)
    assert saved is not None and saved.outputs.get("client_secret") is None
    s.clock.advance(days=3)
    rotated = s.up("SecretRotation", rotation(secret_version=2), saved)
    s.up("SecretRotation", rotation(secret_version=2), rotated)

    assert s.api.calls("rotate") == 1
    assert rotated is not None
    assert rotated.outputs["previous_secret_expires_at"] == format_timestamp(s.clock.now() + DAY)
    assert s.api.accepts(TOKEN_ID, rotated.outputs["client_secret"])


def rotation_preview_calls_nothing(s: Session) -> None:
    saved = s.up("SecretRotation", rotation(), None)
    assert saved is not None
    mark = s.api.calls()
    shown = s.preview("SecretRotation", rotation(secret_version=2), saved)

    assert s.api.calls() == mark
    if shown is not None:
        assert shown["client_secret"] is UNKNOWN


def tracking_a_rotation_records_cloudflares_view_with_one_read(s: Session) -> None:
    saved = s.up("SecretRotation", rotation(), None)

    assert saved is not None
    assert [r.operation for r in s.api.requests] == ["get"]
    token = s.api.token(TOKEN_ID)
    assert token is not None
    assert saved.outputs["seen_secret_version"] == token["client_secret_version"]
    assert saved.outputs["seen_updated_at"] == token["updated_at"]


def tracker_renewed_by_an_interrupted_up_is_recorded_without_a_second_refresh(s: Session) -> None:
    saved = s.up("TokenRenewal", tracker(), None)
    s.clock.advance(days=340)
    # Cloudflare carries each refresh out, but every answer is lost (a gateway's 502).
    s.api.fail_next("refresh", *[Fault(502, retry_after=SOON, commit=True)] * 3)
    kept = s.up("TokenRenewal", tracker(), saved)
    renewed_in_cloudflare = s.api.token(TOKEN_ID)
    assert kept is saved and renewed_in_cloudflare is not None
    s.clock.advance(days=1)
    recorded = s.up("TokenRenewal", tracker(), kept)
    s.up("TokenRenewal", tracker(), recorded)

    assert s.transcript[-5] == ("diff", True, [])
    assert s.transcript[-3:] == [("calls", ["get"]), ("diff", False, []), ("calls", [])]
    assert recorded is not None and saved is not None
    expiry = parse_timestamp(renewed_in_cloudflare["expires_at"])
    assert recorded.outputs["expires_at"] == format_timestamp(expiry)
    assert recorded.outputs.get("last_renewed_at") == saved.outputs.get("last_renewed_at")


def tracker_still_due_in_cloudflare_is_refreshed(s: Session) -> None:
    saved = s.up("TokenRenewal", tracker(), None)
    s.clock.advance(days=340)
    renewed = s.up("TokenRenewal", tracker(), saved)

    assert s.transcript[-1] == ("calls", ["get", "refresh"])
    assert renewed is not None
    assert renewed.outputs["last_renewed_at"] == format_timestamp(s.clock.now())


def rotation_whose_answer_is_lost_is_never_made_twice(s: Session) -> None:
    saved = s.up("SecretRotation", rotation(), None)
    s.clock.advance(days=3)
    rotating_at = s.clock.now()
    s.api.fail_next("rotate", Fault(502, retry_after=SOON, commit=True))
    kept = s.up("SecretRotation", rotation(secret_version=2), saved)
    s.clock.advance(hours=1)
    again = s.up("SecretRotation", rotation(secret_version=2), kept)

    assert kept is saved and again is saved
    assert s.api.calls("rotate") == 1
    errors = [entry[1] for entry in s.transcript if entry[0] == "error"]
    assert "may or may not have happened: Cloudflare answered HTTP 502" in errors[0]
    assert f"accepted until {format_timestamp(rotating_at + DAY)}" in errors[0]
    assert "rotated already" in errors[1] and "its secret version went from 1 to 2" in errors[1]
    assert "raise secret_version to 3" in errors[1]
    # Consumers keep the token's own secret through the lost rotation's grace.
    assert s.api.accepts(TOKEN_ID, s.original_secret)


def rotation_raised_once_more_after_a_lost_answer_rotates_once(s: Session) -> None:
    saved = s.up("SecretRotation", rotation(), None)
    s.api.fail_next("rotate", Fault(502, retry_after=SOON, commit=True))
    kept = s.up("SecretRotation", rotation(secret_version=2), saved)
    rotated = s.up("SecretRotation", rotation(secret_version=3), kept)
    s.up("SecretRotation", rotation(secret_version=3), rotated)

    assert s.api.calls("rotate") == 2
    assert rotated is not None and rotated.outputs["secret_version"] == 3
    assert s.api.accepts(TOKEN_ID, rotated.outputs["client_secret"])
    assert s.transcript[-1] == ("calls", [])


def rotation_without_secret_versions_asks_when_the_token_changed(s: Session) -> None:
    s.api.reports_secret_version = False
    saved = s.up("SecretRotation", rotation(), None)
    s.clock.advance(hours=1)
    s.api.fail_next("rotate", Fault(502, retry_after=SOON, commit=True))
    kept = s.up("SecretRotation", rotation(secret_version=2), saved)
    asked = s.up("SecretRotation", rotation(secret_version=2), kept)

    assert asked is saved
    assert s.api.calls("rotate") == 1
    errors = [entry[1] for entry in s.transcript if entry[0] == "error"]
    assert "does not say which secret version it has" in errors[1]


def rotation_refused_by_cloudflare_says_nothing_changed_and_rotates_on_the_next_up(
    s: Session,
) -> None:
    saved = s.up("SecretRotation", rotation(), None)
    s.api.fail_next("rotate", Fault(409, 12000, "Conflict"))
    kept = s.up("SecretRotation", rotation(secret_version=2), saved)
    rotated = s.up("SecretRotation", rotation(secret_version=2), kept)

    assert s.api.calls("rotate") == 2
    assert rotated is not None and rotated is not saved
    errors = [entry[1] for entry in s.transcript if entry[0] == "error"]
    assert "never retried; nothing changed" in errors[0]


def read_and_delete_act_on_nothing(s: Session) -> None:
    saved = s.up("TokenRenewal", tracker(), None)
    assert saved is not None
    s.clock.advance(days=340)  # due: a read still must not renew
    read = s.adapter.read("TokenRenewal", saved.id, saved.outputs)
    s.adapter.delete("TokenRenewal", saved.id, saved.outputs)

    assert _normal(read) == _normal(saved.outputs)
    assert s.api.calls() == 0


def bad_inputs_fail_check(s: Session) -> None:
    s.up("TokenRenewal", tracker(min_days=-1), None)
    s.up("SecretRotation", rotation(secret_version=0, grace="forever"), None)
    s.up("RenewalSchedule", schedule(duration="1 year"), None)

    checks = [entry[1] for entry in s.transcript if entry[0] == "check"]
    assert checks == [["min_days"], ["grace", "secret_version"], ["duration"]]


def ids_that_would_change_the_url_fail_check_before_any_call(s: Session) -> None:
    s.up("TokenRenewal", tracker(token_id="../../user/tokens"), None)
    s.up("SecretRotation", rotation(token_id=f"{TOKEN_ID}?x=1", account_id="a#b"), None)
    s.up("TokenRenewal", tracker(account_id=f"{ACCOUNT_ID}\r\nX-Injected: 1"), None)

    checks = [entry[1] for entry in s.transcript if entry[0] == "check"]
    assert checks == [["token_id"], ["account_id", "token_id"], ["account_id"]]
    assert s.api.calls() == 0


SCENARIOS: dict[str, Callable[[Session], None]] = {
    scenario.__name__: scenario
    for scenario in (
        tracker_not_due,
        tracker_due_renews_once,
        tracker_preview_when_due_calls_nothing,
        tracker_failure_keeps_state_and_retries,
        tracker_refresh_after_catch_up_is_no_change,
        tracker_follows_a_new_token,
        tracker_renewed_by_an_interrupted_up_is_recorded_without_a_second_refresh,
        tracker_still_due_in_cloudflare_is_refreshed,
        schedule_moves_to_the_next_generation_when_due,
        rotation_rotates_once_per_bump,
        rotation_preview_calls_nothing,
        tracking_a_rotation_records_cloudflares_view_with_one_read,
        rotation_whose_answer_is_lost_is_never_made_twice,
        rotation_raised_once_more_after_a_lost_answer_rotates_once,
        rotation_without_secret_versions_asks_when_the_token_changed,
        rotation_refused_by_cloudflare_says_nothing_changed_and_rotates_on_the_next_up,
        read_and_delete_act_on_nothing,
        bad_inputs_fail_check,
        ids_that_would_change_the_url_fail_check_before_any_call,
    )
}


def play(scenario: str, adapter_name: str) -> list[tuple[Any, ...]]:
    clock = FakeClock(NOW)
    api = FakeCloudflareApi(api_token=SENTINEL, now=clock.now)
    token = api.add_token(account_id=ACCOUNT_ID, token_id=TOKEN_ID, expires_at=NOW + 365 * DAY)
    with api.serve() as base_url, clock.installed(), serve_adapter(adapter_name) as adapter:
        adapter.configure(SENTINEL, base_url)
        session = Session(adapter, api, clock, token["client_secret"])
        SCENARIOS[scenario](session)
    assert SENTINEL not in repr(session.transcript)
    assert session.original_secret not in repr(session.transcript)
    return session.transcript


@pytest.fixture(scope="module")
def transcripts() -> dict[tuple[str, str], list[tuple[Any, ...]]]:
    return {}


@pytest.mark.parametrize("adapter_name", ADAPTERS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_scenario_holds_on_each_host(
    scenario: str,
    adapter_name: str,
    transcripts: dict[tuple[str, str], list[tuple[Any, ...]]],
) -> None:
    transcripts[scenario, adapter_name] = play(scenario, adapter_name)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_both_hosts_make_the_same_decisions_calls_and_outputs(
    scenario: str, transcripts: dict[tuple[str, str], list[tuple[Any, ...]]]
) -> None:
    dynamic = transcripts.get((scenario, "dynamic")) or play(scenario, "dynamic")
    plugin = transcripts.get((scenario, "plugin")) or play(scenario, "plugin")

    assert plugin == dynamic
