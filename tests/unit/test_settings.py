"""Settings are read once from the environment; a gap stops the function with its name."""

import pytest

from backline.settings import Settings, SettingsError

COMPLETE = {
    "TABLE_NAME": "backline-prod",
    "CURSOR_SECRET": "a-cursor-secret-of-32-characters",
    "DEFAULT_COUNTRY": "GB",
}


def test_complete_environment_gives_settings() -> None:
    settings = Settings.from_env(COMPLETE)

    assert settings.table_name == "backline-prod"
    assert settings.cursor_secret == COMPLETE["CURSOR_SECRET"]
    assert settings.default_country == "GB"


@pytest.mark.parametrize("missing", sorted(COMPLETE))
def test_missing_setting_is_named_in_the_error(missing: str) -> None:
    environ = {name: value for name, value in COMPLETE.items() if name != missing}

    with pytest.raises(SettingsError, match=missing):
        Settings.from_env(environ)


def test_empty_environment_names_every_setting() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({})

    for name in COMPLETE:
        assert name in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFAULT_COUNTRY", "gb"),
        ("DEFAULT_COUNTRY", "GBR"),
        ("CURSOR_SECRET", "short"),
        ("TABLE_NAME", "t"),
    ],
)
def test_malformed_setting_is_named_in_the_error(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({**COMPLETE, name: value})


def test_error_about_the_cursor_secret_does_not_echo_it() -> None:
    weak = "tiny-secret"

    with pytest.raises(SettingsError) as refused:
        Settings.from_env({**COMPLETE, "CURSOR_SECRET": weak})

    assert weak not in str(refused.value)
    assert weak not in repr(refused.value)


def test_settings_repr_hides_the_cursor_secret() -> None:
    assert COMPLETE["CURSOR_SECRET"] not in repr(Settings.from_env(COMPLETE))
