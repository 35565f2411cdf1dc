#!/usr/bin/env bash
# Demo step: the parametric plans — figures and checks of the default preset, the view from its lens, then its
# whole kit into out/plans/.
set -euo pipefail
"$CAGETTE" plans presets
"$CAGETTE" plans show --preset phone-a4
mkdir -p out
"$CAGETTE" plans view --preset phone-a4 --out out/view-from-lens.png --force
"$CAGETTE" plans build --preset phone-a4 --out out/plans --force --quiet
ls out/plans
