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
    "$CAGETTE" render "$SAMPLE" --quiet
    MP4="$(ls "$SAMPLE"/exports/*/*.mp4 | head -n1)"
  fi
  ls "$(dirname "$MP4")"
  if "$CAGETTE" library add --help >/dev/null 2>&1; then
    # the library names objects by their SHA-256: the sample is there when its video's hash is
    SUM="$("$PY" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$MP4")"
    if "$CAGETTE" library list --kind video --json 2>/dev/null | grep -q "$SUM"; then
      echo "-- sample already in the library"
    else
      echo "-- publishing the sample to the library (CAGETTE_HOME=${CAGETTE_HOME:-default})"
      "$CAGETTE" library add "$SAMPLE" --tag starter --tag sample
    fi
    "$CAGETTE" library list --kind video
  else
    echo "-- (cagette library add is not on this branch yet: the sample is not published)"
  fi
else
  echo "-- (cagette render is not on this branch yet: the sample is not rendered)"
fi

echo "-- starter ready: guides in $OUT/starter/ (guide-fr.pdf, guide-en.pdf, trainer-kit-*.pdf, storyboard-*.pdf);"
echo "   the sample project in $SAMPLE (python -m cagette.starter.sample makes it again)."
