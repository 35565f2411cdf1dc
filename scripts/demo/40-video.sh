#!/usr/bin/env bash
# Demo step: build a sample project from synthetic media (espeak-ng voices, paper shapes, test clips),
# check it, and render it into out/video/ (MP4, .srt, .vtt, transcript, thumbnail). Idempotent.
set -euo pipefail
OUT="out/video"
mkdir -p "$OUT"
"$PY" scripts/demo/video_sample.py "$OUT/sample-project"
"$CAGETTE" project show "$OUT/sample-project"
"$CAGETTE" project check "$OUT/sample-project"
"$CAGETTE" render "$OUT/sample-project" --preset draft --out "$OUT/changer-d-adresse.mp4" --force
ls -l "$OUT"
