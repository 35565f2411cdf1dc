"""Parametric plans of the Vidéocagette: parameters, framing, panels, sheets, 3D, BOM, guide."""
