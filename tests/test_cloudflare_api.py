"""Where renewal gets its credentials and endpoint: stack config first, then the environment."""

from cloudflare_service_token._cloudflare_api import ApiSettings

ENV = {
    "CLOUDFLARE_API_TOKEN": "from-env",
    "CLOUDFLARE_BASE_URL": "http://env.invalid/client/v4",
}


def test_stack_config_wins_over_the_environment() -> None:
    settings = ApiSettings.resolve(
        {"cloudflare:apiToken": "from-config", "cloudflare:baseUrl": "http://cfg.invalid"}, ENV
    )

    assert settings.api_token == "from-config"
    assert settings.base_url == "http://cfg.invalid"


def test_the_environment_is_the_fallback() -> None:
    settings = ApiSettings.resolve({}, ENV)

    assert settings.api_token == "from-env"
    assert settings.base_url == "http://env.invalid/client/v4"


def test_a_global_api_key_and_email_are_read_too() -> None:
    settings = ApiSettings.resolve(
        {}, {"CLOUDFLARE_API_KEY": "key", "CLOUDFLARE_EMAIL": "ops@example.com"}
    )

    assert (settings.api_token, settings.api_key, settings.email) == (
        None,
        "key",
        "ops@example.com",
    )


def test_where_each_setting_came_from_is_recorded_for_the_messages() -> None:
    settings = ApiSettings.resolve(
        {"cloudflare:apiKey": "key", "cloudflare:baseUrl": "http://cfg.invalid"},
        {"CLOUDFLARE_EMAIL": "ops@example.com"},
    )

    assert settings.sources == {
        "api_key": "`cloudflare:apiKey`",
        "email": "CLOUDFLARE_EMAIL",
        "base_url": "`cloudflare:baseUrl`",
    }
    assert ApiSettings.resolve({"cloudflare:email": "ops@example.com"}, ENV).sources == {
        "api_token": "CLOUDFLARE_API_TOKEN",
        "email": "`cloudflare:email`",
        "base_url": "CLOUDFLARE_BASE_URL",
    }


def test_timeouts_and_retries_default_to_the_sdks_and_can_be_set_in_config() -> None:
    assert (
        ApiSettings.resolve({}, {}).timeout_seconds,
        ApiSettings.resolve({}, {}).max_retries,
    ) == (
        30.0,
        2,
    )
    tuned = ApiSettings.resolve(
        {
            "cloudflare-service-token:apiTimeoutSeconds": "5",
            "cloudflare-service-token:apiMaxRetries": "4",
        },
        {},
    )
    assert (tuned.timeout_seconds, tuned.max_retries) == (5.0, 4)
