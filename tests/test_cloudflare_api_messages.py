"""What the Cloudflare calls tell the user when Cloudflare does not answer as hoped: each message
names the call, the token and the account, and Cloudflare's error codes, so it can be acted on.
Driven through the official SDK against the fake API, with no retries."""

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cloudflare_service_token._cloudflare_api import (
    ApiSettings,
    CloudflareApiError,
    RotationOutcomeUnknownError,
    _instant,
    perform,
    refresh_service_token,
    rotate_service_token,
)
from cloudflare_service_token._machines import (
    NotRotated,
    Read,
    Refresh,
    Refreshed,
    Rotate,
    Rotated,
    RotationUnknown,
    TokenView,
    Verdict,
)
from cloudflare_service_token.testing import FakeCloudflareApi
from cloudflare_service_token.testing._fake_api import Fault
from tests.conftest import ACCOUNT_ID, NOW

API_TOKEN = "cf-api-token-for-messages"


@pytest.fixture
def api() -> Iterator[tuple[FakeCloudflareApi, ApiSettings, str]]:
    fake = FakeCloudflareApi(api_token=API_TOKEN, now=lambda: NOW)
    token = fake.add_token(account_id=ACCOUNT_ID, expires_at=NOW + timedelta(days=10))
    with fake.serve() as base_url:
        yield fake, ApiSettings(api_token=API_TOKEN, base_url=base_url, max_retries=0), token["id"]


# Cloudflare's answer to a credential it does not accept.
REFUSED = Fault(403, 10000, "Authentication error")


def where(token_id: str) -> str:
    return f"service token {token_id} in account {ACCOUNT_ID}"


def _body(document: object) -> bytes:
    return json.dumps(document).encode()


def test_a_refused_rotation_names_the_call_the_token_and_the_plugin_config(api):
    fake, settings, token_id = api
    fake.fail_next("rotate", Fault(status=403, code=10000, message="Authentication error"))
    plugin = ApiSettings.resolve(
        {
            "cloudflare-service-token:apiToken": API_TOKEN,
            "cloudflare-service-token:baseUrl": settings.base_url,
        },
        {},
        namespace="cloudflare-service-token",
    )

    with pytest.raises(CloudflareApiError) as failed:
        rotate_service_token(plugin, ACCOUNT_ID, token_id, NOW + timedelta(hours=24))

    message = str(failed.value)
    assert f"refused the rotation of {where(token_id)}" in message
    assert "code 10000: Authentication error" in message
    assert "`cloudflare-service-token:apiToken`" in message


def test_an_unsuccessful_rotation_names_the_call_and_the_token(api):
    fake, settings, token_id = api
    fake.fail_next("rotate", Fault(success_false=True, code=7003, message="Could not route"))

    with pytest.raises(CloudflareApiError) as failed:
        rotate_service_token(settings, ACCOUNT_ID, token_id, NOW + timedelta(hours=24))

    assert str(failed.value) == (
        f"Cloudflare did not succeed with the rotation of {where(token_id)} (success: false, "
        f"code 7003: Could not route); nothing was recorded, run `pulumi up` again."
    )


@pytest.mark.parametrize("result", [{}, {"client_secret": 42}])
def test_a_rotation_answer_without_a_secret_gives_an_empty_one(api, result):
    fake, settings, token_id = api
    fake.fail_next("rotate", Fault(status=200, body=_body({"success": True, "result": result})))

    rotated = rotate_service_token(settings, ACCOUNT_ID, token_id, NOW + timedelta(days=1))

    assert rotated.client_secret == ""


def test_a_refresh_that_reports_no_expiry_anywhere_says_to_refresh(api):
    fake, settings, token_id = api
    empty = Fault(status=200, body=_body({"success": True, "result": {}}))
    fake.fail_next("refresh", empty)
    fake.fail_next("get", empty)

    with pytest.raises(CloudflareApiError) as failed:
        refresh_service_token(settings, ACCOUNT_ID, token_id)

    assert str(failed.value) == (
        f"Cloudflare refreshed {where(token_id)} but reported no expiry; run `pulumi refresh` "
        f"to read it, then `pulumi up`."
    )


def test_a_failed_read_after_refresh_is_named_as_such(api):
    fake, settings, token_id = api
    fake.fail_next("refresh", Fault(status=200, body=_body({"success": True, "result": {}})))
    fake.fail_next("get", Fault(success_false=True, code=10001, message="Internal error"))

    with pytest.raises(CloudflareApiError) as failed:
        refresh_service_token(settings, ACCOUNT_ID, token_id)

    assert f"with the read after refresh of {where(token_id)}" in str(failed.value)


def test_a_refresh_answer_without_a_token_says_nothing_was_recorded(api):
    fake, settings, token_id = api
    fake.fail_next("refresh", Fault(status=200, body=_body({"success": True, "result": None})))

    with pytest.raises(CloudflareApiError) as failed:
        refresh_service_token(settings, ACCOUNT_ID, token_id)

    assert str(failed.value) == (
        f"Cloudflare answered the refresh of {where(token_id)} without a token in `result`; "
        f"nothing was recorded, run `pulumi up` again."
    )


def test_every_error_code_is_listed_and_none_is_invented(api):
    fake, settings, token_id = api
    two = {
        "success": False,
        "errors": [{"code": 1, "message": "one"}, {"code": 2, "message": "two"}],
        "messages": [],
        "result": None,
    }
    fake.fail_next("refresh", Fault(status=500, body=_body(two)))
    fake.fail_next("refresh", Fault(status=500, body=_body({"success": False, "errors": "x"})))

    with pytest.raises(CloudflareApiError) as both:
        refresh_service_token(settings, ACCOUNT_ID, token_id)
    with pytest.raises(CloudflareApiError) as garbled:
        refresh_service_token(settings, ACCOUNT_ID, token_id)

    assert "HTTP 500, code 1: one; code 2: two to the refresh" in str(both.value)
    assert f"HTTP 500 to the refresh of {where(token_id)}" in str(garbled.value)


def test_a_non_envelope_answer_is_not_success(api):
    fake, settings, token_id = api
    fake.fail_next("refresh", Fault(status=200, body=_body(["not", "an", "envelope"])))

    with pytest.raises(CloudflareApiError) as failed:
        refresh_service_token(settings, ACCOUNT_ID, token_id)

    assert f"did not succeed with the refresh of {where(token_id)} (success: false)" in str(
        failed.value
    )


def test_an_error_page_that_is_not_json_is_reported_by_its_status(api):
    fake, settings, token_id = api
    fake.fail_next("refresh", Fault(status=502, body=b"<html>Bad gateway</html>"))

    with pytest.raises(CloudflareApiError) as failed:
        refresh_service_token(settings, ACCOUNT_ID, token_id)

    assert str(failed.value).startswith(
        f"Cloudflare answered HTTP 502 to the refresh of {where(token_id)}, after 0 retries"
    )


def test_an_empty_error_list_adds_no_codes(api):
    fake, settings, token_id = api
    fake.fail_next("refresh", Fault(status=500, body=_body({"success": False, "errors": []})))

    with pytest.raises(CloudflareApiError) as failed:
        refresh_service_token(settings, ACCOUNT_ID, token_id)

    assert f"HTTP 500 to the refresh of {where(token_id)}" in str(failed.value)


# -- a rotation is never repeated behind the user's back ----------------------------------------


def retrying(settings: ApiSettings) -> ApiSettings:
    """The settings with the SDK's default retries, which a rotation must not use."""
    return ApiSettings(api_token=API_TOKEN, base_url=settings.base_url, max_retries=2)


@pytest.mark.parametrize(
    ("fault", "what"),
    [
        (Fault(502, retry_after="0", commit=True), "Cloudflare answered HTTP 502, code 10001"),
        (Fault(500, retry_after="0"), "Cloudflare answered HTTP 500"),
        (Fault(408, retry_after="0", commit=True), "Cloudflare answered HTTP 408"),
        (Fault(200, delay=0.3, commit=True), "no answer came within 0.1s"),
        (Fault(200, body=b"<html>ok</html>", commit=True), "a body that is not JSON"),
    ],
    ids=["502 after committing", "500", "408", "timeout", "not JSON"],
)
def test_a_rotation_whose_outcome_is_unknown_is_sent_once_and_says_so(api, fault, what):
    fake, settings, token_id = api
    tuned = ApiSettings(api_token=API_TOKEN, base_url=settings.base_url, timeout_seconds=0.1)
    fake.fail_next("rotate", fault, fault, fault)

    with pytest.raises(RotationOutcomeUnknownError) as unknown:
        rotate_service_token(tuned, ACCOUNT_ID, token_id, NOW + timedelta(days=1))

    assert what in unknown.value.what
    assert fake.calls("rotate") == 1


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (Fault(409, 12000, "Conflict", retry_after="0"), "HTTP 409, code 12000: Conflict"),
        (Fault(429, 971, "Rate limited", retry_after="0"), "rate-limited the rotation"),
        (Fault(400, 12130, "Bad request"), "HTTP 400, code 12130: Bad request"),
    ],
    ids=["409", "429", "400"],
)
def test_a_rotation_cloudflare_refused_is_sent_once_and_says_nothing_changed(api, fault, said):
    fake, settings, token_id = api
    fake.fail_next("rotate", fault, fault, fault)

    with pytest.raises(CloudflareApiError) as failed:
        rotate_service_token(retrying(settings), ACCOUNT_ID, token_id, NOW + timedelta(days=1))

    message = str(failed.value)
    assert said in message
    assert "never retried" in message and "nothing changed" in message
    assert fake.calls("rotate") == 1


def test_a_rotation_that_could_not_connect_says_so_and_sent_nothing(api):
    _, _, token_id = api
    closed = ApiSettings(api_token=API_TOKEN, base_url="http://127.0.0.1:9/client/v4")

    with pytest.raises(CloudflareApiError, match="could not reach Cloudflare for the rotation"):
        rotate_service_token(closed, ACCOUNT_ID, token_id, NOW + timedelta(days=1))


def test_a_refresh_that_failed_on_the_server_does_not_claim_nothing_changed(api):
    fake, settings, token_id = api
    fake.fail_next("refresh", Fault(502, commit=True))

    with pytest.raises(CloudflareApiError) as failed:
        refresh_service_token(settings, ACCOUNT_ID, token_id)

    message = str(failed.value)
    assert "it may have taken effect all the same" in message
    assert "nothing changed" not in message


def test_the_sdk_retries_of_a_refresh_stay_on_a_refresh_is_safe_to_repeat(api):
    fake, settings, token_id = api
    fake.fail_next("refresh", Fault(502, retry_after="0", commit=True))

    refresh_service_token(retrying(settings), ACCOUNT_ID, token_id)

    assert fake.calls("refresh") == 2


def test_a_rotation_records_cloudflares_view_from_its_answer(api):
    fake, settings, token_id = api

    rotated = rotate_service_token(settings, ACCOUNT_ID, token_id, NOW + timedelta(days=1))

    token = fake.token(token_id)
    assert token is not None
    assert rotated.view.secret_version == token["client_secret_version"] == 2
    assert rotated.view.updated_at is not None
    assert [r.operation for r in fake.requests] == ["rotate"]


def test_a_rotation_answer_without_updated_at_is_followed_by_one_read(api):
    fake, settings, token_id = api
    answer = {"success": True, "result": {"id": token_id, "client_secret": "s"}}
    fake.fail_next("rotate", Fault(200, body=_body(answer), commit=True))

    rotated = rotate_service_token(settings, ACCOUNT_ID, token_id, NOW + timedelta(days=1))

    assert [r.operation for r in fake.requests] == ["rotate", "get"]
    assert rotated.view.secret_version == 2


def test_perform_reads_first_and_does_not_rotate_when_cloudflare_shows_it_done(api):
    fake, settings, token_id = api
    seen = TokenView(None, NOW - timedelta(days=1), secret_version=0)

    answer = perform(settings, Rotate(ACCOUNT_ID, token_id, NOW + timedelta(days=1), seen, 1))

    assert isinstance(answer, NotRotated) and answer.verdict is Verdict.DONE
    assert [r.operation for r in fake.requests] == ["get"]


def test_perform_turns_an_unknown_rotation_outcome_into_the_machines_answer(api):
    fake, settings, token_id = api
    fake.fail_next("rotate", Fault(503, commit=True))
    seen = TokenView(None, NOW - timedelta(days=1), secret_version=1)

    answer = perform(settings, Rotate(ACCOUNT_ID, token_id, NOW + timedelta(days=1), seen, 1))

    assert answer == RotationUnknown("Cloudflare answered HTTP 503, code 10001: Internal error")
    assert [r.operation for r in fake.requests] == ["get", "rotate"]


def test_perform_rotates_when_cloudflare_shows_nothing_new(api):
    fake, settings, token_id = api
    seen = TokenView(None, NOW - timedelta(days=1), secret_version=1)

    answer = perform(settings, Rotate(ACCOUNT_ID, token_id, NOW + timedelta(days=1), seen, 1))

    assert isinstance(answer, Rotated) and answer.client_secret
    assert fake.accepts(token_id, answer.client_secret)


def test_a_rotation_answered_with_something_not_json_is_of_unknown_outcome(api):
    fake, settings, token_id = api
    fake.fail_next("rotate", Fault(200, body=b"<html>ok</html>", commit=True))

    with pytest.raises(RotationOutcomeUnknownError) as unknown:
        rotate_service_token(settings, ACCOUNT_ID, token_id, NOW + timedelta(days=1))

    assert unknown.value.what == "Cloudflare answered with a body that is not JSON"
    assert str(unknown.value) == unknown.value.what


def test_a_failed_read_before_a_rotation_is_named_as_such_and_nothing_is_rotated(api):
    fake, settings, token_id = api
    fake.fail_next("get", REFUSED)
    seen = TokenView(None, NOW - timedelta(days=1), secret_version=1)

    with pytest.raises(CloudflareApiError) as failed:
        perform(settings, Rotate(ACCOUNT_ID, token_id, NOW + timedelta(days=1), seen, 1))

    assert f"Cloudflare refused the read before rotation of {where(token_id)}" in str(failed.value)
    assert fake.calls("rotate") == 0


NO_UPDATED_AT = Fault(
    200, body=_body({"success": True, "result": {"client_secret": "s"}}), commit=True
)


@pytest.mark.parametrize(
    ("before", "kept"),
    [
        (TokenView(None, NOW - timedelta(days=1), 1), TokenView(None, NOW - timedelta(days=1), 1)),
        (None, TokenView(None, None)),
    ],
    ids=["the view read before", "nothing known"],
)
def test_a_rotation_whose_view_cannot_be_read_after_keeps_what_was_known(api, before, kept):
    fake, settings, token_id = api
    fake.fail_next("rotate", NO_UPDATED_AT)
    fake.fail_next("get", REFUSED)

    rotated = rotate_service_token(
        settings, ACCOUNT_ID, token_id, NOW + timedelta(days=1), before=before
    )

    assert rotated == Rotated("s", kept)
    assert [r.operation for r in fake.requests] == ["rotate", "get"]


def test_every_call_of_a_rotation_goes_through_the_transport_it_is_given(api):
    fake, _, token_id = api
    seen: list[str] = []
    in_process = fake.transport()

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.host}")
        response: httpx.Response = in_process.handle_request(request)
        return response

    # A host no test can reach: a call made without the transport fails instead of answering.
    settings = ApiSettings(api_token=API_TOKEN, base_url="https://api.cloudflare.com/client/v4")
    fake.fail_next("rotate", NO_UPDATED_AT)
    earlier = TokenView(None, NOW - timedelta(days=1), secret_version=1)
    call = Rotate(ACCOUNT_ID, token_id, NOW + timedelta(days=1), earlier, 1)

    answer = perform(settings, call, transport=httpx.MockTransport(handle))

    assert isinstance(answer, Rotated)
    assert seen == ["GET api.cloudflare.com", "POST api.cloudflare.com", "GET api.cloudflare.com"]


def test_a_failed_read_before_a_refresh_is_named_as_such_and_nothing_is_refreshed(api):
    fake, settings, token_id = api
    fake.fail_next("get", REFUSED)

    with pytest.raises(CloudflareApiError) as failed:
        perform(settings, Refresh(ACCOUNT_ID, token_id, NOW + timedelta(days=30)))

    assert f"Cloudflare refused the read before refresh of {where(token_id)}" in str(failed.value)
    assert fake.calls("refresh") == 0


def test_a_refresh_found_done_already_answers_cloudflares_expiry_unrefreshed(api):
    fake, settings, token_id = api

    # The token expires in 10 days: a window of 5 days has been left behind already.
    answer = perform(settings, Refresh(ACCOUNT_ID, token_id, NOW + timedelta(days=5)))

    assert answer == Refreshed(NOW + timedelta(days=10), refreshed=False)
    assert [r.operation for r in fake.requests] == ["get"]


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-11-23T12:00:00.5Z", datetime(2026, 11, 23, 12, 0, 0, 500_000, tzinfo=UTC)),
        ("2026-11-23T21:00:00+09:00", datetime(2026, 11, 23, 12, tzinfo=UTC)),
        # Without an offset Cloudflare means UTC, whatever the host's own time zone.
        ("2026-11-23T12:00:00", datetime(2026, 11, 23, 12, tzinfo=UTC)),
        ("", None),
        ("not a time", None),
        (42, None),
        (None, None),
    ],
)
def test_cloudflares_instants_are_read_in_utc(monkeypatch, text, instant):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        read = _instant(text)
    finally:
        monkeypatch.undo()
        time.tzset()

    assert read == instant
    assert read is None or read.tzinfo is UTC


def test_a_read_answer_without_a_token_names_the_token(api):
    fake, settings, token_id = api
    fake.fail_next("get", Fault(200, body=_body({"success": True, "result": None})))

    with pytest.raises(CloudflareApiError) as failed:
        perform(settings, Read(ACCOUNT_ID, token_id))

    assert str(failed.value) == (
        f"Cloudflare answered the read of {where(token_id)} without a token in `result`; "
        "nothing was recorded, run `pulumi up` again."
    )


KEY = {"api_key": "key", "email": "ops@example.com"}


@pytest.mark.parametrize(
    ("credentials", "described"),
    [
        ({"api_token": API_TOKEN}, "the API token from `cloudflare:apiToken`"),
        (KEY, "the global API key from `cloudflare:apiKey` (email from `cloudflare:email`)"),
        (
            {**KEY, "sources": {"api_key": "CLOUDFLARE_API_KEY", "email": "CLOUDFLARE_EMAIL"}},
            "the global API key from CLOUDFLARE_API_KEY (email from CLOUDFLARE_EMAIL)",
        ),
    ],
    ids=["token given directly", "key given directly", "key from the environment"],
)
def test_a_refusal_names_the_credential_sent_and_where_it_came_from(api, credentials, described):
    fake, served, token_id = api
    settings = ApiSettings(base_url=served.base_url, max_retries=0, **credentials)
    fake.fail_next("get", REFUSED)

    with pytest.raises(CloudflareApiError) as failed:
        perform(settings, Read(ACCOUNT_ID, token_id))

    assert (
        f"Cloudflare refused the read of {where(token_id)} (HTTP 403, code 10000: "
        f"Authentication error) with {described}:"
    ) in str(failed.value)


def test_a_rotation_whose_view_cannot_be_read_after_keeps_the_view_read_before_it(api):
    fake, settings, token_id = api
    fake.fail_next("rotate", NO_UPDATED_AT)
    fake.fail_next("get", REFUSED, after=1)
    earlier = TokenView(None, NOW - timedelta(days=1), secret_version=1)

    answer = perform(settings, Rotate(ACCOUNT_ID, token_id, NOW + timedelta(days=1), earlier, 1))

    assert isinstance(answer, Rotated) and answer.client_secret == "s"
    assert answer.view.secret_version == 1
    assert [r.operation for r in fake.requests] == ["get", "rotate", "get"]


def test_a_rotation_answered_without_a_token_reads_cloudflares_view_after_it(api):
    fake, settings, token_id = api
    fake.fail_next("rotate", Fault(200, body=_body({"success": True}), commit=True))

    rotated = rotate_service_token(settings, ACCOUNT_ID, token_id, NOW + timedelta(days=1))

    assert rotated.client_secret == ""
    assert rotated.view.secret_version == 2
    assert [r.operation for r in fake.requests] == ["rotate", "get"]
