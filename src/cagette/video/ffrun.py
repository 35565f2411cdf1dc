"""Running the ffmpeg binary: progress read from ``-progress pipe:1``, cancels and signals that leave no child.

ffmpeg runs in a session of its own, so a terminal's Ctrl-C or hang-up reaches
cagette only; cagette then ends it. :func:`signals_cancel` turns SIGTERM and
SIGHUP into the same cancellation as Ctrl-C for the duration of a job, so
every ``finally`` of the job runs: the child is killed and waited for, and
half-written files, locks and work folders are removed.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from cagette.errors import Cancelled, RenderError
from cagette.i18n import _
from cagette.progress import Progress


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


class Interrupted(Cancelled):
    """A job stopped by a signal (SIGTERM, SIGHUP)."""


@contextlib.contextmanager
def signals_cancel(progress: Progress | None = None) -> Iterator[None]:
    """While the block runs (in the main thread), SIGTERM and SIGHUP cancel it like Ctrl-C.

    The first signal raises :class:`Interrupted` where the job is; later ones only mark the job
    cancelled, so the clean-up that the first one started is not itself interrupted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = False

    def handler(signum: int, _frame: FrameType | None) -> None:
        nonlocal fired
        if progress is not None:
            progress.token.cancel()
        if not fired:
            fired = True
            raise Interrupted(_("Rendering was interrupted ({signal}).").format(signal=signal.Signals(signum).name),
                              _("Nothing was kept of the unfinished video."))

    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, handler) for s in wanted}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def run(cmd: list[str], progress: Progress, on_time: Callable[[float], None] | None = None,
        cwd: Path | None = None) -> None:
    """Run ffmpeg; follow ``-progress pipe:1`` when *on_time* is given; kill it on cancel, Ctrl-C or a signal."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if on_time else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True, cwd=cwd)
    err_lines: list[str] = []

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err_lines.append(line)
            del err_lines[:-40]

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    try:
        if on_time and proc.stdout is not None:
            for line in proc.stdout:
                key, _sep, value = line.strip().partition("=")
                if key == "out_time_us" and value.lstrip("-").isdigit():
                    on_time(max(0, int(value)) / 1e6)
                progress.check()
        else:
            while proc.poll() is None:
                try:
                    proc.wait(0.1)
                except subprocess.TimeoutExpired:
                    progress.check()
        proc.wait()
    except BaseException:
        kill(proc)
        raise
    finally:
        t.join(2)
    if proc.returncode:
        if proc.returncode < 0 and -proc.returncode in (signal.SIGINT, signal.SIGTERM):
            raise Cancelled(_("Rendering was interrupted."), _("Nothing was kept of the unfinished video."))
        tail = "".join(err_lines).strip()[-800:]
        raise RenderError(_("ffmpeg failed: {error}").format(error=tail or proc.returncode),
                          _("Run `cagette project check` on the project; if it passes, report this message."))


def kill(proc: subprocess.Popen[Any]) -> None:
    """End *proc* now and wait for it (no zombie, no orphan)."""
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def capture(cmd: list[str], cwd: Path | None = None, binary: bool = False) -> subprocess.CompletedProcess[Any]:
    """Run a short ffmpeg command and keep its output (bytes when *binary*); killed (and waited for) if
    anything interrupts it."""
    proc: subprocess.Popen[Any] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                   stdin=subprocess.DEVNULL, text=not binary,
                                                   start_new_session=True, cwd=cwd)
    try:
        out, err = proc.communicate()
    except BaseException:
        kill(proc)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
