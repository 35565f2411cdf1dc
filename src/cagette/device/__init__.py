"""The host side of the studio controller's protocol (lights, shutter)."""
