"""What reaches Cloudflare, and where: only the credential the package resolved, only to the
configured API's own address, only after the ids and the credential are checked.

Each request is seen on the wire by a recording transport in front of the fake API (in process),
so what the official SDK would add by itself from the environment would show here."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest

from cloudflare_service_token._cloudflare_api import (
    ApiSettings,
    CloudflareApiError,
    base_url_problem,
    perform,
)
from cloudflare_service_token._machines import Read, Refresh, Rotate
from cloudflare_service_token.testing import FakeCloudflareApi
from tests.conftest import ACCOUNT_ID, NOW

CONFIGURED = "sentinel-configured-scoped-token"
ENV_TOKEN = "sentinel-env-token"
ENV_KEY = "sentinel-env-global-key"
ENV_EMAIL = "sentinel-env@example.com"
ENV_SERVICE_KEY = "sentinel-env-service-key"
SENTINELS = (CONFIGURED, ENV_TOKEN, ENV_KEY, ENV_EMAIL, ENV_SERVICE_KEY)
CREDENTIAL_HEADERS = ("authorization", "x-auth-key", "x-auth-email", "x-auth-user-service-key")
BASE_URL = "https://api.cloudflare.com/client/v4"


@dataclass
class Wire:
    """Every request as it left the client: its URL and credential headers."""

    seen: list[httpx.Request] = field(default_factory=list)

    def credentials(self) -> list[dict[str, str]]:
        return [
            {name: request.headers[name] for name in CREDENTIAL_HEADERS if name in request.headers}
            for request in self.seen
        ]

    def hosts(self) -> list[str]:
        return [request.url.host for request in self.seen]


def recording(
    api: FakeCloudflareApi, answer: Callable[[httpx.Request], httpx.Response] | None = None
) -> tuple[Wire, httpx.BaseTransport]:
    wire = Wire()
    fake = api.transport()

    def handle(request: httpx.Request) -> httpx.Response:
        wire.seen.append(request)
        if answer is not None:
            return answer(request)
        return fake.handle_request(request)

    return wire, httpx.MockTransport(handle)


@pytest.fixture
def api() -> FakeCloudflareApi:
    # It accepts both the configured token and the shell's key pair: a wrong choice would
    # succeed here, and only the record of what was sent tells.
    fake = FakeCloudflareApi(
        api_token=CONFIGURED, api_key=ENV_KEY, email=ENV_EMAIL, now=lambda: NOW
    )
    fake.add_token(account_id=ACCOUNT_ID, token_id=TOKEN_ID, expires_at=NOW + timedelta(days=5))
    return fake


TOKEN_ID = "6b1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
DUE = Refresh(ACCOUNT_ID, TOKEN_ID, NOW + timedelta(days=30))


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's shell full of Cloudflare credentials the SDK reads by itself."""
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", ENV_TOKEN)
    monkeypatch.setenv("CLOUDFLARE_API_KEY", ENV_KEY)
    monkeypatch.setenv("CLOUDFLARE_EMAIL", ENV_EMAIL)
    monkeypatch.setenv("CLOUDFLARE_API_USER_SERVICE_KEY", ENV_SERVICE_KEY)
    monkeypatch.setenv("CLOUDFLARE_CUSTOM_HEADERS", f"Authorization: Bearer {ENV_TOKEN}")
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", "https://elsewhere.example/client/v4")


# -- the configured credential is the one sent ------------------------------------------------


def test_the_configured_token_is_the_only_credential_sent_whatever_the_shell_holds(
    api: FakeCloudflareApi, shell: None
):
    settings = ApiSettings.resolve(
        {"cloudflare:apiToken": CONFIGURED, "cloudflare:baseUrl": BASE_URL}
    )
    wire, transport = recording(api)

    perform(settings, DUE, transport=transport)

    assert [r.operation for r in api.requests] == ["get", "refresh"]
    assert wire.credentials() == [{"authorization": f"Bearer {CONFIGURED}"}] * 2
    assert {r.credentials for r in api.requests} == {("api_token",)}


def test_a_token_in_the_shell_comes_before_a_global_key_in_the_shell(
    api: FakeCloudflareApi, shell: None
):
    api.api_token = ENV_TOKEN
    wire, transport = recording(api)

    perform(ApiSettings.resolve({}), Read(ACCOUNT_ID, TOKEN_ID), transport=transport)

    assert wire.credentials() == [{"authorization": f"Bearer {ENV_TOKEN}"}]
    assert wire.hosts() == ["elsewhere.example"]  # CLOUDFLARE_BASE_URL, as documented


def test_a_global_key_is_sent_with_its_email_and_nothing_else(
    api: FakeCloudflareApi, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CLOUDFLARE_API_KEY", ENV_KEY)
    monkeypatch.setenv("CLOUDFLARE_EMAIL", ENV_EMAIL)
    monkeypatch.setenv("CLOUDFLARE_API_USER_SERVICE_KEY", ENV_SERVICE_KEY)
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    wire, transport = recording(api)

    perform(ApiSettings.resolve({}), Read(ACCOUNT_ID, TOKEN_ID), transport=transport)

    assert wire.credentials() == [{"x-auth-key": ENV_KEY, "x-auth-email": ENV_EMAIL}]


def test_a_global_key_without_its_email_is_named_and_nothing_is_sent(
    api: FakeCloudflareApi, monkeypatch: pytest.MonkeyPatch
):
    for name in ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDFLARE_API_KEY", ENV_KEY)
    wire, transport = recording(api)

    with pytest.raises(CloudflareApiError) as failed:
        perform(ApiSettings.resolve({}), DUE, transport=transport)

    message = str(failed.value)
    assert "a global API key is set but no email" in message
    assert ENV_KEY not in message
    assert wire.seen == []


def test_an_email_without_its_global_key_is_named_and_nothing_is_sent(api: FakeCloudflareApi):
    wire, transport = recording(api)

    with pytest.raises(CloudflareApiError) as failed:
        perform(ApiSettings.resolve({"cloudflare:email": ENV_EMAIL}, {}), DUE, transport=transport)

    assert str(failed.value).startswith(
        "no usable Cloudflare credentials for renewal: an email is set but no global API key "
        "(`cloudflare:apiKey` or CLOUDFLARE_API_KEY); set both, or better, an API token"
    )
    assert wire.seen == []


@pytest.mark.parametrize(
    ("config", "named"),
    [
        (
            {"cloudflare:apiKey": ENV_KEY + "\n", "cloudflare:email": ENV_EMAIL},
            "the global API key from `cloudflare:apiKey`",
        ),
        (
            {"cloudflare:apiKey": ENV_KEY, "cloudflare:email": ENV_EMAIL + "é"},
            "the email from `cloudflare:email`",
        ),
    ],
    ids=["key", "email"],
)
def test_a_malformed_key_or_email_is_refused_naming_which_without_showing_it(
    api: FakeCloudflareApi, config: dict[str, str], named: str
):
    wire, transport = recording(api)

    with pytest.raises(CloudflareApiError) as failed:
        perform(ApiSettings.resolve(config, {}), DUE, transport=transport)

    message = str(failed.value)
    assert message.startswith(f"{named} is malformed: it contains")
    assert ENV_KEY not in message and ENV_EMAIL not in message
    assert wire.seen == []


def test_a_refusal_names_the_credential_that_was_used(api: FakeCloudflareApi, shell: None):
    api.api_token = "another-token"  # the configured one is refused
    settings = ApiSettings.resolve(
        {"cloudflare:apiToken": CONFIGURED, "cloudflare:baseUrl": BASE_URL}
    )
    _, transport = recording(api)

    with pytest.raises(CloudflareApiError) as failed:
        perform(settings, DUE, transport=transport)

    message = str(failed.value)
    assert "with the API token from `cloudflare:apiToken`" in message
    assert all(sentinel not in message for sentinel in SENTINELS)


# -- credentials never cross hosts ------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        {"cloudflare:apiToken": CONFIGURED},
        {"cloudflare:apiKey": ENV_KEY, "cloudflare:email": ENV_EMAIL},
    ],
    ids=["token", "global key"],
)
def test_a_redirect_to_another_host_is_not_followed(api: FakeCloudflareApi, config):
    def redirect(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.cloudflare.com":
            return httpx.Response(307, headers={"location": "https://collector.example/steal"})
        return httpx.Response(200, json={"success": True, "result": {}})

    wire, transport = recording(api, redirect)
    settings = ApiSettings.resolve({**config, "cloudflare:baseUrl": BASE_URL}, environ={})

    with pytest.raises(CloudflareApiError) as failed:
        perform(settings, Read(ACCOUNT_ID, TOKEN_ID), transport=transport)

    assert wire.hosts() == ["api.cloudflare.com"]
    assert "HTTP 307" in str(failed.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://api.cloudflare.com/client/v4",
        "http://10.0.0.7:8080/client/v4",
        "ftp://api.cloudflare.com/client/v4",
        "https://user:sentinel-password@api.cloudflare.com/client/v4",
    ],
)
def test_a_base_url_that_would_expose_the_token_is_refused_before_any_call(
    api: FakeCloudflareApi, url: str
):
    wire, transport = recording(api)
    settings = ApiSettings.resolve(
        {"cloudflare:apiToken": CONFIGURED, "cloudflare:baseUrl": url}, environ={}
    )

    with pytest.raises(CloudflareApiError) as failed:
        perform(settings, DUE, transport=transport)

    message = str(failed.value)
    assert message.startswith("the Cloudflare API base URL from `cloudflare:baseUrl`")
    assert "sentinel-password" not in message and CONFIGURED not in message
    assert wire.seen == []


@pytest.mark.parametrize(
    "url",
    [
        "https://api.cloudflare.com/client/v4",
        "http://127.0.0.1:8787/client/v4",
        "http://[::1]:8787/client/v4",
        "http://localhost:8787/client/v4",
    ],
)
def test_https_anywhere_and_http_on_loopback_are_accepted(url: str):
    assert base_url_problem(url) is None


def test_plain_http_names_the_clear_text_risk():
    problem = base_url_problem("http://api.example.com/client/v4")

    assert problem is not None and "clear text" in problem


# -- ids and credentials are checked before any call -------------------------------------------


@pytest.mark.parametrize(
    "token_id",
    ["../../user/tokens", f"{TOKEN_ID}?page=2", f"{TOKEN_ID}#x", f"{TOKEN_ID}\r\nX-Injected: 1"],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda token_id: Read(ACCOUNT_ID, token_id),
        lambda token_id: Refresh(ACCOUNT_ID, token_id, NOW),
        lambda token_id: Rotate(ACCOUNT_ID, token_id, NOW + timedelta(days=1)),
    ],
    ids=["read", "refresh", "rotate"],
)
def test_a_token_id_that_is_not_a_uuid_is_refused_before_any_call(
    api: FakeCloudflareApi, token_id: str, call
):
    wire, transport = recording(api)
    settings = ApiSettings(api_token=CONFIGURED, base_url=BASE_URL)

    with pytest.raises(CloudflareApiError) as failed:
        perform(settings, call(token_id), transport=transport)

    assert str(failed.value) == (
        "the service token id is not a Cloudflare token id (a UUID such as "
        "'f174e90a-fafe-4643-bbbc-4a0ed4fc8415'); nothing was sent to Cloudflare."
    )
    assert wire.seen == []


@pytest.mark.parametrize("account_id", ["../" + ACCOUNT_ID, ACCOUNT_ID + "?x", ACCOUNT_ID[:-1]])
def test_an_account_id_that_is_not_32_hex_is_refused_before_any_call(
    api: FakeCloudflareApi, account_id: str
):
    wire, transport = recording(api)
    settings = ApiSettings(api_token=CONFIGURED, base_url=BASE_URL)

    with pytest.raises(CloudflareApiError, match="is not a Cloudflare account id"):
        perform(settings, Read(account_id, TOKEN_ID), transport=transport)

    assert wire.seen == []


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (CONFIGURED + "\n", "a space or a line break"),
        ("  " + CONFIGURED, "a space or a line break"),
        (CONFIGURED + "é", "a character outside printable ASCII"),
        (CONFIGURED[:5] + "\x7f" + CONFIGURED[5:], "a character outside printable ASCII"),
    ],
)
@pytest.mark.parametrize("source", ["config", "environment"])
def test_a_malformed_token_is_refused_naming_where_it_came_from_without_showing_it(
    api: FakeCloudflareApi, monkeypatch: pytest.MonkeyPatch, token: str, problem: str, source: str
):
    if source == "config":
        config, named = {"cloudflare:apiToken": token}, "`cloudflare:apiToken`"
    else:
        monkeypatch.setenv("CLOUDFLARE_API_TOKEN", token)
        config, named = {}, "CLOUDFLARE_API_TOKEN"
    wire, transport = recording(api)
    settings = ApiSettings.resolve({**config, "cloudflare:baseUrl": BASE_URL})

    with pytest.raises(CloudflareApiError) as failed:
        perform(settings, DUE, transport=transport)

    message = str(failed.value)
    assert message.startswith(f"the API token from {named} is malformed: it contains {problem}")
    assert CONFIGURED not in message and token.strip() not in message
    assert wire.seen == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://[::1", "is not a URL"),
        ("https://api.cloudflare.com:port/client/v4", "is not a URL"),
        (
            "api.cloudflare.com/client/v4",
            "must be an http(s) URL of the Cloudflare API, e.g. "
            "'https://api.cloudflare.com/client/v4'",
        ),
        (
            "https://user@api.cloudflare.com/client/v4",
            "must not carry a user or password: credentials go in `apiToken`",
        ),
        (
            "http://api.example.com/client/v4",
            "uses http://, which would send the API token in clear text: use https://, or "
            "http:// only to a loopback address (127.0.0.1, ::1, localhost) for a local test API",
        ),
    ],
    ids=["unclosed bracket", "port not a number", "no scheme", "a user alone", "plain http"],
)
def test_each_base_url_problem_says_what_is_wrong_and_what_is_accepted(url: str, problem: str):
    assert base_url_problem(url) == problem


@pytest.mark.parametrize(
    ("settings", "source"),
    [
        (
            ApiSettings.resolve(
                {"cloudflare:apiToken": CONFIGURED},
                environ={"CLOUDFLARE_BASE_URL": "http://api.example.com/client/v4"},
            ),
            "CLOUDFLARE_BASE_URL",
        ),
        (
            ApiSettings(api_token=CONFIGURED, base_url="http://api.example.com/client/v4"),
            "`cloudflare:baseUrl`",
        ),
    ],
    ids=["from the environment", "given directly"],
)
def test_a_refused_base_url_is_named_by_where_it_came_from(
    api: FakeCloudflareApi, settings: ApiSettings, source: str
):
    wire, transport = recording(api)

    with pytest.raises(CloudflareApiError) as failed:
        perform(settings, DUE, transport=transport)

    assert str(failed.value).startswith(f"the Cloudflare API base URL from {source} uses http://")
    assert wire.seen == []
