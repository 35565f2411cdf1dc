"""Build the demo's sample video project (replaced if it exists): ``video_sample.py FOLDER``."""

from __future__ import annotations

import sys
from pathlib import Path

from cagette.video.sample import build_sample


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "out/video/sample-project")
    project = build_sample(target)
    print(f"sample project: {project.root} ({len(project.data.scenes)} scenes)")


if __name__ == "__main__":
    main()
