"""A sample project made entirely of synthetic media (for the demo, the benchmark and the starter area).

``build_sample(root)`` writes a small French tutorial: a title card, clips, a
photo with a Ken Burns pan, a stop-motion of paper shapes, espeak-ng voice-overs,
music, a logo, a lower third, burned-in captions. ``size`` and ``seconds_per_shot``
scale it (the benchmark makes a 60 s 1080p one).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from cagette.video import synth
from cagette.video.project import Project

SCENES = [
    ("Accueil", "Bonjour ! Aujourd'hui, nous allons voir comment déclarer un changement d'adresse en ligne."),
    ("Le formulaire", "Ouvrez le site de votre mairie, puis cherchez la rubrique « Mes démarches »."),
    ("Les pièces", "Préparez un justificatif de domicile de moins de trois mois et votre pièce d'identité."),
    ("L'envoi", "Vérifiez vos informations, puis envoyez le formulaire. Vous recevez un accusé de réception."),
    ("Conclusion", "C'est terminé ! Si vous avez une question, l'accueil de la mairie peut vous aider."),
]


def build_sample(root: Path, *, size: tuple[int, int] = (640, 360), seconds_per_shot: float = 2.0,
                 shots: int = 10, lang: str = "fr", title: str = "Changer d'adresse en ligne") -> Project:
    """Create the sample project at *root* (replaced if it exists) and return it."""
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    with tempfile.TemporaryDirectory(prefix="cagette-sample-") as tmp:
        media = Path(tmp)
        p = Project.create(root, title, language=lang, authors=["Camille Martin"],
                           organisation="Mairie de Villeneuve")
        p.set_export(burn_captions=True, crossfade_s=0.4, credits="Musique : accords synthétiques, CC0",
                     title_card_s=3.0, end_card_s=4.0)
        p.set_logo(synth.paper_shape(media / "logo.png", "circle", (128, 128), seed=1))
        w, h = size
        kinds = ["clip", "still", "frames", "clip", "title", "clip", "still", "frames", "clip", "still"]
        for n, (name, text) in enumerate(SCENES, 1):
            p.add_scene(name, text, lower_third="Camille Martin, agente d'accueil" if n == 1 else "")
            voice = synth.speech_wav(media / f"voice-{n}.wav", text, lang=lang, speed_wpm=150)
            p.set_voiceover(n, voice)
        per_scene = max(1, shots // len(SCENES))
        for i in range(shots):
            scene = min(len(SCENES), i // per_scene + 1)
            kind = kinds[i % len(kinds)]
            if kind == "clip":
                f = synth.clip(media / f"shot{i + 1:02d}.mp4", seconds_per_shot + 0.5, (w, h), 30, number=i + 1,
                               audio_rate=48000 if i % 2 else 44100, freq=300 + 40 * i)
                p.add_shot(scene, f, in_s=0.5)
            elif kind == "still":
                f = synth.paper_shape(media / f"shot{i + 1:02d}.jpg", ("square", "triangle", "circle")[i % 3],
                                      (w * 5 // 4, h * 5 // 4), seed=i)
                p.add_shot(scene, f, duration_s=seconds_per_shot, ken_burns=True)
            elif kind == "frames":
                count = max(4, int(seconds_per_shot * 8))
                files = [synth.paper_shape(media / f"f{i}-{k:03d}.png", "circle", (w, h), seed=k)
                         for k in range(count)]
                p.add_frames(scene, files, fps=8)
            else:
                p.add_shot(scene, kind="title", title=f"Étape {scene}", duration_s=seconds_per_shot)
        total = len(SCENES) * seconds_per_shot * per_scene + 10
        p.set_music(synth.music_wav(media / "music.wav", min(total, 30.0)), volume_db=-16, duck_db=-14)
    return p
