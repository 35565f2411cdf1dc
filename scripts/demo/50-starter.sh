#!/usr/bin/env bash
# Demo step: the starter library — the director's guide, the trainer's kit and the storyboard sheets
# (HTML + PDF, French and English), then the sample project generated from code, rendered with its
# captions and published to the library. Idempotent: what is already made and up to date is kept.
set -euo pipefail
OUT="${OUT:-out}"
mkdir -p "$OUT"

echo "-- starter documents -> $OUT/starter/"
"$PY" -m cagette.starter.build "$OUT/starter" >/dev/null
ls "$OUT/starter"

SAMPLE="$OUT/sample"
STAMP="$OUT/.sample-version"
WANT="$("$PY" -c 'from cagette.starter.sample import SAMPLE_VERSION; print(SAMPLE_VERSION)')"
if [[ -f "$SAMPLE/project.toml" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
  echo "-- sample project: $SAMPLE (already made)"
else
  echo "-- sample project -> $SAMPLE"
  "$PY" -m cagette.starter.sample "$SAMPLE" --lang fr --force
  echo "$WANT" > "$STAMP"
fi

if "$CAGETTE" render --help >/dev/null 2>&1; then
  MP4="$(ls "$SAMPLE"/exports/*/*.mp4 2>/dev/null | head -n1 || true)"
  if [[ -n "$MP4" && "$MP4" -nt "$SAMPLE/project.toml" ]]; then
    echo "-- sample already rendered: $MP4"
  else
    echo "-- rendering the sample (captions as .srt/.vtt beside the video)"
    "$CAGETTE" render "$SAMPLE"
    MP4="$(ls "$SAMPLE"/exports/*/*.mp4 | head -n1)"
  fi
  ls "$(dirname "$MP4")"
  if "$CAGETTE" library add --help >/dev/null 2>&1; then
    PUBLISHED="$OUT/.sample-published"
    SUM="$(sha256sum "$MP4" | cut -d' ' -f1)"
    if [[ -f "$PUBLISHED" && "$(cat "$PUBLISHED")" == "$SUM" ]]; then
      echo "-- sample already in the library"
    else
      echo "-- publishing the sample to the library (CAGETTE_HOME=${CAGETTE_HOME:-default})"
      "$CAGETTE" library add "$SAMPLE" --tag starter --tag sample
      echo "$SUM" > "$PUBLISHED"
    fi
  else
    echo "-- (cagette library add is not on this branch yet: the sample is not published)"
  fi
else
  echo "-- (cagette render is not on this branch yet: the sample is not rendered)"
fi
