"""The starter library: how long `library init` waits for it, against plain references.

* ``resources(build_dir)`` (guides, trainer's kits, storyboard sheets: HTML + PDF, both languages)
  against the floor: python-markdown on the same sources plus a reportlab PDF of their plain text,
  one paragraph per line. Target: resources() under 5 s, within 3x the floor.
* The sample project's media (frames, voices, music through the project API) against espeak-ng
  alone on the same scripts.
* The guide's pictures from a plans kit and the rendered sample (``make_figures``) against the raw
  inputs alone: the same frame grabs from the video and ``pdftoppm`` of the kit's two cards.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def median(fn: Callable[[Path], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            fn(Path(tmp))
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor(out: Path) -> None:
    import markdown
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from cagette.documents import pdf_fonts

    regular, _bold = pdf_fonts()
    style = ParagraphStyle("p", fontName=regular, fontSize=10.5, leading=15)
    for folder in ("guide", "trainers"):
        for lang in ("fr", "en"):
            texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "library" / folder / lang).glob("*.md"))]
            (out / f"{folder}-{lang}.html").write_text(markdown.markdown("\n\n".join(texts)), encoding="utf-8")
            story = [Paragraph(line.replace("&", "&amp;").replace("<", "&lt;"), style)
                     for t in texts for line in t.splitlines() if line.strip()]
            SimpleDocTemplate(str(out / f"{folder}-{lang}.pdf"), pagesize=A4).build(story)


def espeak_only(out: Path) -> None:
    from cagette.starter.sample import TEXTS

    for n, scene in enumerate(TEXTS["fr"].scenes):
        subprocess.run(["espeak-ng", "-v", "fr", "-s", "140", "-w", str(out / f"{n}.wav"), scene.script], check=True)


def raw_inputs(kit: Path, video: Path, out: Path) -> None:
    from cagette.video.render import thumbnail

    for n in range(8):
        thumbnail(video, out / f"{n}.jpg", 0.5 + n * 3)
    for card in ("lens-card.pdf", "framing-card.pdf"):
        subprocess.run(["pdftoppm", "-png", "-scale-to-x", "1200", "-scale-to-y", "-1", "-singlefile",
                        str(kit / card), str(out / card)], check=True)


def figures_bench() -> None:
    from cagette.starter.figures import build_kit, make_figures, render_sample

    with tempfile.TemporaryDirectory() as tmp:
        kit = build_kit(Path(tmp) / "kit")
        sample = render_sample(Path(tmp) / "sample")
        video = next((sample / "exports").rglob("*.mp4"))
        ref = median(lambda p: raw_inputs(kit, video, p))
        ours = median(lambda p: make_figures(p / "figures", kit=kit, sample=sample))
    print(f"frame grabs + pdftoppm of the cards     median {ref:6.2f} s (reference)")
    print(f"make_figures(): every picture, 2 langs  median {ours:6.2f} s  ratio {ours / ref:5.2f}x")


def main() -> None:
    from cagette.starter import resources
    from cagette.starter.sample import make_sample

    ref = median(floor)
    ours = median(resources)
    print(f"floor: markdown + plain reportlab PDF   median {ref:6.2f} s (reference)")
    print(f"resources(build_dir): all documents     median {ours:6.2f} s  ratio {ours / ref:5.2f}x  "
          f"target < 5 s: {'ok' if ours < 5 else 'MISSED'}")
    ref = median(espeak_only)
    ours = median(lambda p: make_sample(p / "sample", "fr"))
    print(f"espeak-ng alone on the sample's scripts median {ref:6.2f} s (reference)")
    print(f"make_sample(): frames, voices, music    median {ours:6.2f} s  ratio {ours / ref:5.2f}x")
    figures_bench()


if __name__ == "__main__":
    main()
