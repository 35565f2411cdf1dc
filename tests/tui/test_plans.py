"""Plans screen with Pilot: figures update as you type, refused values are explained, the kit is built on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from cagette_tui.app import CagetteApp
from cagette_tui.screens.plans import PlansScreen
from tests.tui.helpers import wait_for


async def test_figures_live_and_errors_beside_the_field(tmp_path: Path) -> None:
    app = CagetteApp(lang="en")
    async with app.run_test(size=(140, 50)) as pilot:
        screen = PlansScreen(preset="phone-a4", out_dir=tmp_path / "kit")
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#figures") and "Shelf height" in str(
            screen.query_one("#figures").render()))
        before = screen.params.framing.shelf_height_mm
        field = screen.query_one("#f-lens_focal_35mm_mm", Input)
        field.value = "35"
        await wait_for(pilot, lambda: screen.params.lens_focal_35mm_mm == 35.0, what="new focal length")
        assert screen.params.framing.shelf_height_mm > before  # a narrower lens sits higher
        assert f"{screen.params.framing.shelf_height_mm:.0f} mm" in str(screen.query_one("#figures").render())

        field = screen.query_one("#f-board_thickness_mm", Input)
        field.value = "thick"
        await wait_for(pilot, lambda: "board_thickness_mm" in screen.invalid, what="refused value")
        assert "⚠" in str(screen.query_one("#err-board_thickness_mm").render())
        field.value = "-3"
        await wait_for(pilot, lambda: str(screen.query_one("#err-board_thickness_mm").render()).strip()
                       or screen.general_error, what="refused range")
        field.value = "6"
        await wait_for(pilot, lambda: not screen.invalid and not screen.general_error, what="valid again")


@pytest.mark.slow
async def test_build_the_cutting_files(tmp_path: Path) -> None:
    from textual.widgets import Select

    app = CagetteApp(lang="en")
    async with app.run_test(size=(140, 50)) as pilot:
        screen = PlansScreen(preset="phone-a4", out_dir=tmp_path / "kit")
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#what"))
        screen.query_one("#what", Select).value = "2d"
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: screen.built, timeout=180, what="kit built")
        kit = tmp_path / "kit"
        assert (kit / "params.toml").is_file()
        assert list(kit.rglob("*.dxf")) and list(kit.rglob("*.svg"))
        assert "files written" in str(screen.query_one("#built").render())


async def test_every_parameter_of_the_model_has_a_control_and_a_label(tmp_path: Path) -> None:
    import dataclasses

    from textual.widgets import Checkbox, Select

    from cagette.plans.params import BoxParams
    from cagette_tui.screens.plans_form import LABELS

    app = CagetteApp(lang="fr")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = PlansScreen(preset="phone-a4", out_dir=tmp_path / "kit", view_dir=tmp_path / "view")
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#f-name"), what="the form")
        names = [f.name for f in dataclasses.fields(BoxParams)]
        assert {"wing_tilt_deg", "joint_play_mm", "dog_bones", "card_paper"} <= set(names)
        for name in names:
            widget = screen.query_one(f"#f-{name}")
            value = getattr(screen.params, name)
            if isinstance(value, bool):
                assert isinstance(widget, Checkbox) and widget.value is value
            elif hasattr(value, "value"):  # a choice
                assert isinstance(widget, Select) and widget.value == value.value
            else:
                assert isinstance(widget, Input) and widget.value == (f"{value:g}" if isinstance(value, float)
                                                                       else str(value))
        assert set(LABELS) == set(names)  # each has a label (a new one is shown by its name until then)
        # changing the new parameters changes the box the screen holds
        screen.query_one("#f-wing_tilt_deg", Input).value = "60"
        screen.query_one("#f-joint_play_mm", Input).value = "0.2"
        await wait_for(pilot, lambda: (screen.params.wing_tilt_deg, screen.params.joint_play_mm) == (60.0, 0.2),
                       what="the new values")


def test_a_parameter_added_to_the_model_gets_a_control_without_editing_the_screen() -> None:
    import dataclasses

    from cagette.plans.params import BoxParams
    from cagette_tui.screens.plans_form import model_fields

    @dataclasses.dataclass(frozen=True)
    class More(BoxParams):
        lamp_count: int = 2
        lamp_dimmer: bool = False

    fields = {f.name: f for f in model_fields(More())}
    assert len(fields) == len(dataclasses.fields(BoxParams)) + 2
    assert (fields["lamp_count"].kind, fields["lamp_count"].label) == ("text", "lamp_count")
    assert fields["lamp_dimmer"].kind == "switch" and fields["stage"].choices == ("a4", "a3", "custom")


def _cli_error(tmp_path: Path, lines: str) -> str:
    """What `cagette plans build --params FILE` says of a params file (and it must refuse it)."""
    from tests.conftest import run_cli

    params = tmp_path / "bad.toml"
    params.write_text(lines, encoding="utf-8")
    done = run_cli("plans", "build", "--preset", "phone-a4", "--params", str(params), "--out", str(tmp_path / "cli"),
                   env={"CAGETTE_LANG": "en"})
    assert done.returncode != 0 and not (tmp_path / "cli").exists(), done.stderr
    return done.stderr


@pytest.mark.slow
async def test_a_refused_value_says_what_the_command_line_says_and_nothing_is_built(tmp_path: Path) -> None:
    from textual.widgets import Checkbox

    cases = [("wing_tilt_deg", "120", "wing_tilt_deg = 120\n"), ("joint_play_mm", "loose", 'joint_play_mm = "loose"\n')]
    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = PlansScreen(preset="phone-a4", out_dir=tmp_path / "kit", view_dir=tmp_path / "view")
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#f-name"), what="the form")
        for name, typed, toml in cases:
            field = screen.query_one(f"#f-{name}", Input)
            field.value = typed
            await wait_for(pilot, lambda name=name: name in screen.invalid, what=f"{name} refused")
            shown = screen.invalid[name]
            assert "\n" not in shown and shown.split(" → ")[0] in _cli_error(tmp_path, toml), shown
            assert "⚠" in str(screen.query_one(f"#err-{name}").render())
            await pilot.press("ctrl+b", "ctrl+o")
            await pilot.pause()
            assert not (tmp_path / "kit").exists() and not (tmp_path / "view").exists()
            field.value = "0.1" if name == "joint_play_mm" else "90"
            await wait_for(pilot, lambda name=name: name not in screen.invalid, what=f"{name} valid again")
        # a value refused with another one (dog-bones and a cutter of 0 mm): both fields say why
        screen.query_one("#f-tool_diameter_mm", Input).value = "0"
        screen.query_one("#f-dog_bones", Checkbox).value = True
        await wait_for(pilot, lambda: "dog_bones" in screen.invalid, what="the cross-field refusal")
        said = screen.invalid["dog_bones"].split(" → ")[0]
        assert said in _cli_error(tmp_path, "dog_bones = true\ntool_diameter_mm = 0\n")
        assert screen.invalid.get("tool_diameter_mm") == screen.invalid["dog_bones"]
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert not (tmp_path / "kit").exists()


@pytest.mark.slow
async def test_the_view_from_the_lens_is_the_command_lines_with_its_glare_and_light_figures(tmp_path: Path) -> None:
    import hashlib
    import json

    from tests.conftest import run_cli

    def cli_view(tilt: str) -> tuple[dict[str, float], str]:
        out = tmp_path / f"cli-{tilt}.png"
        done = run_cli("plans", "view", "--preset", "phone-a4", "--set", f"wing_tilt_deg={tilt}", "--out", str(out),
                       "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout), hashlib.sha256(out.read_bytes()).hexdigest()

    app = CagetteApp(lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = PlansScreen(preset="phone-a4", out_dir=tmp_path / "kit", view_dir=tmp_path / "view")
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.query("#f-wing_tilt_deg"), what="the form")
        png = tmp_path / "view" / "view-from-lens.png"
        for tilt in ("90", "45"):
            screen.query_one("#f-wing_tilt_deg", Input).value = tilt
            await wait_for(pilot, lambda tilt=tilt: screen.params.wing_tilt_deg == float(tilt), what="tilt")
            if screen.lens is not None:
                assert "⟳" in str(screen.query_one("#lens-figures").render())  # the view shown is out of date
            before = screen.lens
            await pilot.press("ctrl+o")
            await wait_for(pilot, lambda before=before: screen.lens is not before, what="the view")
            figures, digest = cli_view(tilt)
            assert hashlib.sha256(png.read_bytes()).hexdigest() == digest  # the same picture as `plans view`
            text = str(screen.query_one("#lens-figures").render())
            assert f"{figures['glare_margin_mm']:.0f} mm outside the frame" in text, text
            assert f"Light evenness: {figures['light_evenness_ev']:.2f} EV" in text, text
            mark = "✔" if figures["light_evenness_ev"] <= 0.5 else "⚠"
            assert f"{mark} Light evenness" in text and "⟳" not in text
        assert "⚠ Light evenness" in text  # at 45° the light is uneven: said with a glyph, not a colour
        assert not app.errors_shown


def test_a_cancelled_look_leaves_no_picture(tmp_path: Path) -> None:
    from cagette.errors import Cancelled
    from cagette.plans.params import load_preset
    from cagette.progress import CancelToken, Progress
    from cagette_tui.screens.plans_view import look

    token = CancelToken()
    steps = []

    def seen(event: object) -> None:
        steps.append(event)
        if getattr(event, "done", 0) >= 1:
            token.cancel()  # cancelled once the picture is rendered, before it is written

    with pytest.raises(Cancelled):
        look(load_preset("phone-a4"), tmp_path / "view", Progress(callback=seen, token=token, min_interval_s=0))
    assert steps and not (tmp_path / "view").exists()
