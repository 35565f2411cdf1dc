#!/usr/bin/env bash
# Demo step: record a scene and take stop-motion frames from a synthetic
# network camera (what a phone running IP Webcam serves), on 127.0.0.1.
set -euo pipefail
OUT=out/capture-demo
rm -rf "$OUT"
mkdir -p out
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PY" -m cagette.capture.fakecam --port "$PORT" --size 640x360 --fps 25 &
CAM=$!
trap 'kill $CAM 2>/dev/null || true; wait $CAM 2>/dev/null || true' EXIT
"$PY" - "$OUT" <<'PY'
import sys
from cagette.video.project import create
p = create(sys.argv[1], "Démo capture")
p.add_scene("Plan filmé")
p.add_scene("Animation")
PY
for _ in $(seq 50); do "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && break; sleep 0.1; done
"$CAGETTE" capture sources
"$CAGETTE" capture record "$OUT" "http://127.0.0.1:$PORT/video" --scene 1 --duration 3
printf '   ' | "$CAGETTE" capture frames "$OUT" "http://127.0.0.1:$PORT/video" --scene 2 --count 3
"$CAGETTE" capture frames "$OUT" --scene 2 --duplicate 3:2 --play --fps 6
ls -l "$OUT/rushes" "$OUT/frames/"*
