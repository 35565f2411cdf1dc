"""Flows: steps that need two pillars (or a pillar and the starter) at once.

The pillars (``plans``, ``video``, ``library``) never import each other; when a
step of a journey needs two of them — publishing a project to the library,
looking a template up in the library then in the starter, seeding a library
with the starter, the guided flow's state — it lives here, on floor 5 of
``DESIGN.md``, and both front ends (the CLI and the app) call it.
"""
