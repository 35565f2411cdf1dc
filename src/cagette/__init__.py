"""cagette: the open-hardware companion of the Vidéocagette.

The core packages (plans, capture, video, library, sync, device) never import
Textual or the ``cagette_tui`` front end; they report progress through
:mod:`cagette.progress` and fail with :class:`cagette.errors.CagetteError`.
"""

__version__ = "0.1.0"
