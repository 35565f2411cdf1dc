#!/usr/bin/env bash
# Demo step: carry the demo library to a "USB stick" folder, then to another site, and back;
# then the same through `cagette serve` on 127.0.0.1. Idempotent: a second run moves nothing.
set -euo pipefail
mkdir -p out
STICK="out/usb-stick"
OTHER="out/other-site-library"

echo "-- the demo library onto the stick (a new folder becomes a library)"
"$CAGETTE" sync "$STICK"
echo "-- another site takes it from the stick: plan first, then for real"
[ -f "$OTHER/library.json" ] || "$CAGETTE" --library "$OTHER" library init --site-name "Autre site" --no-starter
"$CAGETTE" --library "$OTHER" sync "$STICK" --pull --dry-run
"$CAGETTE" --library "$OTHER" sync "$STICK"
echo "-- and back: both ways, then nothing left to move"
"$CAGETTE" sync "$STICK"
"$CAGETTE" --library "$OTHER" sync "$STICK" --json > out/sync-second.json
"$PY" - <<'PY'
import json
data = json.load(open("out/sync-second.json"))
assert data["plan"]["total_bytes"] == 0, data["plan"]
print("second sync moved nothing")
PY

echo "-- over HTTP: cagette serve (read-only, 127.0.0.1) and a pull from it"
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$CAGETTE" serve --port "$PORT" > out/serve.log 2>&1 &
SERVE=$!
trap 'kill -TERM $SERVE 2>/dev/null || true; wait $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    grep -q "http://127.0.0.1:$PORT" out/serve.log 2>/dev/null && break
    sleep 0.1
done
"$CAGETTE" --library "$OTHER" sync "http://127.0.0.1:$PORT" --pull

echo "-- over HTTPS: cagette serve --tls prints an address with its certificate's fingerprint, sync pins it"
kill -TERM $SERVE 2>/dev/null || true
wait $SERVE 2>/dev/null || true
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
CAGETTE_LANG=en "$CAGETTE" serve --tls --port "$PORT" > out/serve-tls.log 2>&1 &
SERVE=$!
for _ in $(seq 100); do
    grep -q "https://127.0.0.1:$PORT?fp=" out/serve-tls.log 2>/dev/null && break
    sleep 0.1
done
URL=$(grep -o "https://127.0.0.1:$PORT?fp=[A-Z2-7-]*" out/serve-tls.log)
"$CAGETTE" --library "$OTHER" sync "$URL"
