#!/usr/bin/env bash
# Developers: make a git worktree with a light venv that reuses the main
# checkout's installed dependencies (no second 2 GB install).
# Usage: scripts/dev-worktree.sh NAME   -> ../wt-NAME on branch NAME
set -euo pipefail
name="$1"
main="$(cd "$(dirname "$0")/.." && pwd)"
wt="$(dirname "$main")/wt-$name"
git -C "$main" worktree add -q -b "$name" "$wt" HEAD
python3 -m venv --without-pip "$wt/.venv"
site_main=$("$main/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
site_wt=$("$wt/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
echo "$site_main" > "$site_wt/_main_deps.pth"
"$main/.venv/bin/pip" --python "$wt/.venv/bin/python" install -q --no-deps --no-build-isolation -e "$wt"
# Tools installed as scripts in the main venv (ruff, mypy, reuse, weed...).
for tool in "$main"/.venv/bin/*; do
  base=$(basename "$tool")
  [ -e "$wt/.venv/bin/$base" ] || ln -s "$tool" "$wt/.venv/bin/$base"
done
touch "$wt/.venv/.installed-bootstrap" "$wt/.venv/.installed-runtime" "$wt/.venv/.installed-test"
echo "$wt"
