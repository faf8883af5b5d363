"""Configuration: a TOML file read with tomllib into pydantic models, secrets from the
environment.

Precedence: built-in defaults < the TOML file < environment (``BOT_TOKEN``,
``DATABASE_URL``). The file is named by ``VOLUNTEER_BOT_CONFIG`` or passed explicitly;
when neither is given and ``./config.toml`` exists, that is used; otherwise defaults.

A bad file raises :class:`ConfigError` whose message names the key and what is wrong;
the CLI prints it and exits non-zero.
"""

from __future__ import annotations

import os
import re
import tomllib
import zoneinfo
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

TELEGRAM_API = "https://api.telegram.org/bot"
TELEGRAM_FILE_API = "https://api.telegram.org/file/bot"
DEFAULT_CONFIG_FILE = Path("config.toml")


class ConfigError(Exception):
    """A configuration problem explained for an operator (no traceback needed)."""


class _Section(BaseModel):
    # strict: TOML is typed, so "3" for a number or true for a port is a mistake to
    # report, not something to coerce silently
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class WebhookConfig(_Section):
    url: str = ""
    listen: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8443
    path: str = "telegram"
    secret_token: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,256}$")
    max_connections: Annotated[int, Field(ge=1, le=100)] = 40


class TelegramConfig(_Section):
    base_url: str = TELEGRAM_API
    base_file_url: str = TELEGRAM_FILE_API
    mode: Literal["polling"] = "polling"
    poll_timeout: Annotated[int, Field(ge=0, le=50)] = 30
    drop_pending_updates: bool = False
    request_timeout: Annotated[float, Field(gt=0, le=300)] = 10.0
    webhook: WebhookConfig = WebhookConfig()

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


class DatabaseConfig(_Section):
    url: str = "sqlite+aiosqlite:///data/volunteer-bot.db"
    echo: bool = False
    busy_timeout_ms: Annotated[int, Field(ge=0, le=600_000)] = 10_000
    pool_size: Annotated[int, Field(ge=1, le=200)] = 10

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith(("postgresql://", "postgres://")):
            # operators paste libpq URLs; use the asyncpg driver for them
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must be sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB"
            )
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class GeneralConfig(_Section):
    timezone: str = "Asia/Shanghai"
    default_language: Literal["zh_CN", "en"] = "zh_CN"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone (e.g. Asia/Shanghai)") from None
        return value


class OrgConfig(_Section):
    file: str = "orgs.example.toml"
    import_on_start: bool = True


class AdminsConfig(_Section):
    telegram_ids: list[Annotated[int, Field(gt=0)]] = []
    unit: str = ""


class PointsConfig(_Section):
    """The 公益银行: the rate hours earn at, its limits, how earned points round, the
    five-star bonus and whether volunteers may transfer points."""

    rate_per_hour: Annotated[float, Field(gt=0, le=1000)] = 3
    # the rate a coordinator may set on publishing: from min_rate to max_rate
    min_rate: Annotated[float, Field(gt=0, le=1000)] = 0.5
    max_rate: Annotated[float, Field(gt=0, le=1000)] = 20
    # earned points round half up to: a tenth, a half, or a whole point
    rounding: Literal["tenth", "half", "whole"] = "half"
    # points added for each five-star rating a volunteer receives; 0 = off
    bonus_five_stars: Annotated[float, Field(ge=0, le=100)] = 0
    # volunteers may give points to another volunteer or to a unit's community fund
    transfers: bool = True

    @model_validator(mode="after")
    def _rates_in_order(self) -> PointsConfig:
        if self.min_rate > self.max_rate:
            raise ValueError("min_rate must not be above max_rate")
        if not self.min_rate <= self.rate_per_hour <= self.max_rate:
            raise ValueError("rate_per_hour must be from min_rate to max_rate")
        return self


class RecognitionConfig(_Section):
    """表彰激励: the cumulative verified hours of each star level (星级志愿者), ascending."""

    star_hours: Annotated[
        list[Annotated[int, Field(gt=0, le=100_000)]],
        Field(min_length=1, max_length=10, validate_default=True),
    ] = [100, 300, 600, 1000, 1500]

    # the CJK font the service-record certificates (PDF) embed, a subset of it: a
    # TrueType font or collection (Debian: fonts-wqy-microhei, or fonts-noto-cjk's .ttc)
    certificate_font: str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

    @field_validator("star_hours")
    @classmethod
    def _ascending(cls, value: list[int]) -> list[int]:
        if value != sorted(set(value)):
            raise ValueError("the hours of the star levels must be strictly ascending")
        return value


class RatingsConfig(_Section):
    """评单: when the resident is asked to rate, reminded, and the prompt expires; which
    ratings alert the coordinators; how long a comment may be."""

    prompt_after_minutes: Annotated[int, Field(ge=0, le=10_080)] = 30
    reminder_hours: Annotated[int, Field(ge=1, le=720)] = 24
    expire_days: Annotated[int, Field(ge=1, le=90)] = 7
    alert_at_or_below: Annotated[int, Field(ge=0, le=5)] = 2
    comment_max_chars: Annotated[int, Field(ge=1, le=2000)] = 500

    @model_validator(mode="after")
    def _reminder_before_expiry(self) -> RatingsConfig:
        if self.reminder_hours >= self.expire_days * 24:
            raise ValueError("reminder_hours must come before expire_days")
        return self


class VolunteersConfig(_Section):
    require_approval: bool = True


class OrdersConfig(_Section):
    """Requests' windows; grabbing places: how many a volunteer may hold, cancelling,
    the waitlist."""

    # a request's (or activity's) service starts within this many days from today
    max_days_ahead: Annotated[int, Field(ge=1, le=366)] = 60
    max_upcoming_claims: Annotated[int, Field(ge=1, le=100)] = 5
    cancel_cutoff_hours: Annotated[float, Field(ge=0, le=720)] = 2
    offer_minutes: Annotated[int, Field(ge=1, le=10_080)] = 30
    # reminders to each volunteer holding a place, this many hours before the start;
    # the resident's address and phone are hidden from volunteers this long after the end
    reminder_hours: Annotated[
        list[Annotated[float, Field(gt=0, le=720)]], Field(max_length=10, validate_default=True)
    ] = [24, 2]
    hide_contact_after_hours: Annotated[float, Field(ge=0, le=720)] = 24

    @field_validator("reminder_hours")
    @classmethod
    def _distinct_reminders(cls, value: list[float]) -> list[float]:
        if len(set(value)) != len(value):
            raise ValueError("each number of hours may appear only once")
        return sorted(value, reverse=True)

    # escalation (三级阵地): an unreviewed request goes up to the street, then the district;
    # an open order still short of volunteers this long before its start is flagged
    escalate_street_hours: Annotated[float, Field(gt=0, le=720)] = 2
    escalate_district_hours: Annotated[float, Field(gt=0, le=720)] = 6
    unfilled_warning_hours: Annotated[float, Field(gt=0, le=720)] = 12
    # attendance (实践服务): check-in opens this long before the start; hours count
    # within the window widened by the grace, no-shows are marked at start + grace and
    # forgotten check-outs made at end + grace
    check_in_opens_minutes: Annotated[int, Field(ge=0, le=1440)] = 30
    service_grace_minutes: Annotated[int, Field(ge=0, le=720)] = 30

    @model_validator(mode="after")
    def _district_after_street(self) -> OrdersConfig:
        if self.escalate_district_hours <= self.escalate_street_hours:
            raise ValueError("escalate_district_hours must be more than escalate_street_hours")
        return self


class SandboxConfig(_Section):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8081


class DeliveryConfig(_Section):
    """The outbox sender: how fast, how many at once, how persistent."""

    rate_per_s: Annotated[float, Field(gt=0, le=1000)] = 25
    paid_broadcast: bool = False
    paid_rate_per_s: Annotated[float, Field(gt=0, le=1000)] = 1000
    per_chat_per_s: Annotated[float, Field(gt=0, le=30)] = 1
    per_group_per_min: Annotated[float, Field(gt=0, le=60)] = 20
    concurrency: Annotated[int, Field(ge=1, le=512)] = 32
    batch_size: Annotated[int, Field(ge=1, le=1000)] = 200
    lease_seconds: Annotated[int, Field(ge=2, le=3600)] = 60
    max_attempts: Annotated[int, Field(ge=1, le=50)] = 5
    poll_seconds: Annotated[float, Field(gt=0, le=60)] = 0.5
    # recipients of a campaign (an order's announcement) written to the outbox per
    # transaction (bot/services/fanout/campaigns.py)
    fanout_page: Annotated[int, Field(ge=10, le=10_000)] = 1000


class UnitConfig(_Section):
    """``[units.<code>]``: settings of one unit of the org file."""

    # the group or channel (its chat id, e.g. -1001234567890) where the unit's
    # broadcasts are also posted when the coordinator asks; /setchannel sent there by
    # one of its coordinators sets (and overrides) it from the chat
    channel_id: int | None = None


class BroadcastsConfig(_Section):
    """Coordinators' broadcasts (bot/services/broadcasts/)."""

    # how often a broadcast's progress message is edited (an unchanged one is not):
    # one edit every few seconds per message keeps clear of Telegram's edit limits
    progress_every_s: Annotated[float, Field(ge=3, le=300)] = 5


class JobsConfig(_Section):
    tick_seconds: Annotated[float, Field(gt=0, le=300)] = 1
    lease_seconds: Annotated[int, Field(ge=10, le=3600)] = 300
    max_attempts: Annotated[int, Field(ge=1, le=50)] = 5


class Config(_Section):
    telegram: TelegramConfig = TelegramConfig()
    database: DatabaseConfig = DatabaseConfig()
    general: GeneralConfig = GeneralConfig()
    org: OrgConfig = OrgConfig()
    admins: AdminsConfig = AdminsConfig()
    points: PointsConfig = PointsConfig()
    ratings: RatingsConfig = RatingsConfig()
    recognition: RecognitionConfig = RecognitionConfig()
    volunteers: VolunteersConfig = VolunteersConfig()
    orders: OrdersConfig = OrdersConfig()
    sandbox: SandboxConfig = SandboxConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    broadcasts: BroadcastsConfig = BroadcastsConfig()
    units: dict[str, UnitConfig] = Field(default_factory=dict)
    jobs: JobsConfig = JobsConfig()
    bot_token: SecretStr | None = Field(default=None, exclude=True, strict=False)
    source: str = Field(default="(defaults)", exclude=True)

    @property
    def uses_telegram(self) -> bool:
        return self.telegram.base_url == TELEGRAM_API


def _hide_password(text: str) -> str:
    """``scheme://user:secret@host`` → ``scheme://user:***@host``."""
    return re.sub(r"(://[^:/@\s]*):[^@/\s]*@", r"\1:***@", text)


def _key(loc: tuple[int | str, ...]) -> str:
    """``("telegram", "webhook", "port")`` → ``[telegram.webhook] port``;
    ``("admins", "telegram_ids", 1)`` → ``[admins] telegram_ids[2]``."""
    names: list[str] = []
    for part in loc:
        if isinstance(part, int) and names:
            names[-1] += f"[{part + 1}]"
        else:
            names.append(str(part))
    if not names:
        return "(file)"
    if len(names) == 1:
        return f"[{names[0]}]" if names[0] in Config.model_fields else names[0]
    return f"[{'.'.join(names[:-1])}] {names[-1]}"


def _describe(error: ValidationError, source: str, from_env: set[str]) -> str:
    lines = [f"{source}: invalid configuration"]
    for item in error.errors():
        key = _key(tuple(item["loc"]))
        if item["loc"] == ("database", "url") and "DATABASE_URL" in from_env:
            key += " (from the DATABASE_URL environment variable)"
        kind = item["type"]
        if kind == "extra_forbidden":
            message = "unknown key (check the spelling against config.example.toml)"
        elif kind == "model_type":
            message = f"must be a table (a [section] of keys), got {item['input']!r}"
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
            if "input" in item and kind != "missing" and not isinstance(item["input"], dict):
                shown = item["input"]
                if isinstance(shown, str):
                    shown = _hide_password(shown)
                message += f" (got {shown!r})"
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)


def read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: the file must be UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None


def load_config(
    path: str | Path | None = None,
    *,
    environ: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Config:
    """Read the configuration; ``overrides`` (nested dicts) win over the file."""
    env = os.environ if environ is None else environ
    chosen = path or env.get("VOLUNTEER_BOT_CONFIG") or None
    data: dict[str, Any] = {}
    source = "(defaults)"
    if chosen:
        data = read_file(Path(chosen))
        source = str(chosen)
    elif DEFAULT_CONFIG_FILE.exists():
        data = read_file(DEFAULT_CONFIG_FILE)
        source = str(DEFAULT_CONFIG_FILE)
    for private in ("bot_token", "source"):
        if private in data:
            hint = "the token comes from BOT_TOKEN" if private == "bot_token" else "set by the bot"
            raise ConfigError(f"{source}: {private}: not a file setting ({hint})")
    for section, values in (overrides or {}).items():
        if isinstance(data.get(section, {}), dict):
            data[section] = {**data.get(section, {}), **values}
    from_env: set[str] = set()
    if env.get("DATABASE_URL") and isinstance(data.get("database", {}), dict):
        data["database"] = {**data.get("database", {}), "url": env["DATABASE_URL"]}
        from_env.add("DATABASE_URL")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source, from_env)) from None
    token = env.get("BOT_TOKEN") or None
    return config.model_copy(
        update={"bot_token": SecretStr(token) if token else None, "source": source}
    )
