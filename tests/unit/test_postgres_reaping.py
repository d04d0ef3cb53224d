"""The test tooling's PostgreSQL servers: a run killed before it stopped its server leaves a data folder
of several GB (and the server), which the next run deletes, while another run's live server stays."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.postgres import OWNER_FILE, PREFIX, _process, reap_orphans


def _folder(temp: Path, name: str, owner: str | None, age_s: float = 0) -> Path:
    root = temp / f"{PREFIX}{name}"
    (root / "data").mkdir(parents=True)
    (root / "data" / "base").write_bytes(b"x" * 1024)
    if owner is not None:
        (root / OWNER_FILE).write_text(owner)
    then = time.time() - age_s
    os.utime(root, (then, then))
    return root


def _ended_process() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    identity = _process(child.pid)
    child.wait()
    assert identity is not None
    return identity


def test_a_dead_runs_folder_is_deleted_and_a_live_runs_kept(tmp_path: Path) -> None:
    mine = _process(os.getpid())
    assert mine is not None
    live = _folder(tmp_path, "live", mine)
    dead = _folder(tmp_path, "dead", _ended_process())
    assert reap_orphans(tmp_path) == [dead]
    assert live.exists()
    assert not dead.exists()


def test_a_reused_process_id_is_not_taken_for_the_run_that_had_it(tmp_path: Path) -> None:
    pid = os.getpid()
    impostor = _folder(tmp_path, "reused", f"{pid} 1")  # this id, but a start time that is not this process's
    assert reap_orphans(tmp_path) == [impostor]


def test_a_folder_without_owner_goes_only_when_old_and_without_a_running_server(tmp_path: Path) -> None:
    fresh = _folder(tmp_path, "fresh", None)
    old = _folder(tmp_path, "old", None, age_s=3600)
    serving = _folder(tmp_path, "serving", None, age_s=3600)
    (serving / "data" / "postmaster.pid").write_text(f"{os.getpid()}\n/data\n")  # a process that runs
    assert reap_orphans(tmp_path) == [old]
    assert fresh.exists()
    assert serving.exists()
