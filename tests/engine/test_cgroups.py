"""A worker's groups and its process limit: the whole tree's limit only where its memory group
was made; the lower fallback wherever it was not (no silent loss of the tree's memory limit)."""

from __future__ import annotations

from pathlib import Path

from autograder.engine import Limits, cgroups
from autograder.engine.process import FALLBACK_NPROC, worker_groups

LIMITS = Limits(timeout=5, memory_mb=256)


def _plan(**dirs: Path) -> cgroups.Plan:
    return cgroups.Plan(dirs={role: str(path) for role, path in dirs.items()})


def test_with_a_memory_group_the_tree_keeps_its_process_limit(tmp_path):
    groups, nproc = worker_groups(LIMITS, _plan(memory=tmp_path, pids=tmp_path))
    assert groups is not None and nproc == LIMITS.nproc > FALLBACK_NPROC
    folder = Path(groups.dirs["memory"])
    assert (folder / "memory.limit_in_bytes").read_text() == str(256 * 2**20)
    assert (folder / "pids.max").read_text() == str(LIMITS.nproc)


def test_without_a_memory_group_the_process_limit_falls_back(tmp_path):
    groups, nproc = worker_groups(LIMITS, _plan(pids=tmp_path))
    assert groups is not None and nproc == FALLBACK_NPROC
    assert (Path(groups.dirs["pids"]) / "pids.max").read_text() == str(FALLBACK_NPROC)


def test_a_group_that_cannot_be_made_falls_back_too(tmp_path):
    groups, nproc = worker_groups(LIMITS, _plan(memory=tmp_path / "gone", pids=tmp_path / "gone"))
    assert groups is None and nproc == FALLBACK_NPROC
