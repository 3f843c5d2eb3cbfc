"""Settings: site file, user file, REMTUI_* variables, in that order; nothing at import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remtui.config import ConfigError, SmsSettings, load_settings


def test_defaults(tmp_path):
    s = load_settings()
    assert s.currency == "EUR" and s.phone_region == "PT" and s.language == "en"
    assert s.db_url == f"sqlite:///{tmp_path / 'data' / 'store.sqlite3'}"


def test_site_then_user_then_env(tmp_path, monkeypatch):
    (tmp_path / "site.toml").write_text(
        'language = "pt_PT"\ncurrency = "usd"\n[store]\nurl = "/srv/shop.sqlite3"\n'
        '[keymap]\n"clients.new" = "f4"\n'
    )
    (tmp_path / "config.toml").write_text('currency = "GBP"\n')
    s = load_settings()
    assert (s.language, s.currency, s.db_url) == ("pt_PT", "GBP", "sqlite:////srv/shop.sqlite3")
    assert s.keymap == {"clients.new": "f4"} and s.locale == "pt_PT"
    monkeypatch.setenv("REMTUI_DB", "postgresql+psycopg://shop@/remtui")
    monkeypatch.setenv("REMTUI_LANGUAGE", "en")
    s = load_settings()
    assert s.db_url == "postgresql+psycopg://shop@/remtui" and s.language == "en"


def test_locale_chooses_portuguese(monkeypatch):
    monkeypatch.setenv("LANG", "pt_PT.UTF-8")
    assert load_settings().language == "pt_PT"


@pytest.mark.parametrize(
    "content",
    [
        'language = "klingon"\n',
        'currency = "EURO"\n',
        "not toml = = =\n",
        '[keymap]\n"a" = 1\n',
        '[sms]\ncommand = "sh -c x"\n',
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, content):
    (tmp_path / "config.toml").write_text(content)
    with pytest.raises(ConfigError):
        load_settings()


def test_locate_prints_paths(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "remtui", "locate", "db"], capture_output=True, text=True, check=True
    ).stdout
    # The file's path for SQLite (the README's restore recipe uses it), not a URL.
    assert out.strip() == str(tmp_path / "data" / "store.sqlite3")
    out = subprocess.run(
        [sys.executable, "-m", "remtui", "locate", "config"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(tmp_path / "config.toml") in out
    assert not Path(tmp_path / "data").exists()  # locating creates nothing


# --- the whole config is checked: one line per mistake, naming the file and the key -------


def problems_of(tmp_path: Path, user: str = "", site: str = "") -> list[str]:
    if user:
        (tmp_path / "config.toml").write_text(user)
    if site:
        (tmp_path / "site.toml").write_text(site)
    with pytest.raises(ConfigError) as err:
        load_settings()
    return err.value.problems


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            'langauge = "pt_PT"\n',
            "config.toml: langauge: not a setting at the top (did you mean language?); "
            "the settings are currency, db, document_prefixes, export_dir, keymap, "
            "language, phone_region, sms, store",
        ),
        (
            'currency = "XYZ"\n',
            'config.toml: currency = "XYZ": not a currency Babel knows; use a three-letter '
            "ISO 4217 code, like EUR, GBP or USD",
        ),
        (
            'phone_region = "ZZ"\n',
            'config.toml: phone_region = "ZZ": not a region phonenumbers knows; use a '
            "two-letter region code, like PT, ES or GB",
        ),
        ("store = 5\n", "config.toml: store = 5: must be a table ([store]) of url, path, group"),
        (
            "sms = 5\n",
            "config.toml: sms = 5: must be a table ([sms]) of gateway, command, timeout_seconds",
        ),
        (
            '[sms]\ntimeout_seconds = "abc"\n',
            'config.toml: sms.timeout_seconds = "abc": must be a whole number of seconds '
            "from 1 to 3600",
        ),
        (
            "[sms]\ntimeout_seconds = 1e400\n",
            "config.toml: sms.timeout_seconds = inf: must be a whole number of seconds "
            "from 1 to 3600",
        ),
        (
            "[sms]\ntimeout_seconds = 0\n",
            "config.toml: sms.timeout_seconds = 0: must be a whole number of seconds "
            "from 1 to 3600",
        ),
        (
            'language = "klingon"\n',
            'config.toml: language = "klingon": no such language; use "en" or "pt_PT"',
        ),
        ("language = 5\n", 'config.toml: language = 5: must be "en" or "pt_PT"'),
        (
            '[keymap]\n"clients.nwe" = "f4"\n',
            'config.toml: keymap."clients.nwe": no binding has this id (did you mean '
            "clients.new?); the clients.* ids are clients.audit, clients.first, "
            "clients.focus_search, clients.last, clients.new, clients.search_box",
        ),
        (
            '[keymap]\n"clients.new" = "ctrl+f"\n',
            'config.toml: keymap."clients.new" = "ctrl+f": ctrl+f is also '
            "clients.focus_search in ClientsScreen; give each binding a key of its own",
        ),
        (
            '[keymap]\n"balance.export" = "ctrl+q"\n',
            'config.toml: keymap."balance.export" = "ctrl+q": ctrl+q is also app.quit in '
            "BalanceTab; give each binding a key of its own",
        ),
        (
            '[keymap]\n"clients.new" = "f4, "\n',
            'config.toml: keymap."clients.new" = "f4, ": use a key like "f4" or "ctrl+n", '
            'or several separated by commas: "f4,ctrl+n"',
        ),
        (
            '[sms]\ngateway = "pigeon"\n',
            'config.toml: sms.gateway = "pigeon": must be "none" (messages stay queued) '
            'or "command"',
        ),
        (
            '[sms]\ngateway = "command"\n',
            'config.toml: sms.gateway = "command" needs sms.command: the program to run, '
            'like ["/usr/local/bin/send-sms"]',
        ),
        (
            '[document_prefixes]\ninvoice = "I-"\n',
            "config.toml: document_prefixes.invoice: not a setting in [document_prefixes]; "
            "a table ([document_prefixes]) of work_order, estimate, sale, lead, each = a prefix",
        ),
        (
            '[document_prefixes]\nsale = "S\\u001b[2J"\n',
            'config.toml: document_prefixes.sale = "S\u241b[2J": use a prefix of 1 to 10 '
            'letters, digits or - _ / . #, like "WO-"',
        ),
    ],
)
def test_each_mistake_is_one_line_naming_file_key_and_what_is_allowed(tmp_path, content, expected):
    assert problems_of(tmp_path, content) == [f"{tmp_path}/{expected}"]


def test_all_mistakes_at_once_from_every_source(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REMTUI_CURRENCY", "QQQ")
    problems = problems_of(
        tmp_path,
        user='langauge = "en"\n[keymap]\n"clients.new" = "ctrl+f"\n"nope" = "x"\n',
        site='store = 5\nsms = 5\n[keymap]\n"dialog.confirm" = "escape"\n',
    )
    site, user = f"{tmp_path}/site.toml", f"{tmp_path}/config.toml"
    assert [p.split(":")[0:2] for p in problems] == [
        [site, " store = 5"],
        [site, " sms = 5"],
        [user, " langauge"],
        [user, " keymap.nope"],
        [
            'REMTUI_CURRENCY="QQQ"',
            " not a currency Babel knows; use a three-letter ISO 4217 code, like EUR, GBP or USD",
        ],
        [site, ' keymap."dialog.confirm" = "escape"'],
        [user, ' keymap."clients.new" = "ctrl+f"'],
    ]
    # The CLI says so in one clear line per mistake, and starts nothing.
    from remtui.cli import main

    assert main(["locate", "db"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "remtui: configuration: 7 mistakes:"
    assert err[1:] == [f"  {p}" for p in problems]
    assert not (tmp_path / "data").exists()


def test_a_clash_across_files_names_both(tmp_path):
    problems = problems_of(
        tmp_path,
        site='[keymap]\n"clients.audit" = "f4"\n',
        user='[keymap]\n"clients.new" = "f4"\n',
    )
    assert problems == [
        f'{tmp_path}/site.toml: keymap."clients.audit" = "f4": f4 is also clients.new '
        f"(from {tmp_path}/config.toml) in ClientsScreen; give each binding a key of its own"
    ]


def test_a_swap_of_keys_and_a_remap_away_are_no_clash(tmp_path):
    (tmp_path / "site.toml").write_text('[keymap]\n"clients.focus_search" = "f4"\n')
    (tmp_path / "config.toml").write_text(
        '[keymap]\n"clients.new" = "ctrl+f"\n"dialog.confirm" = "f10,ctrl+s"\n'
    )
    assert load_settings().keymap == {
        "clients.focus_search": "f4",
        "clients.new": "ctrl+f",
        "dialog.confirm": "f10,ctrl+s",
    }


def test_environment_mistakes_name_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("REMTUI_PHONE_REGION", "ZZ")
    monkeypatch.setenv("REMTUI_LANGUAGE", "de")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert err.value.problems == [
        'REMTUI_LANGUAGE="de": no such language; use "en" or "pt_PT"',
        'REMTUI_PHONE_REGION="ZZ": not a region phonenumbers knows; use a two-letter region '
        "code, like PT, ES or GB",
    ]


def test_values_are_cleaned_and_a_full_config_loads(tmp_path):
    (tmp_path / "config.toml").write_text(
        'language = "pt"\ncurrency = "gbp"\nphone_region = "gb"\nexport_dir = "~/x"\n'
        '[store]\nurl = "/srv/s.sqlite3"\ngroup = "remtui"\n'
        '[document_prefixes]\nsale = "V-"\n'
        '[sms]\ngateway = "command"\ncommand = ["/bin/send", "-a"]\ntimeout_seconds = 30\n'
    )
    s = load_settings()
    assert (s.language, s.currency, s.phone_region) == ("pt_PT", "GBP", "GB")
    assert (s.store_group, s.export_dir, s.document_prefixes) == ("remtui", "~/x", {"sale": "V-"})
    assert s.sms == SmsSettings("command", ("/bin/send", "-a"), 30)


def test_hostile_text_in_a_config_is_shown_safely(tmp_path):
    problems = problems_of(tmp_path, '"\\u001b]0;pwned\\u0007" = 1\n')
    assert "\x1b" not in problems[0] and "\x07" not in problems[0]
    assert "␛]0;pwned␇" in problems[0]


def test_the_tables_match_the_code():
    from remtui.config_keys import DOCUMENT_SERIES, SMS_GATEWAYS
    from remtui.domain.numbering import DEFAULT_PREFIXES
    from remtui.domain.sms import GATEWAYS

    assert SMS_GATEWAYS == GATEWAYS and set(DOCUMENT_SERIES) == set(DEFAULT_PREFIXES)
    # The defaults skip the look-ups, so they must be in the libraries' lists.
    import phonenumbers
    from babel.numbers import list_currencies

    assert "EUR" in list_currencies() and "PT" in phonenumbers.SUPPORTED_REGIONS


def test_no_config_imports_no_validator():
    code = (
        "import sys; from remtui.config import load_settings; load_settings(); "
        "assert 'pydantic_core' not in sys.modules and 'remtui.config_check' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


_TOML_VALUES = st.recursive(
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.datetimes(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
_KEYS = st.sampled_from(
    [
        "language",
        "currency",
        "phone_region",
        "export_dir",
        "db",
        "store",
        "keymap",
        "sms",
        "document_prefixes",
        "langauge",
    ]
)
_SUBKEYS = st.sampled_from(
    [
        "url",
        "path",
        "group",
        "gateway",
        "command",
        "timeout_seconds",
        "clients.new",
        "sale",
        "lead",
        "x",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        _KEYS,
        _TOML_VALUES | st.dictionaries(_SUBKEYS, _TOML_VALUES, max_size=4),
        max_size=5,
    )
)
def test_any_toml_is_settings_or_clear_lines(raw):
    """Whatever a file holds (any TOML value at any key): Settings, or one line per mistake
    naming the file; never another exception."""
    from remtui.config import _build
    from remtui.config_check import check_sources

    problems: list[str] = []
    merged = check_sources([("f.toml", raw)], problems)
    if problems:
        for line in problems:
            assert line.startswith("f.toml: ") and "\n" not in line and "\x1b" not in line
    else:
        _build(merged)


def test_a_file_name_with_controls_is_shown_safely(tmp_path, monkeypatch):
    bad = tmp_path / "a\x1b]0;x\x07.toml"
    bad.write_text("currency = 5\n")
    monkeypatch.setenv("REMTUI_CONFIG", str(bad))
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert err.value.problems == [
        f"{tmp_path}/a␛]0;x␇.toml: currency = 5: "
        "must be a three-letter ISO 4217 code, like EUR, GBP or USD"
    ]
