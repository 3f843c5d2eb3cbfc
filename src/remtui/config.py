"""Typed settings: site TOML, then user TOML, then REMTUI_* environment variables.

Nothing here touches the file system at import time; paths are computed when asked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

APP_NAME = "remtui"
LANGUAGES = ("en", "pt_PT")
DEMO_LOGIN = "admin"  # the demo store's administrator


class ConfigError(Exception):
    """A configuration file or variable holds something we cannot use."""


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
    currency: str = "EUR"
    phone_region: str = "PT"
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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    import tomllib  # only when there is a file: most starts have none

    with fh:
        try:
            return tomllib.load(fh)
        except (tomllib.TOMLDecodeError, OSError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _str_map(raw: Any, name: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise ConfigError(f"[{name}] must map names to strings")
    return dict(raw)


def _build(raw: dict[str, Any]) -> Settings:
    store = raw.get("store", {})
    db = store.get("url") or store.get("path") or raw.get("db")
    language = raw.get("language") or _locale_language()
    if language in ("pt", "pt-PT", "pt_pt"):
        language = "pt_PT"
    if language not in LANGUAGES:
        raise ConfigError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    currency = str(raw.get("currency", "EUR")).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ConfigError(f"currency must be a three-letter ISO code, not {currency!r}")
    region = str(raw.get("phone_region", "PT")).upper()
    sms_raw = raw.get("sms", {})
    command = sms_raw.get("command", [])
    if isinstance(command, str) or not all(isinstance(c, str) for c in command):
        raise ConfigError("sms.command must be a list of strings (program and arguments)")
    sms = SmsSettings(
        gateway=str(sms_raw.get("gateway", "none")),
        command=tuple(command),
        timeout_seconds=int(sms_raw.get("timeout_seconds", 20)),
    )
    return Settings(
        db_url=as_db_url(str(db)) if db else default_db_url(),
        language=language,
        currency=currency,
        phone_region=region,
        keymap=_str_map(raw.get("keymap"), "keymap"),
        document_prefixes=_str_map(raw.get("document_prefixes"), "document_prefixes"),
        sms=sms,
        store_group=str(store.get("group", "")),
        export_dir=str(raw.get("export_dir", "")),
    )


def load_settings() -> Settings:
    raw = _merge(_read_toml(site_config_path()), _read_toml(user_config_path()))
    env_map = {
        "REMTUI_DB": ("store", "url"),
        "REMTUI_LANGUAGE": ("language",),
        "REMTUI_CURRENCY": ("currency",),
        "REMTUI_PHONE_REGION": ("phone_region",),
        "REMTUI_EXPORT_DIR": ("export_dir",),
    }
    for var, keys in env_map.items():
        value = os.environ.get(var)
        if not value:
            continue
        if len(keys) == 2:
            raw.setdefault(keys[0], {})[keys[1]] = value
        else:
            raw[keys[0]] = value
    return _build(raw)
