"""The presets of the box's parameters, shipped as ``cagette.plans.presets`` (TOML files)."""
