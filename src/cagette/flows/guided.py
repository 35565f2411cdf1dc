"""The guided first video: its seven steps, what each asks, and where a project's flow was left.

template → scripts → shoot → voice-over → captions → render → publish. The app walks a person
through them; this module says what the steps are, which of them a project already shows as
done (from the project itself, through the video API), and where to resume: the step where the
flow was left (kept in the app's state file, :mod:`cagette.flows.appstate`), else the first step
not done yet. Both front ends may use it (``cagette`` prints the same steps).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cagette.flows import appstate
from cagette.i18n import N_
from cagette.video.project import PROJECT_FILE, Project


@dataclass(frozen=True)
class Step:
    id: str
    label: str  # translated when shown
    todo: str


STEPS: tuple[Step, ...] = (
    Step("template", N_("Template"), N_("Choose a storyboard template and name your video, then press Create.")),
    Step("scripts", N_("Scripts"),
         N_("Write what the voice says in each scene; the estimated duration updates as you type.")),
    Step("shoot", N_("Shoot"), N_("Shoot each scene (C opens the camera) or import a clip or photo (I).")),
    Step("voice", N_("Voice-over"), N_("Record the voice of each scene (M) or import a sound file (Enter), or skip "
                                       "to keep the video silent.")),
    Step("captions", N_("Captions"), N_("Check the captions made from the scripts; edit a script to change them.")),
    Step("render", N_("Render"), N_("Assemble the video (G); it takes a moment.")),
    Step("publish", N_("Publish"), N_("Share the video in the library: check its title, licence and authors.")),
)
IDS = tuple(s.id for s in STEPS)


def index_of(step: str) -> int:
    """The position of step *step* (0 for an unknown id: the flow starts again from the template)."""
    return IDS.index(step) if step in IDS else 0


def done(project: Project) -> set[str]:
    """The steps *project* already shows as done (the publish step is never inferred)."""
    from cagette.video.exports import latest_export

    data = project.data
    out = {"template"}
    scenes = data.scenes
    if scenes and all(s.script.strip() for s in scenes):
        out |= {"scripts", "captions"}
    if scenes and all(s.shots for s in scenes):
        out.add("shoot")
    if scenes and all(s.voice for s in scenes):
        out.add("voice")
    if latest_export(project) is not None:
        out.add("render")
    return out


def resume_step(project: Project, state: appstate.AppState | None = None) -> str:
    """Where the guided flow of *project* goes on: the step where it was left, else the first step not done."""
    state = state if state is not None else appstate.load()
    left = state.project(project.root).guided
    if left in IDS:
        return left
    finished = done(project)
    return next((s for s in IDS if s not in finished), IDS[-1])


@dataclass(frozen=True)
class Unfinished:
    root: Path
    title: str
    step: str


def unfinished(state: appstate.AppState | None = None) -> Unfinished | None:
    """The project whose guided flow is under way (None when there is none, or its folder is gone)."""
    state = state if state is not None else appstate.load()
    if not state.guided:
        return None
    root = Path(state.guided)
    if not (root / PROJECT_FILE).is_file():
        return None
    step = state.project(root).guided
    title = next((r.title for r in state.recent if r.path == state.guided), "") or root.name
    return Unfinished(root, title, step if step in IDS else IDS[1])


def left_at(root: Path, step: str) -> appstate.AppState:
    """Remember that the guided flow of *root* is at *step* (it becomes the flow to resume)."""
    if step not in IDS:
        raise ValueError(step)
    return appstate.update(lambda s: s.with_guided(root, step))


def finish(root: Path) -> appstate.AppState:
    """The guided flow of *root* is over (published): nothing is left to resume."""
    return appstate.update(lambda s: s.with_guided(root, ""))
