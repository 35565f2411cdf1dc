"""``cagette plans build``: the whole kit (or a subset) into a staged folder.

Nothing is written under the final name unless every output succeeded; a
cancel or an error leaves the target as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from cagette.errors import ParameterError
from cagette.fsutil import atomic_write_text, staged_dir
from cagette.i18n import _
from cagette.plans.kit_toml import toml_value
from cagette.plans.params import BoxParams
from cagette.progress import Progress

# output keys, in build order; "params" is always written
OUTPUTS = ("params", "dxf", "svg", "pdf", "coupon", "templates", "cards", "bom", "okh", "step", "glb", "stl",
           "guide")
THREE_D = ("step", "glb", "stl", "guide")
TWO_D = tuple(o for o in OUTPUTS if o not in THREE_D)


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
    lines += ["", "# ArUco 4x4_50 marker centres on the stage, mm from the stage centre (+y towards the back)."]
    for mid, x, y in f.markers_mm:
        lines += ["[[markers]]", f"id = {mid}", f"x_mm = {round(x, 3)!r}", f"y_mm = {round(y, 3)!r}",
                  f"size_mm = {p.marker_size_mm!r}", ""]
    return "\n".join(lines).rstrip() + "\n"


Step = Callable[[BoxParams, Path, Progress], list[str]]


def _step_2d(key: str) -> Step:
    def run(p: BoxParams, out: Path, progress: Progress) -> list[str]:
        from cagette.plans import outputs2d

        return outputs2d.STEPS[key](p, out)

    return run


def _step_3d(key: str) -> Step:
    def run(p: BoxParams, out: Path, progress: Progress) -> list[str]:
        if key == "guide":
            from cagette.plans import guide

            return guide.write_guide(p, out)
        from cagette.plans import model3d

        return model3d.write(p, out, key)

    return run


def build(p: BoxParams, out: Path, only: Iterable[str] | None = None, force: bool = False,
          progress: Progress | None = None) -> list[str]:
    """Build the chosen outputs of *p* into *out*; returns the written files (relative, sorted)."""
    progress = progress or Progress()
    wanted = tuple(only) if only is not None else OUTPUTS
    steps = [k for k in OUTPUTS if k in wanted or k == "params"]
    written: list[str] = []
    with staged_dir(Path(out), force) as stage:
        progress.start(_("Building the plans"), total=len(steps), unit=_("steps"))
        for key in steps:
            progress.update(progress.done, key)
            if key == "params":
                atomic_write_text(stage / "params.toml", params_toml(p))
                written.append("params.toml")
            elif key in THREE_D:
                written += _step_3d(key)(p, stage, progress)
            else:
                written += _step_2d(key)(p, stage, progress)
            progress.advance(1)
        progress.finish()
    return sorted(written)


# -- reference plans (hardware/plans/<preset>/) ------------------------------------

GZIPPED_IN_REFERENCE = ("model.step", "model.glb")


def write_reference(preset: str, target: Path, progress: Progress | None = None) -> list[str]:
    """The kit of *preset* as committed under ``hardware/plans``: the STEP and GLB
    gzipped (deterministically) so the folder stays small; everything else as built."""
    import gzip
    import shutil

    from cagette.plans.params import load_preset

    files = build(load_preset(preset), target, force=True, progress=progress)
    out = []
    for name in files:
        if name in GZIPPED_IN_REFERENCE:
            src = target / name
            with open(src, "rb") as fh, gzip.GzipFile(target / f"{name}.gz", "wb", 9, mtime=0) as gz:
                shutil.copyfileobj(fh, gz)
            src.unlink()
            out.append(f"{name}.gz")
        else:
            out.append(name)
    return sorted(out)
