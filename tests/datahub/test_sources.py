from pathlib import Path

import pytest

from townhall.datahub.service.sources import source_registry, usable_contract
from townhall.platform.errors import InvalidInput, NotFound

SHIPPED = Path(__file__).parents[2] / "townhall" / "datahub" / "sources"


def test_the_shipped_registry_has_six_usable_sources() -> None:
    registry = source_registry()
    assert len(registry) == 6
    assert all(source.contract is not None for source in registry.values())
    assert usable_contract(registry, "council_tax").owning_service == "Revenues and Benefits"


def _folder_with(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / "council_tax.toml").write_text((SHIPPED / "council_tax.toml").read_text())
    (tmp_path / f"{name}.toml").write_text(text)
    return tmp_path


def test_a_source_without_a_lawful_basis_is_listed_but_cannot_be_used(tmp_path: Path) -> None:
    text = (SHIPPED / "housing_tenancies.toml").read_text()
    without_basis = text.split("[lawful_basis]")[0] + "[columns]" + text.split("[columns]", 1)[1]
    registry = source_registry(_folder_with(tmp_path, "housing_tenancies", without_basis))
    assert registry["housing_tenancies"].contract is None
    assert "lawful_basis" in (registry["housing_tenancies"].problem or "")
    with pytest.raises(InvalidInput, match="cannot be used until its contract"):
        usable_contract(registry, "housing_tenancies")
    assert usable_contract(registry, "council_tax").name == "council_tax"


def test_a_source_without_a_purpose_cannot_be_used(tmp_path: Path) -> None:
    text = (SHIPPED / "school_attendance.toml").read_text()
    start = text.index("purposes = [")
    no_purpose = text[:start] + "purposes = []" + text[text.index("]", start) + 1 :]
    registry = source_registry(_folder_with(tmp_path, "school_attendance", no_purpose))
    with pytest.raises(InvalidInput, match="purposes"):
        usable_contract(registry, "school_attendance")


def test_an_unknown_source_or_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no data hub source called 'parking'"):
        usable_contract(source_registry(), "parking")
    with pytest.raises(InvalidInput, match="does not exist"):
        source_registry(tmp_path / "missing")
