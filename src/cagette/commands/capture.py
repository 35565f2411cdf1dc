"""``cagette capture``: cameras, recording, voice-over, stop-motion, the phone page."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.commands import command, group
from cagette.commands._output import add_json, cli_progress, emit_json, table
from cagette.errors import CaptureError, UsageError
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context
    from cagette.commands import SubParsers
    from cagette.commands.args import (
        CaptureFramesArgs,
        CapturePhoneArgs,
        CaptureRecordArgs,
        CaptureRecoverArgs,
        CaptureSourcesArgs,
        CaptureVoiceArgs,
    )
    from cagette.video.project import Project


def register(sub: SubParsers) -> None:
    inner = group(sub, "capture", _("film with a phone or a webcam: record, voice-over, stop-motion, phone upload"))
    inner.help = _("what to capture")

    p = command(inner, "sources", _("list the local cameras and explain how to connect a phone"), run_sources)
    add_json(p)

    p = command(inner, "record", _("record a scene from a camera into the project's rushes/"), run_record)
    p.add_argument("project", type=Path, help=_("the project folder"))
    p.add_argument("source", nargs="?", default="",
                   help=_("camera URL (http://IP:8080/video, rtsp://…), /dev/videoN or a video file "
                          "(default: capture.default_source in the settings)"))
    p.add_argument("--scene", required=True, help=_("the scene (its slug or number) the recording belongs to"))
    p.add_argument("--duration", type=float, default=None, help=_("stop after this many seconds (default: Enter)"))
    p.add_argument("--fps", type=float, default=0.0, help=_("the camera's frame rate, if known (for drop counts)"))
    add_json(p)

    p = command(inner, "recover", _("turn the segments of an interrupted recording into its shot"), run_recover)
    p.add_argument("project", type=Path, help=_("the project folder"))
    add_json(p)

    p = command(inner, "voice", _("record the scene's voice-over from the microphone"), run_voice)
    p.add_argument("project", type=Path, help=_("the project folder"))
    p.add_argument("--scene", required=True, help=_("the scene (its slug or number) the voice-over belongs to"))
    p.add_argument("--duration", type=float, default=None, help=_("stop after this many seconds (default: Enter)"))
    p.add_argument("--count-in", type=int, default=3, help=_("seconds counted down before recording starts"))
    p.add_argument("--backend", choices=("auto", "pulse", "alsa"), default="auto",
                   help=_("sound system to record from (auto: PulseAudio if running, else ALSA)"))
    p.add_argument("--device", default="", help=_("microphone name (default: the system's default input)"))
    add_json(p)

    p = command(inner, "frames", _("stop-motion: take, retake, delete, reorder and play a scene's frames"), run_frames)
    p.add_argument("project", type=Path, help=_("the project folder"))
    p.add_argument("source", nargs="?", default="", help=_("camera URL, /dev/videoN or video file to take frames from"))
    p.add_argument("--scene", required=True, help=_("the scene (its slug or number) the frames belong to"))
    p.add_argument("--every", type=float, default=None, help=_("timelapse: take a frame every N seconds"))
    p.add_argument("--trigger", choices=("key", "device"), default="key",
                   help=_("shutter: keyboard, presenter or pedal keys, or the studio controller's button"))
    p.add_argument("--count", type=int, default=None, help=_("stop after taking this many frames"))
    p.add_argument("--wait-camera", type=float, default=None, metavar="SECONDS",
                   help=_("stop when the camera has sent no picture for this long (default: 120)"))
    p.add_argument("--markers", type=Path, default=None,
                   help=_("params.toml of the kit: straighten and crop the stage from its four markers"))
    p.add_argument("--fps", type=float, default=None, help=_("frames per second of the animation"))
    p.add_argument("--retake", type=int, default=None, help=_("replace frame N with a new picture"))
    p.add_argument("--delete", default="", help=_("delete frames, e.g. 3,5"))
    p.add_argument("--reorder", default="", help=_("new order of the frames, e.g. 3,1,2 (applied after --delete and --duplicate)"))
    p.add_argument("--duplicate", default="", help=_("repeat a frame: N or N:COPIES"))
    p.add_argument("--play", action="store_true", help=_("play the frames at --fps (a timing check without a window)"))
    add_json(p)

    p = command(inner, "phone", _("serve an upload page for the phone's browser (URL and QR code)"), run_phone)
    p.add_argument("project", type=Path, help=_("the project folder"))
    p.add_argument("--port", type=int, default=None, help=_("port to listen on (default: settings, 8471)"))
    p.add_argument("--local", action="store_true", help=_("listen on 127.0.0.1 only (tests, same computer)"))
    p.add_argument("--max-mb", type=int, default=None, help=_("largest file accepted, in MB"))


# -- helpers ------------------------------------------------------------------------------

def _open_project(path: Path) -> Project:
    from cagette.video.project import open_project

    return open_project(path)


def _numbers(text: str, what: str) -> list[int]:
    try:
        return [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise UsageError(_("{what} must be frame numbers separated by commas, not {text!r}.").format(
            what=what, text=text), _("Example: 3,1,2")) from None


def _wait_enter(stop: threading.Event) -> threading.Thread | None:
    """Set *stop* when Enter is pressed (only on a terminal)."""
    if not sys.stdin.isatty():
        return None

    def wait() -> None:
        try:
            sys.stdin.readline()
        except (OSError, ValueError):
            return
        stop.set()

    t = threading.Thread(target=wait, daemon=True)
    t.start()
    return t


def _source_or_default(given: str) -> str:
    if given:
        return given
    from cagette import settings

    default = settings.current().capture.default_source
    if not default:
        raise UsageError(_("Give a SOURCE (a camera URL, /dev/videoN or a video file)."),
                         _("Or set default_source in the [capture] section of the settings."))
    return default


# -- sources ------------------------------------------------------------------------------

def run_sources(ns: CaptureSourcesArgs, ctx: Context) -> int:
    from cagette.capture.sources import list_devices, list_microphones, local_addresses

    devices = list_devices()
    mics = list_microphones()
    addresses = local_addresses()
    help_lines = [
        _("Phone as a camera over Wi-Fi: install IP Webcam (Android) or DroidCam (Android, iPhone), start it, "
          "and give cagette the address it shows: IP Webcam http://192.168.1.20:8080/video (MJPEG) or "
          "rtsp://192.168.1.20:8080/h264_ulaw.sdp; DroidCam http://192.168.1.20:4747/video (one viewer at a time)."),
        _("A still-image address (http://IP:8080/shot.jpg) works too, polled a few times a second."),
        _("Phone over USB: recent Android phones offer a 'Webcam' USB mode; it then appears as /dev/videoN."),
        _("Locked-down phone: film with its own camera app and send the file with `cagette capture phone PROJECT`."),
        _("The phone and this computer must be on the same network."),
    ]
    if ns.json:
        emit_json({"devices": [{"path": d.path, "name": d.name} for d in devices], "addresses": addresses,
                   "microphones": [{"backend": m.backend, "device": m.device, "name": m.name} for m in mics],
                   "help": help_lines})
        return 0
    if devices:
        table([(d.path, d.name) for d in devices], [_("device"), _("name")])
    else:
        print(_("No local camera (/dev/video*) on this computer."))
    print()
    if mics:
        table([(m.backend, m.device, m.name) for m in mics], [_("sound system"), _("microphone (--device)"), _("name")])
    else:
        print(_("No microphone found (PulseAudio or ALSA)."))
    print()
    if addresses:
        print(_("This computer's addresses on the network: {addresses}").format(addresses=", ".join(addresses)))
    for line in help_lines:
        print("• " + line)
    return 0


# -- record -------------------------------------------------------------------------------

def run_record(ns: CaptureRecordArgs, ctx: Context) -> int:
    from cagette.capture.session import record_scene

    project = _open_project(ns.project)
    project.data.scene_target(ns.scene)  # refused before the camera is opened; a new scene is made at the end
    if ns.duration is not None and ns.duration <= 0:
        raise UsageError(_("--duration must be positive."), _("Give a number of seconds, e.g. --duration 30."))
    location = _source_or_default(ns.source)
    stop = threading.Event()
    if ns.duration is None:
        if not sys.stdin.isatty():
            raise UsageError(_("Without a terminal, give --duration."), _("Example: --duration 30."))
        print(_("Recording… press Enter to stop (Ctrl-C cancels)."), file=sys.stderr)
        _wait_enter(stop)
    with cli_progress(quiet=ns.json) as progress:
        rec = record_scene(project, location, ns.scene, duration_s=ns.duration, fps=ns.fps, progress=progress,
                           stop=stop)
    result = rec.result
    if ns.json:
        emit_json(rec.to_dict())
    else:
        st = result.stats
        print(_("Saved {path}: {n} frames in {s:.1f} s ({codec}, {segments} segments).").format(
            path=rec.path, n=result.frames, s=result.duration_s, codec=result.codec, segments=result.segments))
        print(_("Duplicated frames: {dup} · dropped (estimated): {drop} · reconnections: {rec} · "
                "time without signal: {lost:.1f} s").format(dup=st.duplicates, drop=st.dropped,
                                                           rec=st.reconnects, lost=st.lost_s))
    return 0


def run_recover(ns: CaptureRecoverArgs, ctx: Context) -> int:
    from cagette.capture.session import recover

    project = _open_project(ns.project)
    found = recover(project)
    if ns.json:
        emit_json([r.to_dict() for r in found])
        return 0
    if not found:
        print(_("No interrupted recording in {project}.").format(project=project.root))
    for r in found:
        if r.path:
            print(_("Recovered {path} ({n} frames) into scene {scene}.").format(path=r.path, n=r.frames,
                                                                                scene=r.scene))
        else:
            print(_("Could not recover {folder}: {error}").format(folder=r.folder, error=r.error))
    return 0


# -- voice --------------------------------------------------------------------------------

def run_voice(ns: CaptureVoiceArgs, ctx: Context) -> int:
    from cagette.capture.voice import meter, record_voice
    from cagette.fsutil import scratch_dir

    project = _open_project(ns.project)
    scene = project.data.scene(ns.scene)
    if ns.duration is None and not sys.stdin.isatty():
        raise UsageError(_("Without a terminal, give --duration."), _("Example: --duration 30."))
    stop = threading.Event()
    if ns.duration is None:
        _wait_enter(stop)
    quiet = ns.json

    def count(n: int) -> None:  # on stderr even with --json: scripts wait for it
        print(_("Recording in {n}…").format(n=n), file=sys.stderr, flush=True)

    with scratch_dir("voice-", project.meta_dir) as work, cli_progress(quiet=quiet) as progress:
        if not quiet and ns.duration is None:
            print(_("Speak now; press Enter to stop."), file=sys.stderr)
        result = record_voice(work / "voice.wav", duration_s=ns.duration, count_in=max(0, ns.count_in),
                              backend=ns.backend, device=ns.device, stop=stop, progress=progress,
                              on_count=count)
        project.set_voiceover(scene.slug, result.path)
    data = result.to_dict()
    data["path"] = str(project.audio_dir / f"voice-{scene.slug}.wav")
    if ns.json:
        emit_json(data)
    else:
        print(_("Saved {path}: {s:.1f} s, peak {peak:.1f} dBFS {bar}").format(
            path=data["path"], s=result.duration_s, peak=result.peak_dbfs, bar=meter(result.peak_dbfs, 20)))
        if result.peak_dbfs < -40:
            print(_("The level is very low: is the right microphone chosen and not muted?"))
    return 0


# -- frames -------------------------------------------------------------------------------

def _device_trigger() -> Any:
    try:
        from cagette.device import shutter_trigger
    except ImportError:
        raise CaptureError(_("The studio controller's shutter is not available in this version."),
                           _("Use --trigger key (keyboard, presenter or pedal).")) from None
    return shutter_trigger()  # --port-like order: CAGETTE_DEVICE_PORT, then the settings, then USB ids


def run_frames(ns: CaptureFramesArgs, ctx: Context) -> int:
    from cagette.capture.stopmotion import StopMotion

    project = _open_project(ns.project)
    if ns.wait_camera is not None and not ns.wait_camera > 0:  # before any edit is made
        raise UsageError(_("--wait-camera takes a number of seconds above 0, not {value}.").format(value=ns.wait_camera),
                         _("Example: --wait-camera 300"))
    edits = bool(ns.delete or ns.reorder or ns.duplicate or ns.play)
    if not ns.source:
        project.data.scene(ns.scene)  # frames are edited only in a scene that exists
    stage = None
    if ns.markers is not None:
        from cagette.capture.keystone import read_markers

        stage = read_markers(ns.markers)
    if ns.retake is None and not edits and not ns.source:
        raise UsageError(_("Give a SOURCE to take frames from, or an edit (--delete, --reorder, --duplicate, --play)."),
                         _("Example: cagette capture frames PROJECT http://192.168.1.20:8080/video --scene 1"))
    if ns.retake is not None and not ns.source:
        raise UsageError(_("--retake needs a SOURCE to take the new picture from."), None)
    # frames are taken into the scene --scene names by import's rule (a new one is made with the first frame)
    sm = StopMotion(project, ns.scene, stage=stage, fps=ns.fps)
    if ns.delete:
        sm.delete(_numbers(ns.delete, "--delete"))
    if ns.duplicate:
        number, _sep, copies = ns.duplicate.partition(":")
        try:
            sm.duplicate(int(number), int(copies or 1))
        except ValueError:
            raise UsageError(_("--duplicate takes N or N:COPIES, not {text!r}.").format(text=ns.duplicate),
                             _("Example: --duplicate 4:2")) from None
    if ns.reorder:
        sm.reorder(_numbers(ns.reorder, "--reorder"))
    taken: list[Any] = []
    if ns.source:
        taken = _shoot(ns, sm)
    played = 0
    if ns.play:
        from cagette.capture.stopmotion import playback

        rate = ns.fps or 12.0
        for _i, _img in playback(sm.frames(), rate):
            played += 1
    frames = sm.frames()
    scene = sm.scene
    if ns.json:
        emit_json({"scene": scene, "frames": [str(f.relative_to(project.root)) for f in frames],
                   "actions": [{"action": t.action, "path": str(t.path) if t.path else None,
                                "latency_ms": round(t.latency_s * 1000, 1)} for t in taken],
                   "played": played})
    else:
        print(_("Scene {scene}: {n} frames in {folder}.").format(scene=scene, n=len(frames),
                                                                  folder=project.root / "frames" / scene))
    return 0


def _shoot(ns: CaptureFramesArgs, sm: Any) -> list[Any]:
    from cagette.capture.recorder import FrameHub
    from cagette.capture.sources import open_source
    from cagette.capture.stopmotion import LOST_CAMERA_LIMIT_S
    from cagette.capture.trigger import KeyTrigger, TimerTrigger

    wait = LOST_CAMERA_LIMIT_S if ns.wait_camera is None else ns.wait_camera
    source = open_source(ns.source)
    hub = FrameHub(source).start()
    sm.hub = hub
    try:
        if hub.wait_new(-1, 10.0) is None:
            raise CaptureError(_("The camera sent no picture in {s} seconds.").format(s=10),
                               _("Check the address, and that the phone's camera app is streaming."))
        if ns.retake is not None:
            path = sm.retake(ns.retake)
            from cagette.capture.stopmotion import Taken

            return [Taken(path, "retake", 0.0)]
        trigger: Any
        if ns.every:
            trigger = TimerTrigger(ns.every)
        elif ns.trigger == "device":
            trigger = _device_trigger()
        elif sys.stdin.isatty():
            trigger = KeyTrigger()
            print(_("Space, Enter, PageDown or Right: take a frame · Backspace or d: remove the last · q: quit"),
                  file=sys.stderr)
        else:
            if not ns.count:
                raise UsageError(_("Without a terminal, give --every or --count."), None)
            trigger = KeyTrigger(fd=sys.stdin.fileno())  # keys from a pipe (scripts, tests)

        def report(t: Any) -> None:
            if t.action == "dropped":  # even with --json: the person pressing must see it
                print(t.notice, file=sys.stderr, flush=True)
                return
            if ns.json:
                return
            if t.action == "take":
                print(_("Frame {name} ({ms:.0f} ms)").format(name=t.path.name, ms=t.latency_s * 1000), file=sys.stderr)
            elif t.action == "remove":
                print(_("Removed {name}").format(name=t.path.name), file=sys.stderr)

        try:
            return list(sm.run(trigger, on_taken=report, max_frames=ns.count, lost_limit_s=wait))
        finally:
            trigger.close()
    finally:
        hub.stop()


# -- phone --------------------------------------------------------------------------------

def run_phone(ns: CapturePhoneArgs, ctx: Context) -> int:
    from cagette import settings
    from cagette.capture.phone import PhoneServer, qr_text
    from cagette.capture.sources import local_addresses

    project = _open_project(ns.project)
    conf = settings.current().capture
    port = ns.port if ns.port is not None else conf.phone_port
    max_mb = ns.max_mb if ns.max_mb is not None else conf.upload_max_mb
    if max_mb <= 0:
        raise UsageError(_("--max-mb must be positive."), None)
    host = "127.0.0.1" if ns.local else "0.0.0.0"  # a phone cannot reach 127.0.0.1
    server = PhoneServer(project, host, port, max_mb * 1024 * 1024)
    shown = ["127.0.0.1"] if ns.local else (local_addresses() or ["127.0.0.1"])
    url = server.url(shown[0])
    print(_("Open this address on the phone (same Wi-Fi), or scan the code:"))
    print(url, flush=True)
    print(qr_text(url))
    for other in shown[1:]:
        print(_("Also: {url}").format(url=server.url(other)))
    print(_("Files go to {folder}. Ctrl-C to stop.").format(folder=project.rushes_dir), flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    return 0
