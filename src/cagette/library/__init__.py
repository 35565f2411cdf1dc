"""The library: content-addressed objects, per-site logs, the derived index."""
