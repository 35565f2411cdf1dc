"""Settings, atomic files, locks, progress and catalogues."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cagette import i18n, locations, settings
from cagette.errors import Cancelled, SettingsError, UsageError
from cagette.fsutil import FileLock, LockedError, atomic_write_text, atomic_writer, staged_dir
from cagette.progress import CancelToken, Progress, ProgressEvent, format_duration


def test_settings_defaults_and_types(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[general]\nlang = "en"\n[video]\nwords_per_minute = 150\n[sync]\ntimeout_s = 5\n', encoding="utf-8")
    s = settings.load(path)
    assert s.general.lang == "en" and s.video.words_per_minute == 150
    assert s.sync.timeout_s == 5.0 and isinstance(s.sync.timeout_s, float)
    assert s.serve.port == 8470 and s.capture.phone_port == 8471 and s.web.port == 8472


@pytest.mark.parametrize("text, needle", [
    ("[video]\nwords_per_minute = 'fast'\n", "words_per_minute"),
    ("[video]\nwpm = 3\n", "wpm"),
    ("[nope]\nx = 1\n", "nope"),
    ("video = 3\n", "video"),
    ("[library]\nseed_starter = 1\n", "seed_starter"),
])
def test_settings_refuse_bad_keys(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        settings.load(path)
    assert needle in info.value.message
    assert info.value.hint
    assert info.value.exit_code == 2


def test_locations_follow_cagette_home(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert locations.settings_file() == isolated_home / "settings.toml"
    assert locations.library_dir().path == isolated_home / "library"
    assert not locations.library_dir().explicit
    monkeypatch.setenv("CAGETTE_LIBRARY", "/tmp/lib-env")
    assert locations.library_dir().path == Path("/tmp/lib-env") and locations.library_dir().explicit
    assert locations.library_dir("/tmp/lib-opt").source == "option"
    monkeypatch.delenv("CAGETTE_LIBRARY")
    monkeypatch.delenv("CAGETTE_HOME")
    assert locations.library_dir().source == "default"
    assert locations.font_path().is_file()


def test_atomic_writer_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    atomic_write_text(target, "first")
    with pytest.raises(RuntimeError), atomic_writer(target, "w") as fh:
        fh.write("half")
        raise RuntimeError("boom")
    assert target.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_staged_dir_replaces_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_dir(out) as stage:
        (stage / "x").write_text("1")
    assert (out / "x").read_text() == "1"
    with pytest.raises(UsageError), staged_dir(out):
        pass
    with pytest.raises(KeyboardInterrupt), staged_dir(out, force=True) as stage:
        (stage / "y").write_text("2")
        raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == ["x"]
    with staged_dir(out, force=True) as stage:
        (stage / "z").write_text("3")
    assert sorted(p.name for p in out.iterdir()) == ["z"]


_AT_CREATION = """
import os, signal, sys
from pathlib import Path
from cagette import fsutil
signal.signal(signal.SIGINT, signal.default_int_handler)
folder = Path(sys.argv[1])
def hook(frame, event, arg):
    # a real Ctrl-C the instant the temporary file or folder exists: as the system call that made it returns
    if (event == "c_return" and frame.f_code.co_name in ("_mkstemp_inner", "mkdtemp")
            and getattr(arg, "__name__", "") in ("open", "mkdir")):
        sys.setprofile(None)
        os.kill(os.getpid(), signal.SIGINT)
sys.setprofile(hook)
try:
    {call}
    print("not interrupted")
except KeyboardInterrupt:
    print("interrupted")
sys.setprofile(None)
print(sorted(p.name for p in folder.iterdir()))
"""


@pytest.mark.parametrize("call", ["fsutil.atomic_write_text(folder / 'a.txt', 'x')",
                                  "with fsutil.staged_dir(folder / 'out'): pass",
                                  "with fsutil.scratch_dir('work-', folder): pass"])
def test_a_ctrl_c_the_moment_a_temporary_is_made_leaves_nothing(tmp_path: Path, call: str) -> None:
    """The temporary's name is known to the cleanup before any signal can be raised after it exists."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", _AT_CREATION.format(call=call), str(tmp_path)], capture_output=True,
                       text=True)
    assert r.stdout.split("\n")[:2] == ["interrupted", "[]"], (r.stdout, r.stderr)


def _hold_lock(path: str, ready: multiprocessing.synchronize.Event, release: multiprocessing.synchronize.Event) -> None:
    with FileLock(Path(path)):
        ready.set()
        release.wait(10)


def test_file_lock_excludes_another_process(tmp_path: Path) -> None:
    lock_path = tmp_path / "lock"
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(str(lock_path), ready, release))
    proc.start()
    try:
        assert ready.wait(20)
        with pytest.raises(LockedError) as info:
            FileLock(lock_path, timeout=0.3, what="the library").acquire()
        assert "the library" in info.value.message
    finally:
        release.set()
        proc.join(10)
    with FileLock(lock_path, timeout=2):
        pass


def test_progress_eta_and_cancel() -> None:
    events: list[ProgressEvent] = []
    token = CancelToken()
    now = [100.0]
    progress = Progress(events.append, token, min_interval_s=0, clock=lambda: now[0])
    progress.start("render", total=10, unit="s")
    now[0] += 4.0  # half the work in 4 s of the controlled clock: 4 s left
    progress.update(5)
    last = events[-1]
    assert last.fraction == 0.5 and last.eta_s == pytest.approx(4.0)
    token.cancel()
    with pytest.raises(Cancelled) as info:
        progress.advance(1)
    assert info.value.exit_code == 130
    assert format_duration(65) == "1:05" and format_duration(3723) == "1:02:03" and format_duration(None) == "--:--"


_HELD = """
import os, signal, sys
from cagette.progress import interrupts_deferred
# the handler Python installs for Ctrl-C, whatever this process inherited (a job started with `&` by a
# non-interactive shell, or under nohup, inherits SIGINT ignored)
signal.signal(signal.SIGINT, signal.default_int_handler)
order = []
def stop(signum, frame):
    raise KeyboardInterrupt
signal.signal(signal.SIGTERM, stop)
try:
    with interrupts_deferred():
        os.kill(os.getpid(), signal.SIG{name})
        for _ in range(1000):  # the handler runs between these bytecodes, if it runs at all
            pass
        order.append("block ended")
except KeyboardInterrupt:
    order.append("interrupted")
print(",".join(order))
sys.exit(3 if signal.getsignal(signal.SIGINT) is signal.default_int_handler else 4)
"""


@pytest.mark.parametrize("name", ["INT", "TERM"])
def test_interrupts_are_held_until_the_native_import_ends(name: str) -> None:
    """A Ctrl-C during a kernel import is raised after it, in Python, and the handlers come back."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", _HELD.format(name=name)], capture_output=True, text=True)
    assert r.stdout.strip() == "block ended,interrupted", r.stderr
    assert r.returncode == 3, r.stderr


def test_an_ignored_ctrl_c_stays_ignored_through_a_deferred_block() -> None:
    """A process started with SIGINT ignored (nohup, `cmd &` in a script) keeps it so: nothing is raised."""
    import subprocess
    import sys

    script = """
import os, signal
from cagette.progress import interrupts_deferred
signal.signal(signal.SIGINT, signal.SIG_IGN)
with interrupts_deferred():
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(1000):
        pass
print("ignored" if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else "replaced")
"""
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (r.stdout.strip(), r.returncode) == ("ignored", 0), r.stderr


def test_catalogues_translate_and_switch() -> None:
    i18n.set_language("fr")
    assert i18n._("Cancelled.") == "Annulé."
    i18n.set_language("en")
    assert i18n._("Cancelled.") == "Cancelled."
    with pytest.raises(UsageError):
        i18n.set_language("xx")


def test_compiled_catalogue_matches_source(tmp_path: Path) -> None:
    import gettext

    written = i18n.build(tmp_path)
    fr = [p for p in written if "/fr/" in str(p)]
    assert fr
    for mo in fr:
        po = i18n.LOCALE_DIR / "fr" / "LC_MESSAGES" / mo.with_suffix(".po").name
        entries = i18n.parse_po(po.read_text(encoding="utf-8"))
        with mo.open("rb") as fh:
            tr = gettext.GNUTranslations(fh)
        for key, value in entries.items():
            if isinstance(value, list):  # a plural entry: French's singular covers 0 and 1
                singular, _sep, plural = key.partition("\0")
                assert [tr.ngettext(singular, plural, n) for n in (0, 1, 2)] == [value[0], value[0], value[1]]
            else:
                assert tr.gettext(key) == value


@hypothesis_settings(deadline=None)  # no clock in tests: Babel is slower than the old hand-written parser
@given(st.dictionaries(st.text(min_size=1).filter(lambda s: "\x00" not in s),
                       st.text(min_size=1).filter(lambda s: "\x00" not in s), max_size=20))
def test_po_round_trip(entries: dict[str, str]) -> None:
    from cagette.i18n_extract import add, dumps, new_catalogue

    cat = new_catalogue("area", "fr")
    for k, v in entries.items():
        add(cat, k, v)
    assert i18n.parse_po(dumps(cat).decode("utf-8")) == entries


def test_environment_unchanged() -> None:
    assert os.environ["CAGETTE_LANG"] == "en"


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "a.txt", "x")
    mask = os.umask(0o022)
    os.umask(mask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o666 & ~mask
    with staged_dir(tmp_path / "kit") as stage:
        (stage / "f").write_text("1")
    assert (tmp_path / "kit").stat().st_mode & 0o777 == 0o777 & ~mask


async def test_language_override_is_per_task() -> None:
    import asyncio

    i18n.set_language("en")
    seen: dict[str, str] = {}

    async def speak(lang: str) -> None:
        with i18n.language(lang):
            await asyncio.sleep(0.01)
            seen[lang] = i18n._("Cancelled.")

    await asyncio.gather(speak("fr"), speak("en"))
    assert seen == {"fr": "Annulé.", "en": "Cancelled."}
    assert i18n.current_language() == "en"
