"""The source registry: the contracts kept with the deployment, and which of them may be used.

The folder is ``TOWNHALL_DATAHUB_SOURCES`` (the contracts shipped with Townhall by default). A contract that
does not validate (no lawful basis, no purpose, ...) is still listed, with its problem, so an operator sees
it; it cannot be ingested or linked until it is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from townhall.datahub.contracts import ContractError, SourceContract, parse_contract
from townhall.platform.errors import InvalidInput, NotFound


@dataclass(frozen=True, slots=True)
class RegisteredSource:
    """A contract file: its source name, and either the valid contract or the reason it cannot be used."""

    name: str
    file_name: str
    contract: SourceContract | None
    problem: str | None = None


def _contract_files(folder: Path | None) -> list[tuple[str, str]]:
    if folder is None:
        bundled = resources.files("townhall.datahub").joinpath("sources")
        return sorted(
            (item.name, item.read_text(encoding="utf-8")) for item in bundled.iterdir() if item.name.endswith(".toml")
        )
    if not folder.is_dir():
        raise InvalidInput(f"The data hub sources folder {folder} does not exist (TOWNHALL_DATAHUB_SOURCES).")
    return sorted((path.name, path.read_text(encoding="utf-8")) for path in folder.glob("*.toml"))


def source_registry(folder: Path | None = None) -> dict[str, RegisteredSource]:
    """Every contract in ``folder`` (the shipped contracts when None), by source name, valid or not."""
    registry: dict[str, RegisteredSource] = {}
    for file_name, text in _contract_files(folder):
        try:
            contract = parse_contract(text, origin=file_name)
        except ContractError as error:
            name = Path(file_name).stem
            registry[name] = RegisteredSource(name, file_name, None, str(error))
            continue
        registry[contract.name] = RegisteredSource(contract.name, file_name, contract)
    return registry


def usable_contract(registry: dict[str, RegisteredSource], source: str) -> SourceContract:
    """The contract of ``source`` if it may be used; otherwise a clear error saying why not."""
    registered = registry.get(source)
    if registered is None:
        known = ", ".join(sorted(registry)) or "none"
        raise NotFound(f"There is no data hub source called '{source}'. Sources: {known}.")
    if registered.contract is None:
        raise InvalidInput(
            f"The source '{source}' cannot be used until its contract ({registered.file_name}) is fixed: "
            f"{registered.problem}"
        )
    return registered.contract


def usable_contracts(registry: dict[str, RegisteredSource], sources: list[str]) -> dict[str, SourceContract]:
    """The contracts of ``sources``; the first source that may not be used raises a clear error."""
    return {source: usable_contract(registry, source) for source in sources}
