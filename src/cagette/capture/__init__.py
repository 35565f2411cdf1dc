"""Capture: camera sources, recording, stop-motion, the phone upload page."""
