"""Playbook guidance: finding keys and page sections mapped to a playbook anchor and our note.

Data, edited without code: ``notes/*.yaml`` maps each key to ``anchor``, ``title`` and ``note``
(our own words; the playbook, CC BY 4.0, is credited on the attribution page); ``playbook.yaml``
lists its section anchors. Validated once, at import: a bad file fails naming path, key, field.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

PLAYBOOK_URL = "https://github.com/google-research/tuning_playbook"
OPEN_RESEARCH_BADGE = " (open research)"
DATA = Path(__file__).resolve().parent


class GuidanceDataError(ValueError):
    """A guidance data file is malformed; the message names the file, the key and the field."""


@dataclass(frozen=True)
class Guidance:
    """What a finding or page section refers to: a playbook anchor, a title and our own note."""

    anchor: str
    title: str
    note: str

    @property
    def url(self) -> str:
        return playbook_url(self.anchor)


class _Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    anchors: list[str] = Field(min_length=1)
    open_research: list[str] = []

    @field_validator("open_research")
    @classmethod
    def _known(cls, v: list[str], info: ValidationInfo) -> list[str]:
        if unknown := sorted(set(v) - set(info.data.get("anchors", ()))):
            raise ValueError(f"not in anchors: {', '.join(unknown)}")
        return v


class _Note(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    anchor: str
    title: str = Field(min_length=1)
    note: str = Field(min_length=1)

    @field_validator("anchor")
    @classmethod
    def _real_section(cls, v: str, info: ValidationInfo) -> str:
        if v not in info.context["anchors"]:
            raise ValueError(f"{v!r} is not a section anchor of the playbook (playbook.yaml)")
        return v


class _UniqueKeys(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A YAML loader that refuses a key given twice in one mapping (PyYAML keeps the last).

    LibYAML's parser when PyYAML has it (every command reads these notes at start)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                at = f"{key_node.start_mark.name}:{key_node.start_mark.line + 1}"
                raise GuidanceDataError(f"{at}: {key}: given twice in one mapping")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as f:
            data = yaml.load(f, Loader=_UniqueKeys)
    except yaml.YAMLError as e:
        raise GuidanceDataError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise GuidanceDataError(f"{path}: expected a mapping at the top level")
    return data


def _problem(path: Path, key: str | None, e: ValidationError) -> GuidanceDataError:
    err = e.errors()[0]
    where = [str(path), *([key] if key else []), ".".join(map(str, err["loc"])) or "(entry)"]
    return GuidanceDataError(f"{': '.join(where)}: {err['msg']}")


def load_playbook(folder: Path = DATA) -> tuple[frozenset[str], frozenset[str]]:
    """The playbook's section anchors and those marked open research."""
    path = Path(folder) / "playbook.yaml"
    try:
        pb = _Playbook.model_validate(_read(path))
    except ValidationError as e:
        raise _problem(path, None, e) from None
    return frozenset(pb.anchors), frozenset(pb.open_research)


def load_guidance(folder: Path = DATA) -> dict[str, Guidance]:
    """Every note in ``folder/notes/*.yaml`` (files by name, keys in file order), validated."""
    anchors, open_research = load_playbook(folder)
    out: dict[str, Guidance] = {}
    where: dict[str, Path] = {}  # the file of each key
    if not (files := sorted((Path(folder) / "notes").glob("*.yaml"))):
        raise GuidanceDataError(f"{Path(folder) / 'notes'}: no notes (*.yaml) found")
    for path in files:
        for key, entry in _read(path).items():
            if where.setdefault(key, path) != path:
                raise GuidanceDataError(f"{path}: {key}: already given in {where[key]}")
            try:
                n = _Note.model_validate(entry, context={"anchors": anchors})
            except ValidationError as e:
                raise _problem(path, key, e) from None
            badge = n.anchor in open_research and not n.title.endswith(OPEN_RESEARCH_BADGE)
            out[key] = Guidance(n.anchor, n.title + OPEN_RESEARCH_BADGE * badge, n.note)
    return out


@cache
def _packaged() -> tuple[frozenset[str], frozenset[str], dict[str, Guidance]]:
    return (*load_playbook(), load_guidance())


PLAYBOOK_ANCHORS, OPEN_RESEARCH, GUIDANCE = _packaged()


def playbook_url(anchor: str) -> str:
    """Deep link to one section of the playbook."""
    if anchor not in PLAYBOOK_ANCHORS:
        raise KeyError(f"{anchor!r} is not a section anchor of the playbook")
    return f"{PLAYBOOK_URL}#{anchor}"


def guidance(key: str) -> Guidance:
    """The guidance of a key; an unknown key fails with the list of known keys."""
    try:
        return GUIDANCE[key]
    except KeyError:
        raise KeyError(f"no guidance {key!r}; known: {', '.join(sorted(GUIDANCE))}") from None
