"""What a resource is: kinds, fields, licences, and the attribution rules.

A resource's fields travel in log events (``add`` carries them all, ``edit``
a subset). :func:`check_fields` is the one validator, used both when this
site writes an event and when a log line from anywhere is read, so a hostile
line cannot smuggle in a path, a bad hash or an unknown field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cagette.errors import LibraryError, UsageError
from cagette.i18n import N_, _
from cagette.library.keys import is_hex
from cagette.library.objects import is_hash

KINDS = ("video", "storyboard", "template", "guide", "plan", "frames", "audio")
KIND_LABELS = {
    "video": N_("video"), "storyboard": N_("storyboard"), "template": N_("template"),
    "guide": N_("guide"), "plan": N_("plan"), "frames": N_("frames"), "audio": N_("audio"),
}
ROLES = ("main", "captions", "transcript", "thumbnail", "storyboard", "source", "attachment")
ROLE_LABELS = {
    "main": N_("main"), "captions": N_("captions"), "transcript": N_("transcript"), "thumbnail": N_("thumbnail"),
    "storyboard": N_("storyboard"), "source": N_("source"), "attachment": N_("attachment"),
}
DEFAULT_LICENCE = "CC-BY-SA-4.0"
# Whether people can be recognised in a resource, and whether their right-to-image consent is on file
# ("" when nobody said): a site may refuse to publish "no-consent", and a catalogue shows it.
PEOPLE = ("none", "consent", "no-consent")
PEOPLE_LABELS = {
    "none": N_("nobody appears"), "consent": N_("people appear, their consent is on file"),
    "no-consent": N_("people appear, their consent is not on file"),
}
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
FILE_NAME_RE = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")
MEDIA_TYPE_RE = re.compile(r"^[a-z0-9.+-]+/[A-Za-z0-9.+-]+$")

# SPDX ids relevant to the resources a community of administrations shares:
# Creative Commons, the French public licences, open hardware, software.
LICENCES: dict[str, str] = {
    "CC0-1.0": "Creative Commons Zero v1.0 Universal",
    "CC-BY-4.0": "Creative Commons Attribution 4.0 International",
    "CC-BY-SA-4.0": "Creative Commons Attribution Share Alike 4.0 International",
    "CC-BY-ND-4.0": "Creative Commons Attribution No Derivatives 4.0 International",
    "CC-BY-NC-4.0": "Creative Commons Attribution Non Commercial 4.0 International",
    "CC-BY-NC-SA-4.0": "Creative Commons Attribution Non Commercial Share Alike 4.0 International",
    "CC-BY-NC-ND-4.0": "Creative Commons Attribution Non Commercial No Derivatives 4.0 International",
    "CC-BY-3.0": "Creative Commons Attribution 3.0 Unported",
    "CC-BY-SA-3.0": "Creative Commons Attribution Share Alike 3.0 Unported",
    "CC-BY-3.0-FR": "Creative Commons Attribution 3.0 France",
    "CC-BY-SA-3.0-FR": "Creative Commons Attribution-ShareAlike 3.0 France",
    "etalab-2.0": "Etalab Open License 2.0 (Licence Ouverte)",
    "LO-2.0": "Licence Ouverte 2.0",
    "ODbL-1.0": "Open Data Commons Open Database License v1.0",
    "ODC-By-1.0": "Open Data Commons Attribution License v1.0",
    "PDDL-1.0": "Open Data Commons Public Domain Dedication & License 1.0",
    "LAL-1.3": "Licence Art Libre 1.3",
    "CERN-OHL-S-2.0": "CERN Open Hardware Licence Version 2 - Strongly Reciprocal",
    "CERN-OHL-W-2.0": "CERN Open Hardware Licence Version 2 - Weakly Reciprocal",
    "CERN-OHL-P-2.0": "CERN Open Hardware Licence Version 2 - Permissive",
    "EUPL-1.2": "European Union Public License 1.2",
    "GPL-3.0-only": "GNU General Public License v3.0 only",
    "GPL-3.0-or-later": "GNU General Public License v3.0 or later",
    "AGPL-3.0-or-later": "GNU Affero General Public License v3.0 or later",
    "LGPL-3.0-or-later": "GNU Lesser General Public License v3.0 or later",
    "MPL-2.0": "Mozilla Public License 2.0",
    "CECILL-2.1": "CeCILL Free Software License Agreement v2.1",
    "MIT": "MIT License",
    "Apache-2.0": "Apache License 2.0",
    "BSD-3-Clause": "BSD 3-Clause License",
}

PUBLIC_DOMAIN = {"CC0-1.0", "PDDL-1.0"}
# Licences under which an adaptation must be published, for each reciprocal licence.
SHARE_ALIKE: dict[str, set[str]] = {
    # CC's compatibility list for BY-SA 4.0: later BY-SA, Free Art Licence 1.3, GPLv3.
    "CC-BY-SA-4.0": {"CC-BY-SA-4.0", "LAL-1.3", "GPL-3.0-only", "GPL-3.0-or-later"},
    "CC-BY-SA-3.0": {"CC-BY-SA-3.0", "CC-BY-SA-4.0"},
    "CC-BY-SA-3.0-FR": {"CC-BY-SA-3.0-FR", "CC-BY-SA-3.0", "CC-BY-SA-4.0"},
    "CC-BY-NC-SA-4.0": {"CC-BY-NC-SA-4.0"},
    "LAL-1.3": {"LAL-1.3", "CC-BY-SA-4.0"},
    "ODbL-1.0": {"ODbL-1.0"},
    "CERN-OHL-S-2.0": {"CERN-OHL-S-2.0"},
    "CERN-OHL-W-2.0": {"CERN-OHL-W-2.0", "CERN-OHL-S-2.0"},
    # EUPL-1.2's appendix of compatible licences (those known here).
    "EUPL-1.2": {"EUPL-1.2", "GPL-3.0-only", "GPL-3.0-or-later", "AGPL-3.0-or-later", "LGPL-3.0-or-later",
                 "MPL-2.0", "CECILL-2.1", "CC-BY-SA-3.0"},
    "GPL-3.0-only": {"GPL-3.0-only", "AGPL-3.0-or-later"},
    "GPL-3.0-or-later": {"GPL-3.0-or-later", "GPL-3.0-only", "AGPL-3.0-or-later"},
    "AGPL-3.0-or-later": {"AGPL-3.0-or-later"},
    "LGPL-3.0-or-later": {"LGPL-3.0-or-later", "GPL-3.0-or-later", "GPL-3.0-only", "AGPL-3.0-or-later"},
    "MPL-2.0": {"MPL-2.0", "GPL-3.0-or-later", "GPL-3.0-only", "AGPL-3.0-or-later", "LGPL-3.0-or-later",
                "EUPL-1.2"},
    "CECILL-2.1": {"CECILL-2.1", "GPL-3.0-or-later", "GPL-3.0-only", "AGPL-3.0-or-later", "EUPL-1.2"},
}
NO_DERIVATIVES = {"CC-BY-ND-4.0", "CC-BY-NC-ND-4.0"}
NON_COMMERCIAL = {"CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0"}


def check_licence(value: str) -> str:
    """The SPDX id, or :class:`UsageError` for an unknown one."""
    if value in LICENCES:
        return value
    lowered = {k.lower(): k for k in LICENCES}
    if value.lower() in lowered:
        return lowered[value.lower()]
    raise UsageError(
        _("Unknown licence {licence!r}.").format(licence=value),
        _("Use an SPDX id such as CC-BY-SA-4.0, CC-BY-4.0, CC0-1.0, etalab-2.0 or CERN-OHL-S-2.0 "
          "(`cagette library stats --json` lists them all)."),
    )


def licence_problem(derived: str, source: str) -> str | None:
    """Why *derived* cannot be the licence of an adaptation of *source* material (None if it can)."""
    if source in PUBLIC_DOMAIN:
        return None
    if source in NO_DERIVATIVES:
        return _("{source} forbids adaptations.").format(source=source)
    if source in SHARE_ALIKE:
        if derived not in SHARE_ALIKE[source]:
            return _("{source} material must be shared under {allowed}, not {derived}.").format(
                source=source, allowed=", ".join(sorted(SHARE_ALIKE[source])), derived=derived)
        return None
    if source in NON_COMMERCIAL and derived not in NON_COMMERCIAL:
        return _("{source} material must stay non-commercial, not {derived}.").format(source=source, derived=derived)
    if derived in PUBLIC_DOMAIN:
        return _("{source} material needs attribution; {derived} would drop it.").format(
            source=source, derived=derived)
    return None


def check_licence_compatible(derived: str, sources: Iterable[tuple[str, str]]) -> None:
    """Refuse *derived* if it is incompatible with any ``(resource id, licence)`` of *sources*."""
    for rid, lic in sources:
        problem = licence_problem(derived, lic)
        if problem:
            raise UsageError(
                _("The licence {derived} is incompatible with the source {rid}: {problem}").format(
                    derived=derived, rid=rid, problem=problem),
                _("Choose a licence the sources allow, such as {suggest}.").format(
                    suggest=sorted(SHARE_ALIKE.get(lic, {lic}))[0]),
            )


# --- field schema -------------------------------------------------------------

TEXT_FIELDS = {"title": 300, "description": 20000, "language": 20, "organisation": 300,
               "created": 40, "thumbnail": 64, "imported_from": 100}
LIST_FIELDS = {"tags": 60, "authors": 300, "derived_from": 128}
EDITABLE = ("kind", "title", "description", "tags", "language", "licence", "authors", "organisation",
            "created", "files", "thumbnail", "duration", "derived_from", "version", "imported_from", "people")
REQUIRED_ON_ADD = ("kind", "title", "licence", "files")


def _bad(name: str, why: str) -> LibraryError:
    return LibraryError(_("The field {name!r} is invalid: {why}").format(name=name, why=why),
                        _("The resource was refused; fix the value and try again."))


def check_id(value: object) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise LibraryError(
            _("{value!r} is not a valid resource id.").format(value=str(value)[:80]),
            _("An id is 1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit."),
        )
    return value


def check_file_entry(entry: object) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise _bad("files", _("each file must be an object"))
    allowed = {"role", "hash", "size", "media_type", "name"}
    extra = set(entry) - allowed
    if extra:
        raise _bad("files", _("unknown keys {keys}").format(keys=", ".join(sorted(map(str, extra)))))
    role, digest, size = entry.get("role"), entry.get("hash"), entry.get("size")
    media_type, name = entry.get("media_type", "application/octet-stream"), entry.get("name", "")
    if role not in ROLES:
        raise _bad("files", _("unknown role {role!r}").format(role=role))
    if not is_hash(digest):
        raise _bad("files", _("bad hash {digest!r}").format(digest=str(digest)[:80]))
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise _bad("files", _("bad size {size!r}").format(size=size))
    if not isinstance(media_type, str) or not MEDIA_TYPE_RE.match(media_type):
        raise _bad("files", _("bad media type {value!r}").format(value=media_type))
    if not isinstance(name, str) or (name and (not FILE_NAME_RE.match(name) or name in (".", ".."))):
        raise _bad("files", _("bad file name {value!r}").format(value=str(name)[:80]))
    return {"role": role, "hash": digest, "size": size, "media_type": media_type, "name": name}


def check_fields(fields: object, adding: bool) -> dict[str, Any]:
    """Validate the fields of an ``add`` (all required ones) or an ``edit``; return a clean copy."""
    if not isinstance(fields, Mapping):
        raise _bad("fields", _("must be an object"))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise _bad(sorted(map(str, unknown))[0], _("unknown field"))
    if adding:
        missing = [k for k in REQUIRED_ON_ADD if k not in fields]
        if missing:
            raise _bad(missing[0], _("required when adding"))
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "kind":
            if value not in KINDS:
                raise _bad(name, _("one of {kinds}").format(kinds=", ".join(KINDS)))
        elif name == "people":
            if value not in ("", *PEOPLE):
                raise _bad(name, _("one of {values}, or empty").format(values=", ".join(PEOPLE)))
        elif name == "licence":
            if value not in LICENCES:
                raise _bad(name, _("unknown SPDX id {value!r}").format(value=str(value)[:80]))
        elif name in TEXT_FIELDS:
            if not isinstance(value, str) or len(value) > TEXT_FIELDS[name]:
                raise _bad(name, _("a text of at most {n} characters").format(n=TEXT_FIELDS[name]))
            if name == "thumbnail" and value and not is_hash(value):
                raise _bad(name, _("an object hash"))
            if name == "language" and value and not LANG_RE.match(value):
                raise _bad(name, _("a language code such as fr or en"))
        elif name in LIST_FIELDS:
            if not isinstance(value, list) or len(value) > 200 or not all(
                    isinstance(v, str) and 0 < len(v) <= LIST_FIELDS[name] for v in value):
                raise _bad(name, _("a list of short texts"))
            if name == "derived_from":
                for v in value:
                    check_id(v)
            value = list(value)
        elif name == "files":
            if not isinstance(value, list) or len(value) > 1000:
                raise _bad(name, _("a list of files"))
            value = [check_file_entry(f) for f in value]
        elif name == "duration":
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)
                                      or not 0 <= value < 1e7):
                raise _bad(name, _("a number of seconds"))
        elif name == "version" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise _bad(name, _("a whole number"))
        out[name] = value
    return out


# --- signed lines (format 2) ------------------------------------------------------

DESCRIPTIVE = ("title", "description", "tags", "authors")  # kept in an object a purge erases
META_KEYS = (*DESCRIPTIVE, "reason")
MAX_META = 256 * 1024
_SITE_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


_hex = is_hex


def check_meta_ref(value: object, allowed: Sequence[str] = DESCRIPTIVE) -> dict[str, Any]:
    """``{"hash": object, "keys": [descriptive fields it holds]}``."""
    if not isinstance(value, Mapping) or set(value) != {"hash", "keys"} or not is_hash(value["hash"]):
        raise _bad("meta", _("a reference to a descriptive object"))
    keys = value["keys"]
    if not isinstance(keys, list) or not keys or keys != sorted(set(keys)) or set(keys) - set(allowed):
        raise _bad("meta", _("the sorted names of the fields it holds"))
    return {"hash": value["hash"], "keys": list(keys)}


def _site_ids(value: object, limit: int) -> bool:
    return isinstance(value, list) and len(value) <= limit and all(
        isinstance(x, str) and _SITE_RE.match(x) for x in value) and len(set(value)) == len(value)


def check_signed_fields(fields: object, op: str, site: str) -> dict[str, Any]:
    """The fields of a signed line of operation *op* (see :mod:`cagette.library.log`)."""
    if not isinstance(fields, Mapping):
        raise _bad("fields", _("must be an object"))
    if op in ("add", "edit"):
        inline = sorted(set(fields) & set(DESCRIPTIVE))
        if inline:
            raise _bad(inline[0], _("kept by reference in a signed line"))
        out = check_fields({k: v for k, v in fields.items() if k != "meta"}, adding=False)
        if "meta" in fields:
            out["meta"] = check_meta_ref(fields["meta"])
        if op == "add":
            missing = [k for k in ("kind", "licence", "files", "meta") if k not in out]
            if missing:
                raise _bad(missing[0], _("required when adding"))
            if "title" not in out["meta"]["keys"]:
                raise _bad("title", _("required when adding"))
        elif not out:
            raise _bad("fields", _("an edit changes something"))
        return out
    if op == "retract":
        if set(fields) - {"meta"}:
            raise _bad("fields", _("a retraction holds only its reason"))
        return {"meta": check_meta_ref(fields["meta"], ("reason",))} if "meta" in fields else {}
    if op == "site":
        allowed = {"name", "key", "covers", "succeeds"}
        name = fields.get("name")
        if set(fields) - allowed or not isinstance(name, str) or len(name) > 300:
            raise _bad("fields", _("a site line needs a name"))
        if ("covers" in fields or "succeeds" in fields) and "key" not in fields:
            raise _bad("key", _("covers and succeeds come with the key"))
        if "key" in fields and not _hex(fields["key"], 64):
            raise _bad("key", _("an Ed25519 public key in hex"))
        covers = fields.get("covers")
        if covers is not None and not (isinstance(covers, Mapping) and set(covers) == {"lines", "sha256"}
                                       and isinstance(covers["lines"], int) and not isinstance(covers["lines"], bool)
                                       and covers["lines"] >= 1 and _hex(covers["sha256"], 64)):
            raise _bad("covers", _("the count and hash of the earlier lines"))
        succeeds = fields.get("succeeds")
        if succeeds is not None and not (
                isinstance(succeeds, list) and 0 < len(succeeds) <= 50 and all(
                    isinstance(x, Mapping) and set(x) == {"site", "sig"} and isinstance(x["site"], str)
                    and _SITE_RE.match(x["site"]) and x["site"] != site and _hex(x["sig"], 128) for x in succeeds)):
            raise _bad("succeeds", _("predecessors, each with its signature"))
        return dict(fields)
    if op == "policy":
        if set(fields) != {"community", "name", "version", "moderators"} \
                or not (isinstance(fields["community"], str) and _SITE_RE.match(fields["community"])) \
                or not isinstance(fields["name"], str) or not 0 < len(fields["name"]) <= 100 \
                or not isinstance(fields["version"], int) or isinstance(fields["version"], bool) \
                or fields["version"] < 1 or not _site_ids(fields["moderators"], 200):
            raise _bad("fields", _("a policy names its community, version and moderators"))
        return dict(fields)
    if op == "join":
        if set(fields) != {"community", "key"} or not (
                isinstance(fields["community"], str) and _SITE_RE.match(fields["community"])) \
                or not _hex(fields["key"], 16):
            raise _bad("fields", _("a join names the community and its founder's key"))
        return dict(fields)
    raise _bad("op", _("unknown operation"))


def check_meta_doc(data: bytes, rid: str, keys: Sequence[str]) -> dict[str, Any]:
    """The descriptive fields a meta object holds (it must name *rid* and hold exactly *keys*)."""
    import json

    if len(data) > MAX_META:
        raise _bad("meta", _("a descriptive object larger than {n} bytes").format(n=MAX_META))
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad("meta", _("a descriptive object that is not JSON")) from None
    if not isinstance(doc, dict) or set(doc) != {"id", "fields"} or doc["id"] != rid \
            or not isinstance(doc["fields"], dict) or sorted(doc["fields"]) != sorted(keys):
        raise _bad("meta", _("a descriptive object of another resource or other fields"))
    fields = dict(doc["fields"])
    reason = fields.pop("reason", None)
    out = check_fields(fields, adding=False)
    if reason is not None:
        if not isinstance(reason, str) or len(reason) > 2000:
            raise _bad("reason", _("a text of at most {n} characters").format(n=2000))
        out["reason"] = reason
    return out


def meta_doc(rid: str, fields: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a descriptive object for *rid* (what :func:`check_meta_doc` reads)."""
    import json

    return json.dumps({"id": rid, "fields": dict(fields)}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class FileRef:
    role: str
    hash: str
    size: int
    media_type: str
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "hash": self.hash, "size": self.size,
                "media_type": self.media_type, "name": self.name}


@dataclass(frozen=True)
class Resource:
    """A resource as merged from the logs (read-only)."""

    id: str
    kind: str
    title: str
    licence: str = DEFAULT_LICENCE
    description: str = ""
    tags: tuple[str, ...] = ()
    language: str = ""
    authors: tuple[str, ...] = ()
    organisation: str = ""
    created: str = ""
    modified: str = ""
    files: tuple[FileRef, ...] = ()
    thumbnail: str = ""
    duration: float | None = None
    derived_from: tuple[str, ...] = ()
    version: int = 0
    imported_from: str = ""
    people: str = ""  # "", or one of PEOPLE
    origin: str = ""  # the site that added it
    retracted: bool = False
    purged: bool = False
    licence_flags: tuple[tuple[str, str], ...] = ()  # (source id, its licence) this one's licence breaks
    conflicts: int = 0  # values lost to concurrent edits (`library show` lists them)
    missing_meta: bool = False  # its descriptive object has not arrived yet
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def tombstone(self) -> bool:
        """Purged: its files and its descriptive fields are gone everywhere; only its id remains."""
        return self.purged

    @property
    def shown_title(self) -> str:
        """The title, or what stands for it: a tombstone, or a description that has not arrived."""
        if self.tombstone:
            return _("(erased at the request of its site)")
        return self.title or _("(its description has not arrived yet)")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Resource:
        return cls(
            id=d["id"], kind=d.get("kind", "video"), title=d.get("title", ""),
            licence=d.get("licence", DEFAULT_LICENCE), description=d.get("description", ""),
            tags=tuple(d.get("tags", ())), language=d.get("language", ""),
            authors=tuple(d.get("authors", ())), organisation=d.get("organisation", ""),
            created=d.get("created", ""), modified=d.get("modified", ""),
            files=tuple(FileRef(**f) for f in d.get("files", ())), thumbnail=d.get("thumbnail", ""),
            duration=d.get("duration"), derived_from=tuple(d.get("derived_from", ())),
            version=d.get("version", 0), imported_from=d.get("imported_from", ""),
            people=d.get("people", ""), origin=d.get("origin", ""), retracted=d.get("retracted", False),
            purged=d.get("purged", False),
            licence_flags=tuple((str(a), str(b)) for a, b in d.get("licence_flags", ())),
            conflicts=int(d.get("conflicts", 0)), missing_meta=bool(d.get("missing_meta", False)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "title": self.title, "description": self.description,
            "tags": list(self.tags), "language": self.language, "licence": self.licence,
            "authors": list(self.authors), "organisation": self.organisation,
            "created": self.created, "modified": self.modified,
            "files": [f.to_dict() for f in self.files], "thumbnail": self.thumbnail,
            "duration": self.duration, "derived_from": list(self.derived_from),
            "version": self.version, "imported_from": self.imported_from, "people": self.people,
            "origin": self.origin, "retracted": self.retracted, "purged": self.purged,
            "licence_flags": [list(x) for x in self.licence_flags], "conflicts": self.conflicts,
            "missing_meta": self.missing_meta,
        }

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    def file(self, role: str) -> FileRef | None:
        for f in self.files:
            if f.role == role:
                return f
        return None

    def credit(self) -> str:
        """``Title — authors (organisation), licence``."""
        who = ", ".join(self.authors)
        if self.organisation:
            who = f"{who} ({self.organisation})" if who else self.organisation
        if self.tombstone:
            return f"{self.shown_title}, {self.licence}"
        unknown = _("unknown author")
        return f"{self.shown_title} — {who or unknown}, {self.licence}"


def attribution_chain(rid: str, get: Any, limit: int = 50) -> list[Resource]:
    """The resource and every resource it derives from, depth first, each once.

    *get* maps an id to a :class:`Resource` or None (a source not in this library).
    """
    seen: set[str] = set()
    out: list[Resource] = []
    stack: list[str] = [rid]
    while stack and len(out) < limit:
        cur = stack.pop(0)
        if cur in seen:
            continue
        seen.add(cur)
        r = get(cur)
        if r is None:
            continue
        out.append(r)
        stack.extend(r.derived_from)
    return out


def guess_media_type(name: str) -> str:
    import mimetypes

    extra = {".vtt": "text/vtt", ".srt": "application/x-subrip", ".md": "text/markdown",
             ".toml": "application/toml", ".mp4": "video/mp4", ".webm": "video/webm",
             ".step": "model/step", ".stp": "model/step", ".dxf": "image/vnd.dxf", ".svg": "image/svg+xml",
             ".glb": "model/gltf-binary", ".stl": "model/stl", ".opus": "audio/ogg", ".ogg": "audio/ogg",
             ".wav": "audio/wav", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".pdf": "application/pdf"}
    lower = name.lower()
    for ext, mt in extra.items():
        if lower.endswith(ext):
            return mt
    guessed = mimetypes.guess_type(name)[0]
    return guessed if guessed and MEDIA_TYPE_RE.match(guessed) else "application/octet-stream"


def guess_kind(names: Sequence[str]) -> str:
    exts = {n.lower().rsplit(".", 1)[-1] for n in names if "." in n}
    if exts & {"mp4", "webm", "mov", "mkv"}:
        return "video"
    if exts & {"wav", "mp3", "ogg", "opus", "m4a", "flac"}:
        return "audio"
    if exts & {"step", "stp", "dxf", "stl", "glb"}:
        return "plan"
    if exts & {"toml"}:
        return "storyboard"
    if exts & {"png", "jpg", "jpeg"}:
        return "frames"
    return "guide"
