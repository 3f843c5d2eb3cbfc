"""Settings: site file, user file, REMTUI_* variables, in that order; nothing at import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from remtui.config import ConfigError, load_settings


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
    assert out.strip() == f"sqlite:///{tmp_path / 'data' / 'store.sqlite3'}"
    out = subprocess.run(
        [sys.executable, "-m", "remtui", "locate", "config"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(tmp_path / "config.toml") in out
    assert not Path(tmp_path / "data").exists()  # locating creates nothing
