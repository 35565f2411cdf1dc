#!/usr/bin/env bash
# Demo step: the library — create it with the starter resources, list it, write its catalogue.
# Idempotent: init again only applies newer starter versions; the catalogue is rewritten with --force.
set -euo pipefail
if "$PY" -c "import cagette.starter as s, sys; sys.exit(0 if callable(getattr(s, 'resources', None)) else 1)"; then
  "$CAGETTE" library init --site-name "Démo"
else
  echo "(the starter resources are not available yet: an empty library)"
  "$CAGETTE" library init --no-starter --site-name "Démo"
fi
"$CAGETTE" library list
"$CAGETTE" library fsck
"$CAGETTE" library catalogue out/library-catalogue --title "Médiathèque de la démo" --force
echo "-- catalogue: open out/library-catalogue/index.html in a browser (no server needed; list.html without JavaScript)"
