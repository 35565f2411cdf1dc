"""Fixture data for the TUI tests and the snapshot app: templates, projects, media."""

from __future__ import annotations

from pathlib import Path

from cagette.video.project import Project


def make_template(folder: Path, slug: str = "demarche", lang: str = "en") -> Path:
    """A storyboard template ``<folder>/<slug>/<lang>/project.toml`` with three scenes."""
    tmp = folder.parent / f".making-{folder.name}" / slug
    project = Project.create(tmp, "A procedure, step by step")
    project.add_scene("The question", "Why this procedure?")
    project.add_scene("The steps", "First the form. Then the appointment.")
    project.add_scene("The end", "Thank you.")
    text = (tmp / "project.toml").read_text(encoding="utf-8")
    text += (f'\n[template]\nslug = "{slug}"\ntitle = "A procedure, step by step"\n'
             'description = "Explain a procedure in three scenes"\ntarget_duration_s = 60\n')
    target = folder / slug / lang
    target.mkdir(parents=True, exist_ok=True)
    (target / "project.toml").write_text(text, encoding="utf-8")
    return target / "project.toml"


def make_project(root: Path, title: str = "Demo") -> Project:
    project = Project.create(root, title)
    project.add_scene("Welcome", "Hello and welcome to the town hall.")
    project.add_scene("Forms", "Fill in the form. Bring a photo.")
    project.add_scene("Goodbye", "See you soon.")
    return project
