#!/usr/bin/env bash
# Demo step: build a sample project from synthetic media (espeak-ng voices, paper shapes, test clips),
# check it, and render it into out/video/ (MP4, .srt, .vtt, transcript, thumbnail); then edit one scene's script
# from the command line and render again (only that scene's segment is encoded), draw one frame with the
# preview, and write the timeline as OpenTimelineIO. Idempotent.
set -euo pipefail
OUT="out/video"
mkdir -p "$OUT"
"$PY" scripts/demo/video_sample.py "$OUT/sample-project"
"$CAGETTE" project show "$OUT/sample-project"
"$CAGETTE" project check "$OUT/sample-project"
"$CAGETTE" render "$OUT/sample-project" --preset draft --out "$OUT/changer-d-adresse.mp4" --force
"$CAGETTE" project scene "$OUT/sample-project" 3 --script "Préparez un justificatif de domicile récent et votre pièce d'identité."
"$CAGETTE" render "$OUT/sample-project" --preset draft --out "$OUT/changer-d-adresse.mp4" --force --quiet
"$CAGETTE" project preview "$OUT/sample-project" --at 12 --preset draft --out "$OUT/preview-12s.png" --force
"$CAGETTE" project export-otio "$OUT/sample-project" "$OUT/changer-d-adresse.otio" --preset draft --force
ls -l "$OUT"
