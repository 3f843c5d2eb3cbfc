"""What is installed is what the app needs: phonenumberslite (phonenumbers' API without the
42 MB of geocoding and carrier data the app never reads)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_phonenumbers_comes_from_phonenumberslite():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0] for dep in project["dependencies"]]
    assert "phonenumberslite" in names and "phonenumbers" not in names
    lock = (ROOT / "uv.lock").read_text()
    assert 'name = "phonenumberslite"' in lock and 'name = "phonenumbers"' not in lock
    assert importlib.metadata.distribution("phonenumberslite")
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution("phonenumbers")
    # The lite package ships no geocoding, carrier or time-zone data at all.
    spec = importlib.util.find_spec("phonenumbers")
    assert spec is not None and spec.origin is not None
    package = Path(spec.origin).parent
    for data in ("geodata", "carrierdata", "tzdata"):
        assert not (package / data).exists(), data
    size = sum(f.stat().st_size for f in package.rglob("*") if f.is_file())
    assert size < 10_000_000  # phonenumbers with its data is over 40 MB


def test_nothing_reads_geocoding_or_carrier_data():
    pattern = re.compile(r"phonenumbers\s*(\.|import\s.*)\b(geocoder|carrier|timezone)\b")
    for path in (ROOT / "src").rglob("*.py"):
        assert not pattern.search(path.read_text()), path
