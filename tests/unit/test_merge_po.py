"""scripts/merge_po.py on a real git merge of two branches that both added texts to one catalogue."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cagette import i18n
from cagette.i18n_extract import add, dumps, new_catalogue

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "merge_po.py"


def _po(entries: dict[str, str | list[str]]) -> bytes:
    cat = new_catalogue("tui", "fr")
    for key, value in entries.items():
        add(cat, key, value)
    return dumps(cat)


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(repo), *args], check=check, capture_output=True, text=True, env=env)


def _branches(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    repo.mkdir()
    po = repo / "fr" / "LC_MESSAGES" / "tui.po"
    po.parent.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    po.write_bytes(_po({"Back": "Retour", "Quit": ""}))
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "checkout", "-qb", "other")
    po.write_bytes(_po({"Back": "Retour", "Lights": "Lumières", "Quit": "Quitter",
                        "{n} frame\0{n} frames": ["{n} image", "{n} images"]}))
    _git(repo, "commit", "-qam", "other")
    _git(repo, "checkout", "-q", "main")
    po.write_bytes(_po({"Back": "Retour", "Sound": "Son", "Quit": "", "Scenes": ""}))
    _git(repo, "commit", "-qam", "main")
    return repo, po


def _check_union(po: Path) -> None:
    entries = i18n.parse_po(po.read_text(encoding="utf-8"))
    assert entries == {"Back": "Retour", "Quit": "Quitter", "Sound": "Son", "Lights": "Lumières",
                       "{n} frame\0{n} frames": ["{n} image", "{n} images"]}
    assert "Scenes" in {i18n.key_of(m) for m in i18n.read_catalogue(po, "fr") if m.id}  # kept, still to translate
    subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po)], check=True)


def test_a_conflicted_catalogue_is_resolved_to_the_union(tmp_path: Path) -> None:
    repo, po = _branches(tmp_path)
    merged = _git(repo, "merge", "other", check=False)
    assert merged.returncode != 0 and "<<<<<<<" in po.read_text(encoding="utf-8")  # git could not merge it
    subprocess.run([sys.executable, str(SCRIPT), "--conflicted", str(po)], check=True)
    _check_union(po)


def test_as_git_merge_driver(tmp_path: Path) -> None:
    repo, po = _branches(tmp_path)
    _git(repo, "config", "merge.po.driver", f"{sys.executable} {SCRIPT} %O %A %B")
    (repo / ".git" / "info" / "attributes").write_text("*.po merge=po\n")
    _git(repo, "merge", "-q", "other", "-m", "merged")  # no conflict left
    _check_union(po)


def test_unbalanced_markers_are_refused(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text('<<<<<<< HEAD\nmsgid "a"\nmsgstr ""\n', encoding="utf-8")
    got = subprocess.run([sys.executable, str(SCRIPT), "--conflicted", str(po)], capture_output=True, text=True)
    assert got.returncode == 2 and "unbalanced" in got.stderr
    assert po.read_text(encoding="utf-8").startswith("<<<<<<<")  # left as it was
