"""Plans benchmark: three ratios against references measured in the same run.

* cold full kit (a fresh ``python -m cagette plans build`` process, CadQuery included) against a bare
  CadQuery script that extrudes the same plates and exports them as one STEP;
* cold 2D-only kit against a bare ezdxf script that writes the same plates' outlines to one DXF;
* the virtual camera's view against trimesh's ray caster on the kit's own STL, same rays.

Also the derived figures (validation + framing maths), which the TUI recomputes at every key press.
Wall and CPU (user+sys) times are printed: on a shared machine, CPU time is the steadier figure.

Targets (2-core machine): full kit ≤ 8 s, 2D only ≤ 1.5 s, the 960×540 view ≤ 3 s, derived figures < 50 ms.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRESET = "phone-a4"

BARE_CADQUERY = """
import sys
import cadquery as cq
from cagette.plans.params import load_preset
from cagette.plans.panels import build_panels
from cagette.plans.model3d import location
assy = cq.Assembly()
for pn in build_panels(load_preset(sys.argv[1])):
    wp = cq.Workplane("XY").polyline(list(pn.outer)).close()
    for h in pn.holes:
        wp = wp.polyline(list(h)).close()
    assy.add(wp.extrude(pn.thickness_mm), name=pn.name, loc=location(pn))
assy.export(sys.argv[2])
"""

BARE_EZDXF = """
import sys
import ezdxf
from cagette.plans.params import load_preset
from cagette.plans.panels import build_panels
doc = ezdxf.new("R2010")
msp = doc.modelspace()
x = 0.0
for pn in build_panels(load_preset(sys.argv[1])):
    for c in pn.contours():
        msp.add_lwpolyline([(a + x, b) for a, b in c], close=True)
    x += pn.size_mm[0] + 10
doc.saveas(sys.argv[2])
"""


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of *runs* fresh processes."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "CAGETTE_LANG": "en"})
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def in_process(fn: object, runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()  # type: ignore[operator]
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def derived_ms(runs: int = 200) -> float:
    from cagette.plans.params import load_preset

    base = load_preset(PRESET)
    times = []
    for i in range(runs):
        start = time.perf_counter()
        p = base.replace(kerf_mm=0.1 + i * 1e-4)  # validation + framing maths
        p.framing.derived()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def view_vs_trimesh(stl: Path, runs: int) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
    import numpy as np
    import trimesh
    from trimesh.ray.ray_triangle import ray_triangle_id

    from cagette.plans import view
    from cagette.plans.params import load_preset

    p = load_preset(PRESET)
    view.render(p, 64)  # warm the imports and caches
    full = in_process(lambda: view.render(p, 960), runs)
    small = (240, 135)
    ours = in_process(lambda: view.render(p, small[0]), runs)
    mesh = trimesh.load(stl, force="mesh")

    class Boxes:  # the r-tree query trimesh asks for, in numpy (rtree is not installed): one test per bound
        lo, hi = mesh.triangles.min(axis=1), mesh.triangles.max(axis=1)
        bounds = np.concatenate([lo.min(axis=0), hi.max(axis=0)])
        columns = tuple(np.ascontiguousarray(c) for c in (*lo.T, *hi.T))

        def intersection(self, box: np.ndarray) -> np.ndarray:
            x0, y0, z0, x1, y1, z1 = (float(v) for v in box)
            lx, ly, lz, hx, hy, hz = self.columns
            return np.nonzero((lx <= x1) & (ly <= y1) & (lz <= z1) & (hx >= x0) & (hy >= y0) & (hz >= z0))[0]

    origin, d = view.rays(p, small)
    origins = np.tile(origin, (len(d), 1))
    theirs = in_process(lambda: ray_triangle_id(mesh.triangles, origins, d, tree=Boxes(), multiple_hits=False,
                                                triangles_normal=mesh.face_normals), 1)
    return full, ours, theirs


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        bare_cq = timed([py, "-c", BARE_CADQUERY, PRESET, os.path.join(tmp, "bare.step")], runs)
        full = timed([py, "-m", "cagette", "plans", "build", "--preset", PRESET, "--out", os.path.join(tmp, "full"),
                      "--force", "--quiet"], runs)
        bare_dxf = timed([py, "-c", BARE_EZDXF, PRESET, os.path.join(tmp, "bare.dxf")], runs)
        two_d = timed([py, "-m", "cagette", "plans", "build", "--preset", PRESET, "--only", "2d",
                       "--out", os.path.join(tmp, "2d"), "--force", "--quiet"], runs)
        view_full, view_small, trimesh_small = view_vs_trimesh(Path(tmp) / "full" / "model.stl", runs)
    d = derived_ms()

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"preset {PRESET}, median of {runs} runs (wall / cpu)")
    print(f"bare CadQuery STEP of the plates {bare_cq[0]:6.2f} s / {bare_cq[1]:6.2f} s   (reference)")
    print(f"full kit (cold)                  {full[0]:6.2f} s / {full[1]:6.2f} s   ratio {full[0] / bare_cq[0]:5.2f}x wall,"
          f" {full[1] / bare_cq[1]:5.2f}x cpu   target <= 8 s: {verdict(full[0] <= 8)}")
    print(f"bare ezdxf DXF of the plates     {bare_dxf[0]:6.2f} s / {bare_dxf[1]:6.2f} s   (reference)")
    print(f"2D-only kit (cold)               {two_d[0]:6.2f} s / {two_d[1]:6.2f} s   ratio "
          f"{two_d[0] / bare_dxf[0]:5.2f}x wall, {two_d[1] / bare_dxf[1]:5.2f}x cpu   target <= 1.5 s: "
          f"{verdict(two_d[0] <= 1.5)}")
    print(f"trimesh rays, 240x135, kit STL   {trimesh_small[0]:6.2f} s / {trimesh_small[1]:6.2f} s   (reference)")
    print(f"virtual view, 240x135            {view_small[0]:6.2f} s / {view_small[1]:6.2f} s   ratio "
          f"{view_small[0] / trimesh_small[0]:5.3f}x wall, {view_small[1] / trimesh_small[1]:5.3f}x cpu")
    print(f"virtual view, 960x540            {view_full[0]:6.2f} s / {view_full[1]:6.2f} s   target <= 3 s: "
          f"{verdict(view_full[0] <= 3)}")
    print(f"derived figures                  {d:6.2f} ms                 target < 50 ms: {verdict(d < 50)}")


if __name__ == "__main__":
    main()
