from pathlib import Path

import pytest

from bot.regions import load_region
from domain.regions import Region, RegionFileError, normalize_name


def test_bundled_region_has_the_18_kecamatan_of_kutai_timur() -> None:
    region = load_region()
    assert region.district == "Kabupaten Kutai Timur"
    assert len(region.kecamatan) == 18
    assert region.kecamatan[0] == "Batu Ampar"
    assert "Sangatta Utara" in region.kecamatan


def test_find_ignores_case_and_spacing() -> None:
    region = load_region()
    assert region.find("muarawahau") == "Muara Wahau"
    assert region.find("TELUK pandan") == "Teluk Pandan"
    assert region.find("") is None
    assert region.find("Sangatta") is None
    assert normalize_name(" Long-Mesangat ") == "longmesangat"


def test_custom_region_file(tmp_path: Path) -> None:
    path = tmp_path / "region.json"
    path.write_text('{"district": "Kota Bontang", "kecamatan": ["Bontang Utara"]}', "utf-8")
    assert load_region(path) == Region("Kota Bontang", ("Bontang Utara",))


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"district": "X"}',
        '{"district": "", "kecamatan": ["A"]}',
        '{"district": "X", "kecamatan": []}',
        '{"district": "X", "kecamatan": ["A", "a"]}',
        '{"district": "X", "kecamatan": [1]}',
    ],
)
def test_bad_region_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "region.json"
    path.write_text(text, "utf-8")
    with pytest.raises(RegionFileError):
        load_region(path)
