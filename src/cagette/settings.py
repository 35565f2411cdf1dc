"""Strict TOML settings: every key typed, unknown keys refused by name.

The file is ``settings.toml`` in the config folder (see
:mod:`cagette.locations`; ``CAGETTE_SETTINGS`` names another file). Each
section is a frozen dataclass below; a key that is not a field, or a value of
the wrong type, raises :class:`~cagette.errors.SettingsError` (exit status 2)
naming the file, the key and what is expected.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cagette import locations
from cagette.errors import SettingsError
from cagette.i18n import _


@dataclass(frozen=True)
class GeneralSettings:
    lang: str = ""  # "fr" or "en"; empty: CAGETTE_LANG, then the locale
    author: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class VideoSettings:
    words_per_minute: int = 130
    default_preset: str = "web-16x9"
    render_cache_mb: int = 2048  # each project's render cache (segments, sound) keeps at most this, oldest out


@dataclass(frozen=True)
class PlansSettings:
    default_preset: str = "phone-a4"


@dataclass(frozen=True)
class LibrarySettings:
    site_name: str = ""
    seed_starter: bool = True


@dataclass(frozen=True)
class SyncSettings:
    s3_endpoint: str = ""
    s3_region: str = "us-east-1"
    timeout_s: float = 30.0  # a peer silent this long is given up
    deadline_s: float = 86400.0  # no sync lasts longer than this
    min_rate_kb_s: float = 1.0  # a peer slower than this, over timeout_s of waiting, is given up
    max_object_mb: int = 4096  # the largest file taken from a peer
    max_response_mb: int = 256  # the largest answer (state, log lines, lists), once decompressed
    keep_free_mb: int = 100  # disk space a sync leaves free
    s3_multipart_mb: int = 64  # objects at least this big go up to a bucket in parts, resumably
    s3_part_mb: int = 16  # the size of those parts (S3 needs at least 5)


@dataclass(frozen=True)
class ServeSettings:
    port: int = 8470
    max_object_mb: int = 4096  # the largest file a peer may push
    max_request_mb: int = 64  # the largest other request body (JSON, log lines)
    max_connections: int = 32  # connections and requests at once; beyond, 503
    timeout_s: float = 30.0  # a client silent this long (headers included) is closed
    min_rate_kb_s: float = 1.0  # a client slower than this, over timeout_s of waiting, is closed
    allowed_hosts: tuple[str, ...] = ()  # Host names accepted besides IP addresses, localhost and this machine's name


@dataclass(frozen=True)
class CaptureSettings:
    phone_port: int = 8471
    upload_max_mb: int = 4096
    default_source: str = ""


@dataclass(frozen=True)
class DeviceSettings:
    port: str = ""


@dataclass(frozen=True)
class WebSettings:
    port: int = 8472


@dataclass(frozen=True)
class Settings:
    general: GeneralSettings = field(default_factory=GeneralSettings)
    video: VideoSettings = field(default_factory=VideoSettings)
    plans: PlansSettings = field(default_factory=PlansSettings)
    library: LibrarySettings = field(default_factory=LibrarySettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    capture: CaptureSettings = field(default_factory=CaptureSettings)
    device: DeviceSettings = field(default_factory=DeviceSettings)
    web: WebSettings = field(default_factory=WebSettings)


def _type_name(tp: Any) -> str:
    return {str: "text", int: "integer", float: "number", bool: "true/false"}.get(tp, str(tp))


def _coerce(value: Any, tp: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (list, tuple):
        (item,) = typing.get_args(tp)[:1]
        if not isinstance(value, list):
            raise SettingsError(
                _("{where} must be a list.").format(where=where),
                _("Write it as [\"a\", \"b\"]."),
            )
        return tuple(_coerce(v, item, where) for v in value)
    if origin in (typing.Union, types.UnionType):
        errors = []
        for option in typing.get_args(tp):
            if option is type(None):
                continue
            try:
                return _coerce(value, option, where)
            except SettingsError as exc:
                errors.append(exc)
        raise errors[0]
    ok = (
        isinstance(value, bool) if tp is bool
        else isinstance(value, int) and not isinstance(value, bool) if tp is int
        else isinstance(value, (int, float)) and not isinstance(value, bool) if tp is float
        else isinstance(value, tp)
    )
    if not ok:
        raise SettingsError(
            _("{where} must be {kind}, not {value!r}.").format(where=where, kind=_type_name(tp), value=value),
            _("Correct that value in the settings file."),
        )
    return float(value) if tp is float else value


def from_dict(data: dict[str, Any], source: str = "settings") -> Settings:
    """Build :class:`Settings` from parsed TOML, refusing anything unknown."""
    sections: dict[str, Any] = {}
    hints = typing.get_type_hints(Settings)
    for name, table in data.items():
        if name not in hints:
            raise SettingsError(
                _("Unknown section [{name}] in {source}.").format(name=name, source=source),
                _("Known sections: {known}.").format(known=", ".join(sorted(hints))),
            )
        if not isinstance(table, dict):
            raise SettingsError(
                _("{name} in {source} must be a section [{name}].").format(name=name, source=source),
                _("Put its keys under a [{name}] line.").format(name=name),
            )
        cls = hints[name]
        fields = typing.get_type_hints(cls)
        values = {}
        for key, value in table.items():
            if key not in fields:
                raise SettingsError(
                    _("Unknown key {key!r} in section [{name}] of {source}.").format(key=key, name=name, source=source),
                    _("Known keys: {known}.").format(known=", ".join(sorted(fields))),
                )
            values[key] = _coerce(value, fields[key], f"[{name}] {key}")
        sections[name] = cls(**values)
    return Settings(**sections)


def load(path: Path | None = None) -> Settings:
    """Read the settings file (missing file: defaults)."""
    path = path or locations.settings_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise SettingsError(
            _("Cannot read the settings file {path}: {error}.").format(path=path, error=exc.strerror),
            _("Check its permissions, or set CAGETTE_HOME to another folder."),
        ) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(
            _("The settings file {path} is not valid TOML: {error}.").format(path=path, error=exc),
            _("Fix that line, or move the file away to start from the defaults."),
        ) from exc
    return from_dict(data, str(path))


@cache
def current() -> Settings:
    """The settings of this process, read once."""
    return load()


def to_dict(settings: Settings) -> dict[str, Any]:
    return dataclasses.asdict(settings)
