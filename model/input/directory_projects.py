"""`projects: {directory: {...}}`: candidate projects generated while a scenario loads.

A scenario may write its projects as

    projects:
      directory: {sectors: [electroplating], range: central}   # model.input.candidates
      csv: my_projects.csv          # optional hand-written rows (or xlsx: + sheet:,
                                    # or rows: [ {id: ..., owner: ..., ...}, ... ])

The loader keeps this mapping through `extends`, `overrides`, named sets and `--set`
(so `--set projects.directory.range=low` works), and `expand_directory_projects` turns
it into one list just before validation: the hand-written rows first, then every
generated row whose id no hand-written row uses (a hand-written row with the same id
wins). The enterprises and the registry are validated first, on their own, since the
generator reads them; if they are invalid the hand-written rows alone go on to the
normal validation, which reports the problem.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from model.errors import ParkCPError
from model.formatting import suggest
from model.input.candidates import CandidateSet, DirectoryRequest, generate_candidates
from model.input.directory import load_directory
from model.input.messages import pydantic_message
from model.input.origins import MergedInput, Origin
from model.input.registry import Registry, build_registry
from model.input.schema import Scenario
from model.input.table_files import parse_table_spec, read_table

__all__ = ["HAND_KEYS", "expand_directory_projects", "candidates_for"]

HAND_KEYS = ("csv", "xlsx", "sheet", "rows")
"""Keys beside `directory` that give the hand-written projects."""

SHAPE = "projects: {directory: {...}, csv: FILE | xlsx: FILE, sheet: NAME | rows: [...]}"


def candidates_for(
    scenario: Scenario, registry: Registry, request: DirectoryRequest, folder: Path
) -> CandidateSet:
    """The candidates of a validated scenario's inventory (`request.file` is relative to
    `folder`, the scenario file's folder)."""
    directory = load_directory(folder / request.file if request.file else None)
    return generate_candidates(
        scenario.enterprises,
        directory,
        request,
        {k: v.medium for k, v in registry.pollutants.items()},
        {k: v.unit for k, v in registry.carriers.items()},
        {k: v.tce_per_unit for k, v in registry.carriers.items()},
    )


def _hand_rows(ctx: MergedInput, spec: dict, origin: Origin) -> list:
    """The hand-written rows, marking a table's origin so errors name its rows."""
    tables = {k: spec[k] for k in ("csv", "xlsx", "sheet") if k in spec}
    if tables and "rows" in spec:
        raise ctx.error(("projects", "rows"), "give either a table (csv/xlsx) or rows, not both")
    if tables:
        ref = parse_table_spec("projects", tables, origin.folder or Path("."), origin.file)
        rows, numbers = read_table(ref)
        ctx.mark(("projects",), Origin(ref.label, table=ref, rows=tuple(numbers)))
        return rows
    rows = spec.get("rows", [])
    if not isinstance(rows, list):
        raise ctx.error(("projects", "rows"), "must be a list of projects")
    return rows


def expand_directory_projects(ctx: MergedInput) -> CandidateSet | None:
    """Replace a `projects: {directory: ...}` mapping by the list of projects (see the
    module docstring); returns the generated set (before hand-written rows replace
    any), or None when the scenario asks for none."""
    spec = ctx.merged.get("projects")
    if not (isinstance(spec, dict) and "directory" in spec):
        return None
    origin, _ = ctx.origin(("projects",))
    for key in spec:
        if key != "directory" and key not in HAND_KEYS:
            raise ctx.error(("projects", key), f"unknown key '{key}' ({SHAPE})")
    try:
        request = DirectoryRequest.model_validate(spec["directory"] or {})
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        loc, message = pydantic_message(first)
        if first["type"] == "extra_forbidden":  # words the Scenario schema cannot know
            key = str(first["loc"][-1])
            fields = list(DirectoryRequest.model_fields)
            hint = suggest(key, fields) or f" (allowed: {', '.join(fields)})"
            message = f"unknown key '{key}'{hint}"
        raise ctx.error(("projects", "directory", *loc), message) from None
    folder = ctx.origin(("projects", "directory", "file"))[0].folder or Path(".")
    hand = _hand_rows(ctx, spec, origin)
    ctx.merged["projects"] = hand
    try:
        scenario = Scenario.model_validate({**ctx.merged, "projects": []})
        registry = build_registry(scenario)
    except (ValidationError, ParkCPError):
        return None  # the normal validation reports it
    if request.file and not (folder / request.file).is_file():
        raise ctx.error(("projects", "directory", "file"), f"file not found: {request.file}")
    candidates = candidates_for(scenario, registry, request, folder)
    written = {row.get("id") for row in hand if isinstance(row, dict)}
    generated = [row for row in candidates.projects if row["id"] not in written]
    note = Origin(f"{origin.file} (projects.directory)", folder, "generated from the directory")
    for index in range(len(hand), len(hand) + len(generated)):
        ctx.mark(("projects", index), note)
    ctx.merged["projects"] = [*hand, *generated]
    return candidates
