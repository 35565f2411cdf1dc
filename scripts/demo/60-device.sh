#!/usr/bin/env bash
# Demo step: the studio controller, without the board. The real firmware runs
# on a simulated Pico (fake machine module) behind a pseudo-terminal, and the
# cagette commands talk to it as they would to /dev/ttyACM0.
set -euo pipefail
OUT=out/device-demo
rm -rf "$OUT"
mkdir -p "$OUT"
"$PY" - "$OUT" <<'PY' &
import sys, time
from pathlib import Path
from tests.device.sim import SimDevice
out = Path(sys.argv[1])
sim = SimDevice(out)
(out / "port").write_text(sim.port)
deadline = time.monotonic() + 60
while not (out / "watching").exists() and time.monotonic() < deadline:
    time.sleep(0.05)
seen = sim.app.hellos
while sim.app.hellos < seen + 2 and time.monotonic() < deadline:  # the probe's, then the watcher's
    time.sleep(0.05)
time.sleep(0.3)
_, end = sim.press(60)          # a short press: take a frame
sim.wait_board_time(end + 100)
sim.press(1000)                 # a long press: the second action
while not (out / "done").exists() and time.monotonic() < deadline:
    time.sleep(0.05)
sim.close()
PY
BOARD=$!
trap 'touch "$OUT/done"; wait $BOARD 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$OUT/port" ] && break; sleep 0.1; done
PORT=$(cat "$OUT/port")
"$CAGETTE" device flash --dry-run --port /dev/ttyACM0
"$CAGETTE" device lights 80% 40% --port "$PORT"
"$CAGETTE" device status --port "$PORT"
touch "$OUT/watching"
"$CAGETTE" device watch --port "$PORT" --count 2 --timeout 30
