"""Typed settings: site TOML, then user TOML, then REMTUI_* environment variables.

Nothing here touches the file system at import time; paths are computed when asked.
Every source is checked whole (pydantic-core, imported only when there is a file or a
variable to check): each mistake is one line naming the file, the key and what is allowed,
and all of them are reported at once (:class:`ConfigError`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .config_keys import DEFAULT_CURRENCY, DEFAULT_REGION, ENV_VARS, ENVIRONMENT

APP_NAME = "remtui"
DEMO_LOGIN = "admin"  # the demo store's administrator


class ConfigError(Exception):
    """A configuration file or variable holds something we cannot use: ``problems`` has
    one line per mistake."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(*self.problems)

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        return f"{len(self.problems)} mistakes:\n" + "\n".join(f"  {p}" for p in self.problems)


def site_config_path() -> Path:
    if env := os.environ.get("REMTUI_SITE_CONFIG"):
        return Path(env)
    import platformdirs

    return platformdirs.site_config_path(APP_NAME) / "config.toml"


def user_config_path() -> Path:
    if env := os.environ.get("REMTUI_CONFIG"):
        return Path(env)
    import platformdirs

    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def user_data_dir() -> Path:
    if env := os.environ.get("REMTUI_DATA_DIR"):
        return Path(env)
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)


def default_db_url() -> str:
    return sqlite_url(user_data_dir() / "store.sqlite3")


def demo_db_path() -> Path:
    return user_data_dir() / "demo.sqlite3"


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def as_db_url(path_or_url: str) -> str:
    """Accept a database URL or a plain SQLite file path."""
    if "://" in path_or_url:
        return path_or_url
    return sqlite_url(path_or_url)


def _locale_language() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "pt_PT" if value.lower().startswith("pt") else "en"
    return "en"


@dataclass(frozen=True)
class SmsSettings:
    gateway: str = "none"  # "none" or "command"
    command: tuple[str, ...] = ()
    timeout_seconds: int = 20


@dataclass(frozen=True)
class Settings:
    db_url: str = ""
    language: str = "en"
    currency: str = DEFAULT_CURRENCY
    phone_region: str = DEFAULT_REGION
    keymap: dict[str, str] = field(default_factory=dict)
    document_prefixes: dict[str, str] = field(default_factory=dict)
    sms: SmsSettings = field(default_factory=SmsSettings)
    store_group: str = ""  # Unix group that shares the store (multi-account servers)
    export_dir: str = ""  # where exported files are saved; "" = the user's Downloads

    def exports_path(self) -> Path:
        """The folder for exported files (created when first needed)."""
        if self.export_dir:
            return Path(self.export_dir).expanduser()
        import platformdirs

        return platformdirs.user_downloads_path()

    @property
    def locale(self) -> str:
        return "pt_PT" if self.language == "pt_PT" else "en_GB"

    def with_db(self, path_or_url: str | None) -> Settings:
        return self if not path_or_url else replace(self, db_url=as_db_url(path_or_url))


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        problems.append(_shown(f"{path}: {exc.strerror or exc}"))
        return {}
    import tomllib  # only when there is a file: most starts have none

    with fh:
        try:
            return tomllib.load(fh)
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
            problems.append(_shown(f"{path}: not valid TOML: {exc}"))
            return {}


def _from_env() -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for var, keys in ENV_VARS.items():
        value = os.environ.get(var)
        if not value:
            continue
        if len(keys) == 2:
            raw.setdefault(keys[0], {})[keys[1]] = value
        else:
            raw[keys[0]] = value
    return raw


def _build(raw: dict[str, Any]) -> Settings:
    """Settings from the merged, already checked sources."""
    store = raw.get("store", {})
    db = store.get("url") or store.get("path") or raw.get("db")
    sms_raw = raw.get("sms", {})
    sms = SmsSettings(
        gateway=sms_raw.get("gateway", "none"),
        command=tuple(sms_raw.get("command", ())),
        timeout_seconds=sms_raw.get("timeout_seconds", 20),
    )
    return Settings(
        db_url=as_db_url(str(db)) if db else default_db_url(),
        language=raw.get("language") or _locale_language(),
        currency=raw.get("currency", DEFAULT_CURRENCY),
        phone_region=raw.get("phone_region", DEFAULT_REGION),
        keymap=dict(raw.get("keymap", {})),
        document_prefixes=dict(raw.get("document_prefixes", {})),
        sms=sms,
        store_group=store.get("group", ""),
        export_dir=raw.get("export_dir", ""),
    )


def load_settings() -> Settings:
    problems: list[str] = []
    sources = [
        (str(path), _read_toml(path, problems)) for path in (site_config_path(), user_config_path())
    ]
    sources.append((ENVIRONMENT, _from_env()))
    if not any(raw for _where, raw in sources):
        if problems:
            raise ConfigError(problems)
        return _build({})  # nothing to check: the defaults (and the locale's language)
    from .config_check import check_sources

    merged = check_sources(sources, problems)
    if problems:
        raise ConfigError(problems)
    return _build(merged)


def _shown(text: str) -> str:
    from .safetext import safe_text

    return safe_text(text, single_line=True, limit=400)
