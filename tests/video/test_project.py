"""The project format and the one API that writes it."""

from __future__ import annotations

import threading
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cagette.errors import MediaError, ProjectError, UsageError
from cagette.fsutil import FileLock, LockedError
from cagette.video import history, synth
from cagette.video import project as pj
from cagette.video.project import Project


def _file(tmp: Path, name: str, data: bytes = b"data") -> Path:
    p = tmp / "src" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def test_create_lays_out_the_folder_and_refuses_an_existing_one(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "demo", "Ma vidéo")
    for sub in ("rushes", "frames", "audio", "exports"):
        assert (tmp_path / "demo" / sub).is_dir()
    raw = tomllib.loads((tmp_path / "demo" / "project.toml").read_text())
    assert raw["schema"] == pj.SCHEMA_VERSION
    assert raw["project"]["title"] == "Ma vidéo"
    assert p.data.slug == "ma-video"
    with pytest.raises(UsageError, match="already exists"):
        Project.create(tmp_path / "demo")
    assert not list(tmp_path.glob(".demo*"))


def test_open_missing_project_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="not a cagette project"):
        Project.open(tmp_path)


def test_scenes_keep_stable_slugs(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p")
    a = p.add_scene("Étape 1 : l'accueil", "Bonjour.")
    b = p.add_scene("Étape 1 : l'accueil")
    assert a.slug == "etape-1-l-accueil" and b.slug == "etape-1-l-accueil-2"
    p.rename_scene(a.slug, "Autre titre")
    assert p.data.scene(1).slug == a.slug and p.data.scene(1).title == "Autre titre"
    c = p.add_scene("Début", position=1)
    assert [s.slug for s in p.data.scenes] == [c.slug, a.slug, b.slug]
    p.move_scene(c.slug, 3)
    assert [s.slug for s in p.data.scenes] == [a.slug, b.slug, c.slug]
    p.reorder_scenes([c.slug, a.slug, b.slug])
    assert p.data.scene("1").slug == c.slug
    with pytest.raises(UsageError):
        p.reorder_scenes([c.slug])
    p.remove_scene(b.slug)
    assert [s.slug for s in Project.open(p.root).data.scenes] == [c.slug, a.slug]
    with pytest.raises(ProjectError, match="No scene"):
        p.data.scene("nope")


def test_add_shot_copies_into_rushes_and_keeps_the_source(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p")
    p.add_scene("Un")
    clip = synth.clip(tmp_path / "src" / "Clip été.MP4", 0.4, (64, 36), 10, audio_rate=None)
    shot = p.add_shot(1, clip, in_s=0.1, out_s=0.3, rotation=90)
    again = p.add_media(1, clip)  # the same content: the API points at the rush already there
    assert shot.kind == "clip" and shot.source == "rushes/Clip-ete.mp4"
    assert again.reused == again.shot.source == shot.source and again.shot.id != shot.id
    other = synth.clip(tmp_path / "src2" / "Clip été.MP4", 0.4, (64, 36), 10, audio_rate=None, number=3)
    assert p.add_shot(1, other).source == "rushes/Clip-ete-2.mp4"  # same name, other content: a copy
    assert sorted(f.name for f in p.rushes_dir.iterdir()) == ["Clip-ete-2.mp4", "Clip-ete.mp4"]
    again = again.shot
    assert (p.root / shot.source).read_bytes() == clip.read_bytes() and clip.exists()
    reread = Project.open(p.root).data.scene(1).shots
    assert reread[0] == shot
    photo = p.add_shot(1, synth.frame_image(tmp_path / "src" / "photo.jpg", 1, (64, 36)), ken_burns=True,
                       duration_s=2)
    assert photo.kind == "still" and photo.ken_burns
    title = p.add_shot(1, kind="title", title="Chapitre 2")
    assert title.source == ""
    with pytest.raises(MediaError, match=r"notes\.txt"):
        p.add_shot(1, _file(tmp_path, "notes.txt"))
    with pytest.raises(UsageError, match=r"rotation must be 0, 90, 180 or 270"):
        p.add_shot(1, clip, rotation=45)
    p.update_shot(shot.id, speed=2.0)
    assert p.data.find_shot(shot.id)[1].speed == 2.0
    p.remove_shot(again.id)
    p.remove_shot("1.2")  # by scene and position: the other clip
    assert [s.id for s in p.data.scene(1).shots] == [shot.id, photo.id, title.id]


def test_frames_are_numbered_deleted_reordered_duplicated(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p")
    sc = p.add_scene("Animation")
    files = [_file(tmp_path, f"img{i}.PNG", bytes([i])) for i in range(3)]
    added = p.add_frames(sc.slug, files, fps=8)
    assert [f.name for f in added] == ["0001.png", "0002.png", "0003.png"]
    shots = p.data.scene(1).shots
    assert len(shots) == 1 and shots[0].kind == "frames" and shots[0].fps == 8
    assert shots[0].source == f"frames/{sc.slug}"
    p.add_frame_data(1, b"\x09", ".jpg")
    assert [f.name for f in p.frames(1)] == ["0001.png", "0002.png", "0003.png", "0004.jpg"]
    assert len(p.data.scene(1).shots) == 1  # one frames shot per scene
    p.delete_frames(1, ["0002.png"])
    assert [f.read_bytes() for f in p.frames(1)] == [b"\x00", b"\x02", b"\x09"]
    p.reorder_frames(1, ["0003.jpg", "0001.png", "0002.png"])
    assert [f.read_bytes() for f in p.frames(1)] == [b"\x09", b"\x00", b"\x02"]
    assert [f.name for f in p.frames(1)] == ["0001.jpg", "0002.png", "0003.png"]
    p.duplicate_frames(1, "0002.png", 2)
    assert [f.read_bytes() for f in p.frames(1)] == [b"\x09", b"\x00", b"\x00", b"\x00", b"\x02"]
    assert p.delete_last_frame(1) is not None
    assert len(p.frames(1)) == 4


def test_undo_redo_restores_files_and_toml(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p")
    p.add_scene("A")
    p.add_frames(1, [_file(tmp_path, f"{i}.jpg", bytes([i])) for i in range(3)])
    before = [f.read_bytes() for f in p.frames(1)]
    p.delete_frames(1, ["0001.jpg"])
    assert len(p.frames(1)) == 2
    assert p.undo() == "Delete frames"
    assert [f.read_bytes() for f in p.frames(1)] == before
    p.redo()
    assert [f.read_bytes() for f in p.frames(1)] == before[1:]
    p.undo()
    p.undo()  # the frames themselves
    assert p.frames(1) == []
    assert p.data.scene(1).shots == ()
    p.redo()
    assert len(p.frames(1)) == 3
    p.add_scene("B")  # a new edit drops the redo branch
    assert not p.can_redo()
    labels, pos = p.history()
    assert pos == len(labels) == 3
    p.undo()
    p.undo()
    p.undo()
    with pytest.raises(ProjectError, match="Nothing to undo"):
        p.undo()
    assert Project.open(p.root).data.scenes == ()


def test_voiceover_and_music(tmp_path: Path) -> None:
    from cagette.video import synth

    p = Project.create(tmp_path / "p")
    p.add_scene("Intro")
    voice = synth.tone_wav(tmp_path / "v.wav", 1.0)
    p.set_voiceover("intro", voice)
    assert p.data.scene(1).voice == "audio/voice-intro.wav"
    assert (p.root / "audio" / "voice-intro.wav").read_bytes() == voice.read_bytes()
    p.set_voiceover("intro", voice)  # replacing keeps one file
    assert sorted(x.name for x in p.audio_dir.iterdir()) == ["voice-intro.wav"]
    p.set_music(voice, volume_db=-20)
    assert p.data.music.source == "audio/music.wav" and p.data.music.volume_db == -20
    p.set_voiceover(1, None)
    assert p.data.scene(1).voice == "" and not (p.audio_dir / "voice-intro.wav").exists()
    p.undo()
    assert (p.audio_dir / "voice-intro.wav").exists()


def test_export_choices_are_checked(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p")
    p.set_export(burn_captions=True, loudness="lobby", crossfade_s=0.5)
    e = Project.open(p.root).data.export
    assert e.burn_captions and e.loudness == "lobby" and e.crossfade_s == 0.5
    with pytest.raises((UsageError, ProjectError)):
        p.set_export(loudness="loud")
    with pytest.raises(UsageError, match="nonsense"):
        p.set_export(nonsense=1)


def test_lock_refuses_a_second_writer(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p")
    other = FileLock(p.root / pj.META_DIR / "lock")
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with other:
            held.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    p.lock.timeout = 0.2
    try:
        with pytest.raises(LockedError, match="in use"):
            p.add_scene("X")
    finally:
        release.set()
        t.join()
    p.add_scene("X")
    assert len(p.data.scenes) == 1


def test_bad_toml_is_refused_with_the_file_name(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p")
    p.file.write_text("schema = 1\n[project]\ntitle = 3\n")
    with pytest.raises(ProjectError, match=r"project\.toml"):
        Project.open(p.root)
    p.file.write_text("schema = 99\n")
    with pytest.raises(ProjectError, match="newer cagette"):
        Project.open(p.root)
    p.file.write_text("not toml [")
    with pytest.raises(ProjectError, match="not valid TOML"):
        Project.open(p.root)


def test_migration_from_format_0(tmp_path: Path) -> None:
    root = tmp_path / "old"
    root.mkdir()
    (root / "project.toml").write_text(
        '[project]\ntitle = "Vieux"\n[[scene]]\nslug = "a"\nshots = [{kind = "clip", file = "rushes/x.mp4"}]\n')
    data = Project.open(root).data
    assert data.schema == pj.SCHEMA_VERSION
    assert data.scene("a").shots[0].source == "rushes/x.mp4"


def test_a_template_is_read_and_starts_a_project_that_remembers_it(tmp_path: Path) -> None:
    d = tmp_path / "tuto" / "fr"
    d.mkdir(parents=True)
    (d / "project.toml").write_text(
        'schema = 1\n[template]\nslug = "tuto"\ntitle = "Packaged"\ndescription = "d"\n'
        'target_duration_s = 60\n[project]\ntitle = ""\nauthors = ["Them"]\norganisation = "Their town"\n'
        '[[scenes]]\nslug = "intro"\ntitle = "Intro"\nscript = "Bonjour à tous."\n')
    info = pj.read_template(d / "project.toml")
    assert (info.slug, info.title, info.description, info.target_duration_s) == ("tuto", "Packaged", "d", 60.0)
    p = Project.create(tmp_path / "new", "Titre", template=d / "project.toml", licence="CC-BY-4.0",
                       derived_from=["starter-template-tuto-fr"])
    data = Project.open(p.root).data
    assert data.template == "tuto" and data.scene("intro").script == "Bonjour à tous."
    assert data.title == "Titre" and data.licence == "CC-BY-4.0"
    assert data.derived_from == ("starter-template-tuto-fr",)
    assert data.authors == () and data.organisation == ""  # the template's makers are credited as its source
    raw = tomllib.loads(p.file.read_text(encoding="utf-8"))
    assert raw["project"]["derived_from"] == ["starter-template-tuto-fr"]
    p.set_info(derived_from=[])
    assert "derived_from" not in tomllib.loads(p.file.read_text(encoding="utf-8"))["project"]
    (d / "project.toml").write_text("schema = 1\n[project]\ntitle = 3\n")
    with pytest.raises(ProjectError, match="wrong type"):
        pj.read_template(d / "project.toml")


def test_derived_from_is_bounded(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p")
    text = p.file.read_text(encoding="utf-8").replace("[project]\n", "[project]\nderived_from = [" + ", ".join(
        f'"r{i}"' for i in range(51)) + "]\n")
    p.file.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectError, match="derived_from"):
        Project.open(p.root)


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60))
def test_slugify_is_always_a_valid_slug(text: str) -> None:
    slug = pj.slugify(text)
    assert slug and slug == pj.slugify(slug) and len(slug) <= 40


@settings(max_examples=25, deadline=None)
@given(title=st.text(max_size=30), script=st.text(max_size=200), speed=st.floats(0.1, 10),
       rot=st.sampled_from([None, 0, 90, 180, 270]))
def test_toml_round_trip(title: str, script: str, speed: float, rot: int | None) -> None:
    sc = pj.Scene(slug="a", title=title, script=script,
                  shots=(pj.Shot(id="abc", kind="clip", source="rushes/x.mp4", speed=speed, rotation=rot),))
    data = pj.ProjectData(title=title, scenes=(sc,))
    assert pj.parse(tomllib.loads(pj.dumps(data))) == data


def test_trash_keeps_only_what_undo_can_restore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "HISTORY_LIMIT", 3)
    p = Project.create(tmp_path / "p")
    p.add_scene("A")
    for i in range(4):
        p.add_frame_data(1, bytes([i]), ".png")
        p.delete_last_frame(1)
    trash = p.root / pj.META_DIR / "trash"
    assert 1 <= len(list(trash.iterdir())) <= 3
    p.undo()
    assert len(p.frames(1)) == 1


def test_logo_info_and_moving_shots(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "p")
    p.add_scene("A")
    p.add_scene("B")
    s1 = p.add_shot(1, synth.frame_image(tmp_path / "src" / "a.jpg", 1, (64, 36)))
    s2 = p.add_shot(1, synth.frame_image(tmp_path / "src" / "b.jpg", 2, (64, 36)))
    p.move_shot(s1.id, "b")
    assert [s.id for s in p.data.scene("a").shots] == [s2.id]
    assert [s.id for s in p.data.scene("b").shots] == [s1.id]
    p.move_shot(s2.id, "b", position=1)
    assert [s.id for s in p.data.scene("b").shots] == [s2.id, s1.id]
    p.set_logo(_file(tmp_path, "Logo Mairie.PNG"))
    assert p.data.export.logo == "rushes/logo.png" and (p.root / "rushes" / "logo.png").is_file()
    p.set_info(title="Nouveau", authors=["A", "B"], organisation="Mairie")
    d = Project.open(p.root).data
    assert (d.title, d.authors, d.organisation) == ("Nouveau", ("A", "B"), "Mairie")
    with pytest.raises(UsageError):
        p.set_info(colour="red")
    p.update_scene("a", script="Texte", notes="Poser le décor")
    assert p.data.scene("a").notes == "Poser le décor"
