"""What the starter's tests share, made once per session: the sample rendered, the figures, the guides."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from cagette.starter import StarterResource
    from cagette.starter.figures import FigureSet


@dataclass(frozen=True)
class RenderedSample:
    folder: Path
    before_render: list[StarterResource]  # what sample_resources() found before the render


@pytest.fixture(scope="session")
def rendered_sample(tmp_path_factory: pytest.TempPathFactory) -> RenderedSample:
    """The French sample project, made from code and rendered as a draft by the real render."""
    from cagette.starter import sample_resources
    from cagette.starter.sample import make_sample
    from tests.conftest import run_cli

    folder = make_sample(tmp_path_factory.mktemp("sample") / "sample", "fr")
    before = sample_resources(folder, "fr")
    rendered = run_cli("render", str(folder), "--preset", "draft", "--quiet", timeout=300)
    assert rendered.returncode == 0, rendered.stderr
    return RenderedSample(folder, before)


@pytest.fixture(scope="session")
def plans_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The parts of a real ``cagette plans build`` the figures use (params, guide, cards)."""
    from cagette.starter.figures import build_kit

    return build_kit(tmp_path_factory.mktemp("kit") / "kit")


@pytest.fixture(scope="session")
def starter_figures(tmp_path_factory: pytest.TempPathFactory, plans_kit: Path,
                    rendered_sample: RenderedSample) -> FigureSet:
    from cagette.starter.figures import make_figures

    return make_figures(tmp_path_factory.mktemp("figures") / "figures", kit=plans_kit, sample=rendered_sample.folder)


@pytest.fixture(scope="session")
def built_docs(tmp_path_factory: pytest.TempPathFactory, starter_figures: FigureSet) -> dict[str, tuple[Path, ...]]:
    """Every starter document in both languages, built once: the guide with its figures."""
    from cagette.starter import build

    out = tmp_path_factory.mktemp("starter-docs")
    made: dict[str, tuple[Path, ...]] = {}
    for lang in build.LANGUAGES:
        made[f"guide-{lang}"] = build.build_guide(lang, out, starter_figures)
        made[f"kit-{lang}"] = build.build_trainer_kit(lang, out)
        made[f"sheets-{lang}"] = build.build_storyboard_sheets(lang, out)
        made[f"memo-{lang}"] = (build.build_key_memo(lang, out),)
        made[f"consent-{lang}"] = build.build_form(lang, "consent", out)
        made[f"feedback-{lang}"] = build.build_form(lang, "feedback", out)
    return made
