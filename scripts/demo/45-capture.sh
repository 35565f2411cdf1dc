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
"$CAGETTE" project new "$OUT" --title "Démo capture"
for _ in $(seq 50); do "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null && break; sleep 0.1; done
"$CAGETTE" capture sources
# a new project's scenes are made as the takes come: scene 1 by its position, the next one by its name
"$CAGETTE" capture record "$OUT" "http://127.0.0.1:$PORT/video" --scene 1 --duration 3
printf '   ' | "$CAGETTE" capture frames "$OUT" "http://127.0.0.1:$PORT/video" --scene animation --count 3
"$CAGETTE" capture frames "$OUT" --scene animation --duplicate 3:2 --play --fps 6
"$CAGETTE" project check "$OUT"
ls -l "$OUT/rushes" "$OUT/frames/"*
