"""``cagette plans build``: the whole kit (or a subset) into an output folder, safely.

* The output folder is probed before any work: a file in its path, a folder
  that cannot be written (permissions, a read-only mount) is a one-line error
  naming the path.
* Every output is built in a hidden staging folder inside it
  (``.kit-<pid>.part``) and moved into place only when all succeeded; a
  cancel, Ctrl-C, SIGTERM or an error removes it and leaves the folder as it
  was. A staging folder left by a killed build is removed by the next one.
* ``kit-manifest.txt`` lists the files the kit wrote; ``--force`` replaces
  only those, never a file the kit did not write (a ``.git/``, photos,
  notes). Rebuilding some outputs (``--only``) keeps the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from cagette.errors import Cancelled, ParameterError, PlansError, UsageError
from cagette.fsutil import atomic_write_text
from cagette.i18n import _
from cagette.plans import beside
from cagette.plans.kit_toml import toml_value
from cagette.plans.params import BoxParams
from cagette.progress import Progress, interruptible, interrupts_deferred

# output keys, in build order; "params" is always written
OUTPUTS = ("params", "dxf", "svg", "pdf", "coupon", "templates", "cards", "bom", "okh", "view", "step", "glb",
           "stl", "guide")
THREE_D = ("step", "glb", "stl", "guide")
TWO_D = tuple(o for o in OUTPUTS if o not in THREE_D)
# the order the outputs are made in: the STL before the glTF, which then reuses the STL's meshes (the
# same triangulation it would make itself) instead of meshing every part again
BUILD_ORDER = ("params", "dxf", "svg", "pdf", "coupon", "templates", "cards", "bom", "okh", "view", "step", "stl", "glb",
               "guide")
MANIFEST = "kit-manifest.txt"
STAGE_PREFIX = ".kit-"
STAGE_SUFFIX = ".part"
LEGACY_STAGE_AGE_S = 3600.0


def parse_only(text: str | None) -> tuple[str, ...]:
    if not text:
        return OUTPUTS
    wanted = [w.strip().lower() for w in text.split(",") if w.strip()]
    aliases = {"2d": TWO_D, "3d": THREE_D, "all": OUTPUTS, "sheets": ("dxf", "svg", "pdf")}
    out: list[str] = []
    for w in wanted:
        if w in aliases:
            out += aliases[w]
        elif w in OUTPUTS:
            out.append(w)
        else:
            raise ParameterError(
                _("--only {value!r}: unknown output.").format(value=w),
                _("Choose among {names} (or 2d, 3d, all).").format(names=", ".join(OUTPUTS)),
            )
    return tuple(o for o in OUTPUTS if o in out or o == "params")


def params_toml(p: BoxParams) -> str:
    f = p.framing
    lines = [
        "# The exact parameters of this kit: `cagette plans build --params params.toml` rebuilds it.",
        "[params]",
    ]
    lines += [f"{k} = {toml_value(v)}" for k, v in p.to_dict().items()]
    lines += ["", "# Derived figures (read-only, ignored by --params).", "[derived]"]
    for k, v in f.derived().items():
        if k != "markers_mm":
            lines.append(f"{k} = {toml_value(v)}")
    sx, sy = f.stage_rect_mm
    lines += ["", "# The paper stage, centred on the origin; +y towards the back of the box (the top of the",
              "# framing card), so y_axis = \"up\" for the marker centres below.",
              "[stage]", f"width_mm = {round(sx, 3)!r}", f"depth_mm = {round(sy, 3)!r}", 'y_axis = "up"']
    lines += ["", "# ArUco 4x4_50 marker centres on the stage, mm from the stage centre (+y towards the back)."]
    for mid, x, y in f.markers_mm:
        lines += ["[[markers]]", f"id = {mid}", f"x_mm = {round(x, 3)!r}", f"y_mm = {round(y, 3)!r}",
                  f"size_mm = {p.marker_size_mm!r}", ""]
    return "\n".join(lines).rstrip() + "\n"


Step = Callable[[BoxParams, Path, Progress], list[str]]


def _step(key: str, wiring: Path | None) -> Step:
    def run(p: BoxParams, out: Path, progress: Progress) -> list[str]:
        if key == "params":
            atomic_write_text(out / "params.toml", params_toml(p))
            return ["params.toml"]
        if key == "guide":
            from cagette.plans import guide

            return guide.write_guide(p, out, wiring)
        if key in THREE_D:
            from cagette.plans import model3d

            return model3d.write(p, out, key)
        from cagette.plans import outputs2d

        return outputs2d.STEPS[key](p, out)

    return run


# -- the output folder ------------------------------------------------------------------

def read_manifest(out: Path) -> dict[str, str]:
    """{relative path: output key} of the files a previous build wrote into *out*."""
    try:
        text = (out / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return {}
    files: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and not line.startswith("#"):
            key, _digest, rel = parts
            if _safe_rel(rel):
                files[rel] = key
    return files


def _safe_rel(rel: str) -> bool:
    path = Path(rel)
    return bool(rel) and not path.is_absolute() and ".." not in path.parts


def _fail(path: Path, error: OSError | str) -> PlansError:
    reason = error if isinstance(error, str) else (error.strerror or str(error))
    return PlansError(_("Cannot write the kit into {path}: {reason}.").format(path=path, reason=reason),
                      _("Choose another --out, or fix that folder's permissions."))


def probe(out: Path, force: bool) -> None:
    """Check *out* before any work: a folder (or a place for one) that cagette may write."""
    probe_at = out
    while not probe_at.exists():
        if probe_at.parent == probe_at:
            break
        probe_at = probe_at.parent
    if probe_at != out and not probe_at.is_dir():
        raise _fail(out, _("{path} is a file, not a folder").format(path=probe_at))
    if out.exists() and not out.is_dir():
        raise UsageError(_("{path} exists and is not a folder.").format(path=out),
                         _("Choose another --out, or remove that file."))
    if out.is_dir():
        try:
            entries = [e for e in os.listdir(out) if not _is_stage(e)]
        except OSError as exc:
            raise _fail(out, exc) from None
        if entries and not force:
            raise UsageError(_("The folder {path} is not empty.").format(path=out),
                             _("Add --force to replace the files of a previous kit (and only those), "
                               "or choose another --out."))
    try:
        fd, name = tempfile.mkstemp(prefix=STAGE_PREFIX + "probe-", dir=probe_at)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise _fail(out, exc) from None


def _is_stage(name: str) -> bool:
    return name.startswith(STAGE_PREFIX) and name.endswith(STAGE_SUFFIX)


def clean_stale(out: Path) -> list[Path]:
    """Remove the staging folders of builds that are no longer running."""
    removed = []
    candidates = []
    if out.is_dir():
        candidates += [out / e for e in os.listdir(out) if _is_stage(e)]
    if out.parent.is_dir():  # left by earlier versions beside the folder (.NAME.xxxx.part)
        candidates += [out.parent / e for e in os.listdir(out.parent)
                       if e.startswith(f".{out.name}.") and e.endswith(STAGE_SUFFIX)]
    for path in candidates:
        pid_text = path.name[len(STAGE_PREFIX):-len(STAGE_SUFFIX)]
        if path.parent == out and pid_text.isdigit():
            if _alive(int(pid_text)):
                continue
        elif time.time() - path.stat().st_mtime < LEGACY_STAGE_AGE_S:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(out: Path, files: dict[str, str], name: str) -> None:
    lines = [f"# The files of the kit {name}, written by `cagette plans build`: --force replaces only these.",
             "# output\tsha256\tpath"]
    lines += [f"{key}\t{_digest(out / rel)}\t{rel}" for rel, key in sorted(files.items())]
    atomic_write_text(out / MANIFEST, "\n".join(lines) + "\n")


# -- the build ---------------------------------------------------------------------------

def build(p: BoxParams, out: Path, only: Iterable[str] | None = None, force: bool = False,
          progress: Progress | None = None, wiring: Path | None = None) -> list[str]:
    """Build the chosen outputs of *p* into *out*; returns the written files (relative, sorted).

    *wiring* is the firmware folder whose wiring diagram (``wiring.svg``/``wiring.png``, else the
    wiring notes of its ``README.md``) the guide includes."""
    progress = progress or Progress()
    out = Path(out)
    wanted = tuple(only) if only is not None else OUTPUTS
    steps = [k for k in BUILD_ORDER if k in wanted or k == "params"]
    probe(out, force)
    clean_stale(out)
    previous = read_manifest(out)
    created = not out.exists()
    # the staging folder's name is known before it exists, so that a signal arriving at any moment,
    # the very one it is made in included, finds it in the cleanup below
    stage = out / f"{STAGE_PREFIX}{os.getpid()}{STAGE_SUFFIX}"
    written: dict[str, str] = {}
    try:
        with interruptible():
            try:
                out.mkdir(parents=True, exist_ok=True)
                shutil.rmtree(stage, ignore_errors=True)
                stage.mkdir()
            except OSError as exc:
                raise _fail(out, exc) from None
            progress.start(_("Building the plans"), total=len(steps), unit=_("steps"))
            aside = _aside(steps)
            run_aside = (lambda: _run_steps(aside, p, stage, wiring)) if aside else None
            with beside.beside(run_aside) as job:
                for key in steps:
                    if key in aside:
                        continue
                    progress.check()
                    progress.update(progress.done, key)
                    for rel in _run_step(key, p, stage, progress, wiring):
                        written[rel] = key
                    progress.advance(1)
                if job is not None:
                    progress.update(progress.done, ", ".join(aside))
                    written.update(job.result())
                    progress.advance(len(aside))
            progress.check()
            with interrupts_deferred():  # moving into place is not stopped half-way: its files, then the manifest
                _install(out, stage, written, previous, steps)
                kept = {rel: key for rel, key in previous.items() if key not in steps and (out / rel).is_file()}
                write_manifest(out, {**kept, **written}, p.name)
            progress.finish()
    except BaseException:
        with interrupts_deferred():  # a second Ctrl-C waits for the cleanup
            shutil.rmtree(stage, ignore_errors=True)
            if created:
                with contextlib.suppress(OSError):
                    out.rmdir()
        raise
    shutil.rmtree(stage, ignore_errors=True)
    return sorted(written)


def _aside(steps: list[str]) -> list[str]:
    """The steps built in a second process: only when this one has other work meanwhile."""
    aside = [k for k in steps if k in beside.STEPS]
    others = [k for k in steps if k not in beside.STEPS and k != "params"]
    return aside if aside and others and beside.possible() else []


def _run_steps(keys: list[str], p: BoxParams, stage: Path, wiring: Path | None) -> dict[str, str]:
    return {rel: key for key in keys for rel in _run_step(key, p, stage, Progress(), wiring)}


def _run_step(key: str, p: BoxParams, stage: Path, progress: Progress, wiring: Path | None) -> list[str]:
    try:
        return _step(key, wiring)(p, stage, progress)
    except KeyboardInterrupt:
        raise
    except (Cancelled, ParameterError, PlansError, UsageError):
        raise
    except OSError as exc:
        raise _fail(stage.parent, exc) from None


def _install(out: Path, stage: Path, written: dict[str, str], previous: dict[str, str], steps: list[str]) -> None:
    """Move the staged files into place: refuse to replace a file the kit did not write, then remove
    the files of the rebuilt outputs that this build no longer makes (a sheet fewer...)."""
    foreign = [rel for rel in written if (out / rel).exists() and rel not in previous]
    if foreign:
        raise UsageError(
            _("{path} already exists and was not written by a kit: it is left as it is.").format(
                path=out / sorted(foreign)[0]),
            _("Move it away, or choose another --out."))
    try:
        for rel in sorted(written):
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / rel, target)
        for rel, key in previous.items():
            if key in steps and rel not in written and (out / rel).is_file():
                (out / rel).unlink()
                with contextlib.suppress(OSError):
                    (out / rel).parent.rmdir() if (out / rel).parent != out else None
    except OSError as exc:
        raise _fail(out, exc) from None


# -- reference plans (hardware/plans/<preset>/) ------------------------------------

GZIPPED_IN_REFERENCE = ("model.step", "model.glb")


def gzipped_in_reference(name: str) -> bool:
    """The 3D files are committed gzipped (deterministically) so the reference folders stay small."""
    return Path(name).name in GZIPPED_IN_REFERENCE or name.endswith(".stl")


def write_reference(preset: str, target: Path, progress: Progress | None = None,
                    wiring: Path | None = None) -> list[str]:
    """The kit of *preset* as committed under ``hardware/plans``: the 3D files gzipped
    (deterministically) so the folder stays small; everything else as built."""
    import gzip

    from cagette.plans.params import load_preset

    files = build(load_preset(preset), target, force=True, progress=progress, wiring=wiring)
    out = []
    for name in files:
        if gzipped_in_reference(name):
            src = target / name
            with open(src, "rb") as fh, gzip.GzipFile(target / f"{name}.gz", "wb", 9, mtime=0) as gz:
                shutil.copyfileobj(fh, gz)
            src.unlink()
            out.append(f"{name}.gz")
        else:
            out.append(name)
    return sorted(out)
