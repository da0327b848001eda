"""The run folder swap (model/results/run_folder.py): all of one run or none of it.

In-process checks of each step; tests/test_cli_output.py kills real runs at these steps.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

import model.results.run_folder as runfolder
from model.errors import OutputError
from model.results.run_folder import MANIFEST, RunFolder


def _write_run(folder: RunFolder, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (folder.staging / name).write_text(text)
    return folder.commit("hash-1", "python -m model.run x.yaml", ["x.yaml"])


def _hidden(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("."))


def test_first_run_is_renamed_in_with_a_manifest(tmp_path) -> None:
    root = tmp_path / "a" / "b"  # created on the way
    with RunFolder.open(root, "park") as folder:
        assert not folder.had_previous
        names = _write_run(folder, {"results.nc": "R", "x.csv": "1,2\n"})
    assert names == ["results.nc", "x.csv", MANIFEST]
    target = root / "park"
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "results.nc", "x.csv"]
    manifest = json.loads((target / MANIFEST).read_text())
    assert manifest["input_hash"] == "hash-1" and manifest["argv"] == ["x.yaml"]
    assert manifest["command"] == "python -m model.run x.yaml"
    assert manifest["created_utc"].endswith("+00:00")
    for entry in manifest["files"]:  # sizes and digests recomputed here
        data = (target / entry["name"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert _hidden(root) == [], "no lock file, staging or old folder is left"


@pytest.mark.parametrize("exchange", [True, False], ids=["rename-exchange", "fallback"])
def test_second_run_replaces_the_whole_folder(tmp_path, monkeypatch, exchange) -> None:
    with RunFolder.open(tmp_path, "park") as folder:
        _write_run(folder, {"results.nc": "old", "frontier.nc": "old study"})
    real_exchange, used = runfolder._exchange, []

    def recorded(a, b):
        used.append(real_exchange(a, b) if exchange else False)
        return used[-1]

    monkeypatch.setattr(runfolder, "_exchange", recorded)
    with RunFolder.open(tmp_path, "park") as folder:
        assert folder.had_previous
        _write_run(folder, {"results.nc": "new"})
    if exchange and used != [True]:
        pytest.skip("this platform or file system has no RENAME_EXCHANGE")
    target = tmp_path / "park"
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "results.nc"]
    assert (target / "results.nc").read_text() == "new"
    assert _hidden(tmp_path) == []


def test_run_without_commit_leaves_previous_run_and_removes_what_it_made(tmp_path) -> None:
    root = tmp_path / "new"
    with RunFolder.open(root, "park") as folder:
        (folder.staging / "results.nc").write_text("half")
    assert not root.exists(), "a failed first run leaves no folder behind"
    with RunFolder.open(root, "park") as folder:
        _write_run(folder, {"results.nc": "good"})
    with RunFolder.open(root, "park") as folder:
        (folder.staging / "results.nc").write_text("half")
    assert (root / "park" / "results.nc").read_text() == "good"
    assert _hidden(root) == []


def test_half_done_fallback_swap_is_undone_by_the_next_run(tmp_path) -> None:
    """A run killed between the two renames of the fallback swap leaves the previous run
    under `.park.old-<hex>` and its own complete staging folder: the next run puts the
    previous run back and removes the rest."""
    with RunFolder.open(tmp_path, "park") as folder:
        _write_run(folder, {"results.nc": "previous"})
    (tmp_path / "park").rename(tmp_path / ".park.old-0123456789ab")
    staging = tmp_path / ".park.staging-ba9876543210"
    staging.mkdir()
    (staging / "results.nc").write_text("killed run")
    with RunFolder.open(tmp_path, "park") as folder:
        assert folder.had_previous
    assert (tmp_path / "park" / "results.nc").read_text() == "previous"
    assert _hidden(tmp_path) == []


def test_second_run_into_a_locked_folder_is_refused(tmp_path) -> None:
    with RunFolder.open(tmp_path, "park"):
        with pytest.raises(OutputError) as refused:
            RunFolder.open(tmp_path, "park")
        message = str(refused.value)
        assert message.startswith(f"command line: --out {tmp_path}: another ParkCP run")
        assert f"(process {os.getpid()})" in message
        with RunFolder.open(tmp_path, "other-park"):  # another run folder: no conflict
            pass
    with RunFolder.open(tmp_path, "park"):  # free again
        pass


def test_out_that_is_a_file_or_under_a_file_is_refused(tmp_path) -> None:
    afile = tmp_path / "f"
    afile.write_text("x")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        RunFolder.open(afile, "park")
    with pytest.raises(OutputError, match="part of the path is a file"):
        RunFolder.open(afile / "sub", "park")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "park").write_text("x")
    with pytest.raises(OutputError, match="park there is a file, not a folder"):
        RunFolder.open(tmp_path / "out", "park")
    assert _hidden(tmp_path / "out") == []
    assert afile.read_text() == "x"
