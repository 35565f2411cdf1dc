#!/usr/bin/env bash
# Demo step: check the machine has what the work needs.
set -euo pipefail
"$CAGETTE" doctor
