#!/usr/bin/env bash
# Demo step: the studio controller without the board. `cagette device simulate` runs the real
# firmware (on MicroPython when installed, else on CPython) behind a pseudo-terminal, and the
# cagette commands find it through CAGETTE_DEVICE_PORT, as they would find /dev/ttyACM0.
set -euo pipefail
OUT=out/device-demo
rm -rf "$OUT"
mkdir -p "$OUT"
mkfifo "$OUT/keys"
"$CAGETTE" --lang en device simulate --flash "$OUT/board" <"$OUT/keys" >"$OUT/board.txt" 2>&1 &
BOARD=$!
exec 3>"$OUT/keys"  # the simulator's standard input: one command a line
trap 'echo quit >&3 2>/dev/null || true; exec 3>&-; wait $BOARD 2>/dev/null || true' EXIT
for _ in $(seq 300); do grep -q '^export ' "$OUT/board.txt" 2>/dev/null && break; sleep 0.1; done
head -n 3 "$OUT/board.txt"
eval "$(grep '^export ' "$OUT/board.txt")"
"$CAGETTE" device flash --dry-run --port /dev/ttyACM0
"$CAGETTE" device lights 80% 40%
"$CAGETTE" device status
"$CAGETTE" device watch --count 2 --timeout 60 &
WATCH=$!
for _ in $(seq 100); do  # a short press, once the watcher listens (the simulator says who got it)
  echo short >&3
  sleep 0.3
  grep -q "Short press: sent" "$OUT/board.txt" && break
done
echo long >&3  # a long press: the second action
wait $WATCH
