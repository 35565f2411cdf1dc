"""``python -m cagette`` runs the command line."""

from cagette.cli import main

raise SystemExit(main())
