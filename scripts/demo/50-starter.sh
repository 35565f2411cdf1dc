#!/usr/bin/env bash
# Demo step: the starter library — the sample project generated from code, rendered with its captions and
# published to the library; then the guide's pictures made from the plans kit (out/plans, step 30), that
# render and the app's screens; then the illustrated director's guide, the trainer's kit with its key memo
# and feedback sheet, the consent form and the storyboard sheets (HTML + PDF, French and English).
# Idempotent: what is already made and up to date is kept.
set -euo pipefail
OUT="${OUT:-out}"
mkdir -p "$OUT"

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

MP4="$(ls "$SAMPLE"/exports/*/*.mp4 2>/dev/null | head -n1 || true)"
if [[ -n "$MP4" && "$MP4" -nt "$SAMPLE/project.toml" ]]; then
  echo "-- sample already rendered: $MP4"
else
  echo "-- rendering the sample (captions as .srt/.vtt beside the video)"
  "$CAGETTE" render "$SAMPLE" --quiet
  MP4="$(ls "$SAMPLE"/exports/*/*.mp4 | head -n1)"
fi
ls "$(dirname "$MP4")"

FIGURES="$("$PY" -c 'from cagette.starter.figures import default_dir; print(default_dir())')"
KIT="$OUT/plans"
if [[ -f "$FIGURES/figures.json" && "$FIGURES/figures.json" -nt "$MP4" && \
      ( ! -f "$KIT/params.toml" || "$FIGURES/figures.json" -nt "$KIT/params.toml" ) ]]; then
  echo "-- the guide's pictures: $FIGURES (already made)"
elif [[ -f "$KIT/params.toml" ]]; then
  echo "-- the guide's pictures from $KIT and $SAMPLE -> $FIGURES"
  "$PY" -m cagette.starter.figures --kit "$KIT" --sample "$SAMPLE" >/dev/null
else
  echo "-- the guide's pictures (a plans kit built for them) -> $FIGURES"
  "$PY" -m cagette.starter.figures --sample "$SAMPLE" >/dev/null
fi

echo "-- starter documents -> $OUT/starter/"
"$PY" -m cagette.starter.build "$OUT/starter" --figures "$FIGURES" >/dev/null
ls "$OUT/starter"

# the library names objects by their SHA-256: the sample is there when its video's hash is
SUM="$("$PY" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$MP4")"
if "$CAGETTE" library list --kind video --json 2>/dev/null | grep -q "$SUM"; then
  echo "-- sample already in the library"
else
  echo "-- publishing the sample to the library (CAGETTE_HOME=${CAGETTE_HOME:-default}; nobody appears in it)"
  "$CAGETTE" library add "$SAMPLE" --tag starter --tag sample --people none
fi
"$CAGETTE" library list --kind video

echo "-- starter ready: the illustrated guide in $OUT/starter/ (guide-fr.pdf, guide-fr.html, guide-en.*),"
echo "   the trainer's kit with keys-memo-*.pdf and feedback-sheet-*.pdf, consent-form-*.pdf, storyboard-*.pdf;"
echo "   the sample project in $SAMPLE (python -m cagette.starter.sample makes it again)."
