"""``python -m cagette`` runs the command line."""

import os
import signal


def _early_interrupt(signum: int, frame: object) -> None:
    """Ctrl-C while the command line itself is being imported: nothing was started, nothing to clean."""
    os.write(2, b"Interrupted.\n")
    os._exit(130)


signal.signal(signal.SIGINT, _early_interrupt)
from cagette.cli import run  # noqa: E402 - after the handler: the import is the first thing Ctrl-C can land in

signal.signal(signal.SIGINT, signal.default_int_handler)
run()
