"""cagette_tui: the Textual front end of cagette.

It imports only ``cagette`` (never the reverse). ``cagette`` with no
arguments opens :class:`cagette_tui.app.CagetteApp`.
"""
