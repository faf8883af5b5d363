"""load_config: defaults, the file, the environment, and errors that name the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.config import TELEGRAM_API, Config, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.toml"


@pytest.fixture(autouse=True)
def _no_local_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where no ./config.toml exists, so only what a test writes is read."""
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str, name: str = "c.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    config = load_config(environ={})
    assert config.source == "(defaults)"
    assert config.bot_token is None
    assert config.telegram.base_url == TELEGRAM_API
    assert config.uses_telegram
    assert config.database.url == "sqlite+aiosqlite:///data/volunteer-bot.db"
    assert config.database.is_sqlite
    assert config.general.timezone == "Asia/Shanghai"
    assert config.general.default_language == "zh_CN"
    assert config.points.rate_per_hour == 3
    assert config.volunteers.require_approval is True
    assert config.orders.max_days_ahead == 60
    assert config.org.file == "orgs.example.toml"
    assert (config.sandbox.host, config.sandbox.port) == ("127.0.0.1", 8081)


def _leaf_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys |= _leaf_keys(annotation, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def _file_keys(data: dict[str, object], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, value in data.items():
        if isinstance(value, dict) and value:
            keys |= _file_keys(value, f"{prefix}{name}.")
        elif isinstance(value, dict):  # a table of its own kind, shown by a comment
            keys.add(prefix + name)
        else:
            keys.add(prefix + name)
    return keys


def test_example_file_lists_every_key_with_its_default() -> None:
    with EXAMPLE.open("rb") as fh:
        data = tomllib.load(fh)
    assert _file_keys(data) == _leaf_keys(Config)
    config = load_config(EXAMPLE, environ={})
    assert config.model_dump() == Config().model_dump()
    assert config.org.file == "orgs.example.toml"


def test_file_values_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, '[points]\nrate_per_hour = 2.5\n[general]\ndefault_language = "en"\n')
    config = load_config(path, environ={})
    assert config.points.rate_per_hour == 2.5
    assert config.general.default_language == "en"
    assert config.source == str(path)


def test_file_named_by_environment_and_local_config_toml(tmp_path: Path) -> None:
    named = write(tmp_path, "[sandbox]\nport = 9001\n", "named.toml")
    assert load_config(environ={"VOLUNTEER_BOT_CONFIG": str(named)}).sandbox.port == 9001
    write(tmp_path, "[sandbox]\nport = 9002\n", "config.toml")
    assert load_config(environ={}).sandbox.port == 9002
    # an explicit path wins over both
    assert load_config(named, environ={"VOLUNTEER_BOT_CONFIG": "nope.toml"}).sandbox.port == 9001


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "absent.toml", environ={})


def test_database_url_from_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite+aiosqlite:///file.db"\necho = true\n')
    env = {"DATABASE_URL": "postgresql+asyncpg://bot@db.example/volunteers"}
    config = load_config(path, environ=env)
    assert config.database.url == "postgresql+asyncpg://bot@db.example/volunteers"
    assert config.database.echo is True  # the rest of the section still comes from the file
    assert not config.database.is_sqlite


def test_bad_database_url_from_environment_is_named_and_password_hidden() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(environ={"DATABASE_URL": "mysql://bot:s3cret@db/volunteers"})
    message = str(info.value)
    assert "[database] url" in message
    assert "DATABASE_URL" in message
    assert "s3cret" not in message


def test_bot_token_comes_from_the_environment() -> None:
    config = load_config(environ={"BOT_TOKEN": "123456:ABC-secret"})
    assert config.bot_token is not None
    assert config.bot_token.get_secret_value() == "123456:ABC-secret"
    assert "ABC-secret" not in repr(config)
    assert "bot_token" not in config.model_dump()
    assert load_config(environ={"BOT_TOKEN": ""}).bot_token is None


def test_bot_token_in_the_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, 'bot_token = "123456:ABC"\n')
    with pytest.raises(ConfigError, match=r"bot_token: not a file setting.*BOT_TOKEN"):
        load_config(path, environ={"BOT_TOKEN": "x"})
    nested = write(tmp_path, '[telegram]\nbot_token = "123456:ABC"\n', "nested.toml")
    with pytest.raises(ConfigError, match=r"\[telegram\] bot_token: unknown key"):
        load_config(nested, environ={})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://bot:pw@db.example:5432/vb", "postgresql+asyncpg://bot:pw@db.example:5432/vb"),
        ("postgresql://bot@db.example/vb", "postgresql+asyncpg://bot@db.example/vb"),
        ("postgresql+asyncpg://bot@db.example/vb", "postgresql+asyncpg://bot@db.example/vb"),
    ],
)
def test_postgres_urls_use_asyncpg(tmp_path: Path, given: str, expected: str) -> None:
    path = write(tmp_path, f'[database]\nurl = "{given}"\n')
    assert load_config(path, environ={}).database.url == expected
    assert load_config(environ={"DATABASE_URL": given}).database.url == expected


def test_overrides_win_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[sandbox]\nhost = "0.0.0.0"\nport = 9000\n')
    config = load_config(path, environ={}, overrides={"sandbox": {"port": 9100}})
    assert (config.sandbox.host, config.sandbox.port) == ("0.0.0.0", 9100)


@pytest.mark.parametrize(
    ("text", "key", "detail"),
    [
        ("[points]\nrate_per_hr = 3\n", "[points] rate_per_hr", "unknown key"),
        ("colour = 1\n", "colour", "unknown key"),
        ('[points]\nrate_per_hour = "three"\n', "[points] rate_per_hour", "'three'"),
        # TOML is typed: a quoted number or a boolean port is a mistake, not coerced
        ('[points]\nrate_per_hour = "3"\n', "[points] rate_per_hour", "valid number"),
        ("[sandbox]\nport = true\n", "[sandbox] port", "valid integer"),
        ('[volunteers]\nrequire_approval = "yes"\n', "[volunteers] require_approval", "boolean"),
        ("[points]\nrate_per_hour = 0\n", "[points] rate_per_hour", "greater than 0"),
        ('[general]\ntimezone = "Mars/Olympus"\n', "[general] timezone", "unknown time zone"),
        ('[general]\ndefault_language = "fr"\n', "[general] default_language", "'fr'"),
        ('[database]\nurl = "mysql://db/vb"\n', "[database] url", "sqlite+aiosqlite"),
        ('[telegram]\nbase_url = "api.telegram.org"\n', "[telegram] base_url", "http"),
        ("[telegram.webhook]\nport = 70000\n", "[telegram.webhook] port", "65535"),
        ("[admins]\ntelegram_ids = [1, -2]\n", "[admins] telegram_ids[2]", "greater than 0"),
        ('sandbox = "on"\n', "[sandbox]", "must be a table"),
        ("[orders]\nmax_days_ahead = 0\n", "[orders] max_days_ahead", "greater than or equal to 1"),
    ],
)
def test_errors_name_section_and_key(tmp_path: Path, text: str, key: str, detail: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    message = str(info.value)
    assert message.startswith(f"{path}: invalid configuration")
    assert f"  {key}: " in message
    assert detail in message


def test_invalid_toml_and_non_utf8_files(tmp_path: Path) -> None:
    broken = write(tmp_path, "[points\nrate_per_hour = 3\n")
    with pytest.raises(ConfigError, match=r"not valid TOML: .*line 1"):
        load_config(broken, environ={})
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe[points]\n")
    with pytest.raises(ConfigError, match="must be UTF-8"):
        load_config(binary, environ={})
