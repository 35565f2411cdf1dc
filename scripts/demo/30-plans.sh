#!/usr/bin/env bash
# Demo step: the parametric plans — figures of the default preset, then its whole kit into out/plans/.
set -euo pipefail
"$CAGETTE" plans presets
"$CAGETTE" plans show --preset phone-a4
"$CAGETTE" plans build --preset phone-a4 --out out/plans --force --quiet
ls out/plans
