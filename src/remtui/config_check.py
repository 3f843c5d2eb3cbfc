"""The configuration's schema and its messages (pydantic-core), imported only when there is
a config file or a REMTUI_* variable to check.

Each source (the site file, the user file, the environment) is checked on its own, so each
mistake names the file it is in; then the merged keymap is checked for a key given to two
bindings that are active together. One line per mistake: where, the key (and the value
found), and what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from pydantic_core import PydanticCustomError, SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from . import keymap_ids
from .config_keys import (
    DEFAULT_CURRENCY,
    DEFAULT_REGION,
    DOCUMENT_SERIES,
    ENV_VARS,
    ENVIRONMENT,
    LANGUAGES,
    PREFIX_MAX,
    SMS_GATEWAYS,
    TIMEOUT_MAX,
)
from .safetext import safe_text

_LANGUAGE_ALIASES = {"pt": "pt_PT", "pt-pt": "pt_PT", "pt_pt": "pt_PT", "en": "en"}
_PREFIX_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_/.#")

# What each setting allows, for the messages (keys are dotted paths; "*" is any name).
ALLOWED = {
    "": "the settings are {keys}",
    "language": '"en" or "pt_PT"',
    "currency": "a three-letter ISO 4217 code, like EUR, GBP or USD",
    "phone_region": "a two-letter region code, like PT, ES or GB",
    "export_dir": "a folder, as text",
    "db": "a SQLite file's path or a database URL, as text",
    "store": "a table ([store]) of {keys}",
    "store.url": "a SQLite file's path or a postgresql+psycopg:// URL, as text",
    "store.path": "a SQLite file's path, as text",
    "store.group": "a Unix group's name, as text",
    "keymap": "a table ([keymap]) of binding id = key",
    "keymap.*": 'a key like "f4" or "ctrl+n", or several separated by commas: "f4,ctrl+n"',
    "document_prefixes": "a table ([document_prefixes]) of {keys}, each = a prefix",
    "document_prefixes.*": (
        f'a prefix of 1 to {PREFIX_MAX} letters, digits or - _ / . #, like "WO-"'
    ),
    "sms": "a table ([sms]) of {keys}",
    "sms.gateway": '"none" (messages stay queued) or "command"',
    "sms.command": (
        'a list of text: the program and its arguments, like ["/usr/local/bin/send-sms"]'
    ),
    "sms.timeout_seconds": f"a whole number of seconds from 1 to {TIMEOUT_MAX}",
}


def _refuse(why: str) -> PydanticCustomError:
    return PydanticCustomError("remtui", "{why}", {"why": why})


def _language(value: str) -> str:
    if not value:
        return value  # "" = from the locale
    found = _LANGUAGE_ALIASES.get(value.lower())
    if found is None or found not in LANGUAGES:
        raise _refuse("no such language; use " + ALLOWED["language"])
    return found


@cache
def _currencies() -> frozenset[str]:
    from babel.numbers import list_currencies  # ~60 ms: only for a currency other than EUR

    return frozenset(list_currencies())


def _currency(value: str) -> str:
    code = value.strip().upper()
    if code != DEFAULT_CURRENCY and code not in _currencies():
        raise _refuse("not a currency Babel knows; use " + ALLOWED["currency"])
    return code


@cache
def _regions() -> frozenset[str]:
    import phonenumbers  # ~90 ms: only for a region other than PT

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def _region(value: str) -> str:
    code = value.strip().upper()
    if code != DEFAULT_REGION and code not in _regions():
        raise _refuse("not a region phonenumbers knows; use " + ALLOWED["phone_region"])
    return code


def _suggest(word: str, choices: Sequence[str]) -> str:
    import difflib  # only for a mistake

    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _binding_id(value: str) -> str:
    if value in keymap_ids.BINDING_IDS:
        return value
    ids = sorted(keymap_ids.BINDING_IDS)
    prefix = value.partition(".")[0] + "."
    same = [i for i in ids if i.startswith(prefix)]
    if same:
        allowed = f"the {prefix}* ids are {', '.join(same)}"
    else:
        prefixes = sorted({i.partition(".")[0] + "." for i in ids})
        allowed = f"ids start with {', '.join(prefixes)}"
    raise _refuse(f"no binding has this id{_suggest(value, ids)}; {allowed}")


def _keys(value: str) -> str:
    keys = [k.strip() for k in value.split(",")]
    if not all(k and not any(ch.isspace() for ch in k) for k in keys):
        raise _refuse("use " + ALLOWED["keymap.*"])
    return value


def _prefix(value: str) -> str:
    if not 1 <= len(value) <= PREFIX_MAX or not set(value) <= _PREFIX_CHARS:
        raise _refuse("use " + ALLOWED["document_prefixes.*"])
    return value


def _text(check: Callable[[str], str] | None = None) -> cs.CoreSchema:
    schema = cs.str_schema(strict=True)
    return cs.no_info_after_validator_function(check, schema) if check else schema


def _table(fields: dict[str, cs.CoreSchema]) -> cs.CoreSchema:
    return cs.typed_dict_schema(
        {name: cs.typed_dict_field(schema, required=False) for name, schema in fields.items()},
        extra_behavior="forbid",
        strict=True,
    )


SCHEMA = _table(
    {
        "language": _text(_language),
        "currency": _text(_currency),
        "phone_region": _text(_region),
        "export_dir": _text(),
        "db": _text(),
        "store": _table({"url": _text(), "path": _text(), "group": _text()}),
        "keymap": cs.dict_schema(_text(_binding_id), _text(_keys), strict=True),
        "document_prefixes": _table({series: _text(_prefix) for series in DOCUMENT_SERIES}),
        "sms": _table(
            {
                "gateway": cs.literal_schema(list(SMS_GATEWAYS)),
                "command": cs.list_schema(_text(), strict=True),
                "timeout_seconds": cs.int_schema(strict=True, ge=1, le=TIMEOUT_MAX),
            }
        ),
    }
)
# The keys of each table, for "what is allowed" in the messages.
TABLE_KEYS = {
    "": sorted(SCHEMA["fields"]),
    "store": ["url", "path", "group"],
    "document_prefixes": list(DOCUMENT_SERIES),
    "sms": ["gateway", "command", "timeout_seconds"],
}


@cache
def _validator() -> SchemaValidator:
    return SchemaValidator(SCHEMA)


def _value(value: Any) -> str:
    """A value as TOML would show it, cut short."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(value, float):
        text = {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(str(value), repr(value))
    elif isinstance(value, dict):
        text = "a table"
    else:
        text = repr(value)
    return safe_text(text, single_line=True, limit=60)


def _key(path: Sequence[str]) -> str:
    """keymap."clients.new": the dotted path, quoting the names that need it."""
    return ".".join(p if p.replace("_", "").isalnum() else _value(p) for p in path)


def _allowed(path: Sequence[str]) -> str:
    name = ".".join(path)
    wild = ".".join([*path[:-1], "*"]) if path else ""
    text = ALLOWED.get(name) or ALLOWED.get(wild) or ""
    return text.format(keys=", ".join(TABLE_KEYS.get(name, [])))


def _message(where: str, error: Any, *, env: bool = False) -> str:
    loc = [str(part) for part in error["loc"]]
    if loc and loc[-1] == "[key]":  # a name in [keymap] that is not a binding id
        loc = loc[:-1]
        return f"{where}: {_key(loc)}: {error['msg']}"
    if error["type"] == "extra_forbidden":
        table = loc[:-1]
        known = TABLE_KEYS.get(".".join(table), [])
        here = f"in [{'.'.join(table)}]" if table else "at the top"
        return f"{where}: {_key(loc)}: not a setting {here}{_suggest(loc[-1], known)}; " + _allowed(
            table
        )
    if env:  # REMTUI_CURRENCY="XYZ": ...
        var = next((v for v, keys in ENV_VARS.items() if list(keys) == loc), "REMTUI_*")
        subject = f"{var}={_value(error['input'])}"
    else:
        subject = f"{where}: {_key(loc)} = {_value(error['input'])}"
    if error["type"] == "remtui":
        return f"{subject}: {error['msg']}"
    return f"{subject}: must be {_allowed(loc)}"


def check_source(where: str, raw: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """``raw`` checked and cleaned (codes upper-cased, language aliases resolved); each
    mistake appended to ``problems``, naming ``where``."""
    try:
        return dict(_validator().validate_python(raw))
    except ValidationError as exc:
        order = {key: n for n, key in enumerate(raw)}  # as the file has them
        errors = sorted(exc.errors(include_url=False), key=lambda e: order.get(str(e["loc"][0]), 0))
    problems.extend(_message(where, e, env=where == ENVIRONMENT) for e in errors)
    # The rest still counts for the checks across sources (a key bound twice).
    rest = _without(raw, [[str(p) for p in e["loc"] if p != "[key]"][:2] for e in errors])
    try:
        return dict(_validator().validate_python(rest))
    except ValidationError:
        return {}


def _without(raw: dict[str, Any], paths: list[list[str]]) -> dict[str, Any]:
    """A copy of ``raw`` without the entries at ``paths`` (table, key or table.key)."""
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}
    for path in paths:
        table = out.get(path[0]) if len(path) == 2 else None
        if isinstance(table, dict):
            table.pop(path[1], None)
        else:
            out.pop(path[0], None)
    return out


def _keymap_problems(
    sources: Sequence[tuple[str, dict[str, Any]]], keymap: dict[str, str]
) -> list[str]:
    origin = {i: where for where, raw in sources for i in raw.get("keymap", {})}
    problems = []
    for (key, ids), places in keymap_ids.clashes(keymap).items():
        remapped = [i for i in ids if i in keymap]
        first = remapped[0]
        others = [i for i in ids if i != first]
        shown = ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
        also = [
            f"{i} (from {origin[i]})" if i in keymap and origin[i] != origin[first] else i
            for i in others
        ]
        problems.append(
            f"{origin[first]}: keymap.{_value(first)} = {_value(keymap[first])}: "
            f"{safe_text(key, single_line=True, limit=30)} is also {' and '.join(also)} "
            f"in {shown}; give each binding a key of its own"
        )
    return problems


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def check_sources(
    sources: Sequence[tuple[str, dict[str, Any]]], problems: list[str]
) -> dict[str, Any]:
    """Every source checked, then merged in order; the merged keymap checked for clashes."""

    shown = [(safe_text(where, single_line=True, limit=300), raw) for where, raw in sources]
    cleaned = [(where, check_source(where, raw, problems)) for where, raw in shown]
    merged: dict[str, Any] = {}
    for _where, raw in cleaned:
        merged = _merge(merged, raw)
    problems.extend(_keymap_problems(cleaned, merged.get("keymap", {})))
    sms = merged.get("sms", {})
    if sms.get("gateway") == "command" and not any(c.strip() for c in sms.get("command", [])[:1]):
        where = next(w for w, raw in reversed(cleaned) if "gateway" in raw.get("sms", {}))
        problems.append(
            f'{where}: sms.gateway = "command" needs sms.command: the program to run, '
            'like ["/usr/local/bin/send-sms"]'
        )
    return merged
