"""The typed namespace of every command: what each handler reads from the command line.

Written by ``python -m cagette.commands.args_gen`` from the parser itself; do not edit by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class CaptureFramesArgs(Protocol):  # cagette capture frames
    capture_command: str
    project: Path
    source: str
    scene: str
    every: float | None
    trigger: str
    count: int | None
    wait_camera: float | None
    markers: Path | None
    fps: float | None
    retake: int | None
    delete: str
    reorder: str
    duplicate: str
    play: bool
    json: bool


class CapturePhoneArgs(Protocol):  # cagette capture phone
    capture_command: str
    project: Path
    port: int | None
    local: bool
    max_mb: int | None


class CaptureRecordArgs(Protocol):  # cagette capture record
    capture_command: str
    project: Path
    source: str
    scene: str
    duration: float | None
    fps: float
    json: bool


class CaptureRecoverArgs(Protocol):  # cagette capture recover
    capture_command: str
    project: Path
    json: bool


class CaptureSourcesArgs(Protocol):  # cagette capture sources
    capture_command: str
    json: bool


class CaptureVoiceArgs(Protocol):  # cagette capture voice
    capture_command: str
    project: Path
    scene: str
    duration: float | None
    count_in: int
    backend: str
    device: str
    json: bool


class DeviceFlashArgs(Protocol):  # cagette device flash
    device_command: str
    port: str | None
    source: Path | None
    dry_run: bool
    json: bool


class DeviceLightsArgs(Protocol):  # cagette device lights
    device_command: str
    key: str
    fill: str
    ramp_ms: int
    port: str | None
    json: bool


class DeviceListArgs(Protocol):  # cagette device list
    device_command: str
    all: bool
    no_probe: bool
    json: bool


class DeviceSimulateArgs(Protocol):  # cagette device simulate
    device_command: str
    python: bool
    flash: Path | None


class DeviceStatusArgs(Protocol):  # cagette device status
    device_command: str
    port: str | None
    json: bool


class DeviceWatchArgs(Protocol):  # cagette device watch
    device_command: str
    count: int
    timeout: float
    port: str | None
    json: bool


class DoctorArgs(Protocol):  # cagette doctor
    json: bool


class LibraryAddArgs(Protocol):  # cagette library add
    library_command: str
    path: str
    title: str | None
    description: str | None
    kind: str | None
    tags: list[str] | None
    authors: list[str] | None
    organisation: str | None
    language: str | None
    licence: str | None
    derived_from: list[str] | None
    people: str | None
    json: bool


class LibraryCatalogueArgs(Protocol):  # cagette library catalogue
    library_command: str
    out: str
    title: str | None
    kind: list[str]
    licence: list[str]
    language: list[str]
    organisation: list[str]
    tag: list[str]
    force: bool


class LibraryEditArgs(Protocol):  # cagette library edit
    library_command: str
    id: str
    title: str | None
    description: str | None
    kind: str | None
    tags: list[str] | None
    authors: list[str] | None
    organisation: str | None
    language: str | None
    licence: str | None
    derived_from: list[str] | None
    people: str | None
    json: bool


class LibraryExportArgs(Protocol):  # cagette library export
    library_command: str
    id: str
    out: str
    force: bool


class LibraryFsckArgs(Protocol):  # cagette library fsck
    library_command: str
    json: bool


class LibraryGcArgs(Protocol):  # cagette library gc
    library_command: str
    unreferenced: bool
    json: bool


class LibraryInitArgs(Protocol):  # cagette library init
    library_command: str
    site_name: str | None
    no_starter: bool
    community: str | None
    json: bool


class LibraryJoinArgs(Protocol):  # cagette library join
    library_command: str
    code: str
    json: bool


class LibraryListArgs(Protocol):  # cagette library list
    library_command: str
    kind: list[str]
    licence: list[str]
    language: list[str]
    organisation: list[str]
    tag: list[str]
    all: bool
    json: bool


class LibraryModeratorsArgs(Protocol):  # cagette library moderators
    library_command: str
    add: list[str]
    remove: list[str]
    json: bool


class LibraryReindexArgs(Protocol):  # cagette library reindex
    library_command: str


class LibraryRetractArgs(Protocol):  # cagette library retract
    library_command: str
    id: str
    purge: bool
    reason: str
    json: bool


class LibrarySearchArgs(Protocol):  # cagette library search
    library_command: str
    query: list[str]
    kind: list[str]
    licence: list[str]
    language: list[str]
    organisation: list[str]
    tag: list[str]
    limit: int
    json: bool


class LibraryShowArgs(Protocol):  # cagette library show
    library_command: str
    id: str
    json: bool


class LibrarySiteArgs(Protocol):  # cagette library site
    library_command: str
    name: str | None
    json: bool


class LibraryStatsArgs(Protocol):  # cagette library stats
    library_command: str
    json: bool


class PlansBuildArgs(Protocol):  # cagette plans build
    plans_command: str
    preset: str | None
    params: Path | None
    sets: list[str]
    out: Path
    only: str | None
    force: bool
    quiet: bool


class PlansPresetsArgs(Protocol):  # cagette plans presets
    plans_command: str
    json: bool


class PlansShowArgs(Protocol):  # cagette plans show
    plans_command: str
    preset: str | None
    params: Path | None
    sets: list[str]
    json: bool


class PlansViewArgs(Protocol):  # cagette plans view
    plans_command: str
    preset: str | None
    params: Path | None
    sets: list[str]
    out: Path
    size: int
    force: bool
    json: bool


class ProjectCaptionsArgs(Protocol):  # cagette project captions
    project_command: str
    project: str
    export: str | None
    import_file: str | None
    clear: bool
    preset: str | None
    force: bool
    json: bool


class ProjectCardsArgs(Protocol):  # cagette project cards
    project_command: str
    project: str
    title_card: bool | None
    title_card_s: float | None
    end_card: bool | None
    end_card_s: float | None
    credits: str | None
    json: bool


class ProjectCheckArgs(Protocol):  # cagette project check
    project_command: str
    project: str
    json: bool


class ProjectExportArgs(Protocol):  # cagette project export
    project_command: str
    project: str
    preset: str | None
    burn_captions: bool | None
    portrait_fill: str | None
    loudness: str | None
    crossfade_s: float | None
    fade_s: float | None
    still_s: float | None
    frames_fps: float | None
    voice_cleanup: bool | None
    deflicker: bool | None
    caption_cps: float | None
    json: bool


class ProjectExportOtioArgs(Protocol):  # cagette project export-otio
    project_command: str
    project: str
    file: str
    preset: str | None
    force: bool
    json: bool


class ProjectImportArgs(Protocol):  # cagette project import
    project_command: str
    project: str
    files: list[str]
    scene: str | None
    music: bool
    json: bool


class ProjectInfoArgs(Protocol):  # cagette project info
    project_command: str
    project: str
    title: str | None
    slug: str | None
    description: str | None
    author: list[str] | None
    no_authors: bool
    organisation: str | None
    language: str | None
    licence: str | None
    derived_from: list[str] | None
    no_derived_from: bool
    json: bool


class ProjectLogoArgs(Protocol):  # cagette project logo
    project_command: str
    project: str
    file: str | None
    clear: bool
    json: bool


class ProjectMusicArgs(Protocol):  # cagette project music
    project_command: str
    project: str
    file: str | None
    clear: bool
    volume_db: float | None
    duck_db: float | None
    fade_in_s: float | None
    fade_out_s: float | None
    json: bool


class ProjectNewArgs(Protocol):  # cagette project new
    project_command: str
    path: str
    title: str | None
    template: str | None
    json: bool


class ProjectPreviewArgs(Protocol):  # cagette project preview
    project_command: str
    project: str
    at: float
    preset: str | None
    out: str
    force: bool
    json: bool


class ProjectRedoArgs(Protocol):  # cagette project redo
    project_command: str
    project: str
    json: bool


class ProjectSceneArgs(Protocol):  # cagette project scene
    project_command: str
    project: str
    scene: str
    title: str | None
    script: str | None
    script_file: str | None
    notes: str | None
    lower_third: str | None
    position: int | None
    remove: bool
    json: bool


class ProjectShotArgs(Protocol):  # cagette project shot
    project_command: str
    project: str
    shot: str
    in_s: float | None
    out_s: object
    speed: float | None
    rotation: str | None
    duration_s: object
    fps: object
    ken_burns: bool | None
    title: str | None
    caption: str | None
    volume_db: float | None
    scene: str | None
    position: int | None
    remove: bool
    json: bool


class ProjectShowArgs(Protocol):  # cagette project show
    project_command: str
    project: str
    json: bool


class ProjectTemplatesArgs(Protocol):  # cagette project templates
    project_command: str
    json: bool


class ProjectTitleArgs(Protocol):  # cagette project title
    project_command: str
    project: str
    text: str
    scene: str | None
    duration: float | None
    position: int | None
    json: bool


class ProjectUndoArgs(Protocol):  # cagette project undo
    project_command: str
    project: str
    json: bool


class ProjectVoiceArgs(Protocol):  # cagette project voice
    project_command: str
    project: str
    scene: str
    file: str | None
    clear: bool
    json: bool


class RenderArgs(Protocol):  # cagette render
    project: str
    preset: str | None
    out: str | None
    burn_captions: bool
    voice_cleanup: bool | None
    deflicker: bool | None
    engine: str
    no_cache: bool
    quiet: bool
    skip_check: bool
    force: bool
    json: bool


class ServeArgs(Protocol):  # cagette serve
    port: int | None
    lan: bool
    tls: bool
    token: str | None
    write_token: str | None
    advertise: bool
    max_object_mb: int | None
    max_request_mb: int | None
    max_connections: int | None
    timeout: float | None
    min_rate: float | None
    allow_host: list[str] | None


class SyncArgs(Protocol):  # cagette sync
    remote: str
    pull: bool
    push: bool
    only: list[str]
    metadata_only: bool
    dry_run: bool
    endpoint: str | None
    timeout: float | None
    deadline: float | None
    min_rate: float | None
    max_object_mb: float | None
    max_response_mb: float | None
    keep_free_mb: float | None
    wait: float
    forget: str | None
    json: bool


class WebArgs(Protocol):  # cagette web
    port: int | None
    host: str
    open: bool
