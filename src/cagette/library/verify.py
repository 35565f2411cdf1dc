"""Checking lines that come from elsewhere (a sync), before anything is written.

:func:`check_batch` checks one site's incoming lines against our copy of that log:

* each line valid and canonical (byte-identical to its canonical form);
* the site's key pinned at first sight: the key of the first signed line, which must be
  the log's first line, or — for a log begun before keys — cover the earlier unsigned
  lines by their count and hash (``covers``); any other key is refused;
* every signed line signed by that key, linked to the previous line (``prev``), with a
  greater clock than the site's previous signed line;
* unsigned lines accepted only when that key line covers them;
* no line for the starter library (every site makes those from its own package).

:func:`check_claims` then looks at what the lines claim, over the state merged with them:
a succession not signed by the predecessor's key, a community policy by a site that was
never its founder nor one of its moderators, an edit or retraction by a site that never
had authority on the resource, a resource id first added by another site — each refused.
Lines that merely lost a race (authority revoked concurrently) are accepted; the merge
ignores them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cagette.errors import LibraryError
from cagette.i18n import _
from cagette.library import authority
from cagette.library.log import STARTER_SITE, Event, LogError, LogRead, line_hash, parse_log_bytes
from cagette.library.state import STARTER_SOURCE, State


class Refused(LogError):
    """Lines from elsewhere that break a rule of authority (a forgery, or a hostile peer)."""


def _refuse(where: str, why: str) -> Refused:
    return Refused(_("{where}: refused: {why}").format(where=where, why=why),
                   _("The other side is damaged or hostile; nothing was written here."))


@dataclass(frozen=True)
class Incoming:
    site: str
    start: int  # lines of that log held here already; the first incoming line is start + 1
    data: bytes


def pinned_key(read: LogRead | None) -> tuple[str | None, int]:
    """The key of a log we hold, and the seq of its key line (0: none yet)."""
    if read is None:
        return None, 0
    for ev in read.events:
        if ev.signed:
            return (str(ev.fields["key"]), ev.seq) if ev.op == "site" and "key" in ev.fields else (None, -1)
    return None, 0


def check_batch(ours: LogRead | None, inc: Incoming, where: str) -> list[Event]:
    """The incoming lines of one site as events, or :class:`Refused` naming the cause."""

    site = inc.site
    word = _("site")
    label = f"{where}: {word} {site[:8]}"
    if site == STARTER_SITE:
        raise _refuse(label, _("lines for the starter library are never taken from a peer"))
    held = ours.lines if ours is not None else []
    if inc.start > len(held):
        raise _refuse(label, _("lines from {n} while {m} are held here").format(n=inc.start + 1, m=len(held)))
    read = parse_log_bytes(inc.data, site, label, inc.start + 1)
    if read.torn_bytes:
        raise _refuse(label, _("an unfinished last line"))
    known = min(len(held) - inc.start, len(read.lines))  # lines held here already (unsigned ones, not passed on)
    for i in range(known):
        if read.lines[i] != held[inc.start + i]:
            raise _refuse(label, _("line {n} differs from ours").format(n=inc.start + i + 1))
    read.events, read.lines = read.events[known:], read.lines[known:]
    key, key_seq = pinned_key(ours)
    if key_seq < 0:
        raise _refuse(label, _("our copy's first signed line has no key"))
    lines = list(held)
    last_clock = max((e.clock for e in (ours.events if ours else ()) if e.signed), default=0)
    for ev, raw in zip(read.events, read.lines, strict=True):
        if ev.to_line() != raw:
            raise _refuse(label, _("line {n} is not in canonical form").format(n=ev.seq))
        if not ev.signed:
            if key is not None:
                raise _refuse(label, _("an unsigned line {n} after the site's key").format(n=ev.seq))
        else:
            if key is None:
                key = _first_key(ev, lines, label)
            elif ev.op == "site" and "key" in ev.fields:
                raise _refuse(label, _("the site's key changed at line {n}").format(n=ev.seq)
                              if ev.fields["key"] != key else _("a second key line at {n}").format(n=ev.seq))
            if not authority._verified(key, ev.signing_bytes(), ev.sig):
                raise _refuse(label, _("a bad signature on line {n}").format(n=ev.seq))
            if ev.seq > 1 and ev.prev != line_hash(lines[-1]):
                raise _refuse(label, _("line {n} does not follow line {m} (another copy of this log?)").format(
                    n=ev.seq, m=ev.seq - 1))
            if ev.clock <= last_clock:
                raise _refuse(label, _("the clock goes back at line {n}").format(n=ev.seq))
            last_clock = ev.clock
            if ev.op == "add" and ev.fields.get("imported_from") == STARTER_SOURCE:
                raise _refuse(label, _("line {n} claims a starter resource ({rid}); every site makes those "
                                       "from its own package").format(n=ev.seq, rid=ev.id))
        lines.append(raw)
    if key is None and read.events:
        raise _refuse(label, _("unsigned lines that no key line of the site covers"))
    return read.events


def _first_key(ev: Event, lines: Sequence[bytes], label: str) -> str:
    """The key a log's first signed line declares, after checking it covers the lines before it."""
    if ev.op != "site" or "key" not in ev.fields:
        raise _refuse(label, _("its first signed line {n} declares no key").format(n=ev.seq))
    covers = ev.fields.get("covers")
    earlier = ev.seq - 1
    if earlier and (covers is None or covers["lines"] != earlier
                    or covers["sha256"] != hashlib.sha256(b"".join(lines)).hexdigest()):
        raise _refuse(label, _("its key line does not cover exactly its {n} earlier lines").format(n=earlier))
    if not earlier and covers is not None:
        raise _refuse(label, _("its key line covers lines that do not exist"))
    return str(ev.fields["key"])


def check_claims(state: State, incoming: Iterable[Event], where: str) -> None:
    """Refuse incoming signed lines whose claims no key backs (see the module's docstring)."""
    events = [e for e in incoming if e.site != STARTER_SITE]
    ignored = dict(state.ignored)
    for ev in events:
        word = _("site")
        label = f"{where}: {word} {ev.site[:8]}"
        if ev.op == "site" and ev.signed:
            for item in ev.fields.get("succeeds", ()):
                if item["site"] in state.keys and not authority.succession_valid(ev, item["site"], item["sig"],
                                                                                  state.keys):
                    raise _refuse(label, _("line {n} claims to succeed site {old} without that site's "
                                           "key signature").format(n=ev.seq, old=item["site"][:8]))
        elif ev.op == "policy" and ignored.get(ev.key) and (
                str(ev.fields["community"]) in state.communities or int(ev.fields["version"]) == 1):
            cid = str(ev.fields["community"])
            comm = state.communities.get(cid)
            ever = ({cid} | comm.ever) if comm else {cid}
            if ev.site not in ever or (int(ev.fields["version"]) == 1 and ev.site != cid):
                raise _refuse(label, _("line {n} names moderators of a community it neither founded nor "
                                       "moderates").format(n=ev.seq))
        elif ev.op in ("edit", "retract", "add") and ignored.get(ev.key) and (ev.signed or ev.op == "add"):
            # an unsigned line carries no authority: only its adds can claim (an id of another site)
            _check_resource_claim(state, ev, ignored[ev.key], label)


def _check_resource_claim(state: State, ev: Event, reason: str, label: str) -> None:
    r = state.resources.get(ev.id)
    if r is None or reason in ("retracted", "unknown resource") or reason.startswith("starter"):
        return
    if ev.op == "add" and r.origin != ev.site:
        raise _refuse(label, _("line {n} adds {rid}, an id first added by site {origin}").format(
            n=ev.seq, rid=ev.id, origin=r.origin[:8]))
    if reason.startswith("not origin") and not _ever_allowed(state, ev.site, r.origin):
        raise _refuse(label, _("line {n} changes {rid}, which belongs to site {origin}, without any "
                               "authority on it").format(n=ev.seq, rid=ev.id, origin=r.origin[:8]))


def _ever_allowed(state: State, site: str, origin: str) -> bool:
    if site == origin or site in state.heirs.get(origin, ()):
        return True
    comm = state.communities.get(state.membership.get(origin, ""))
    return comm is not None and (site == comm.id or site in comm.ever)


def check_all(ours: Mapping[str, LogRead], batches: Sequence[Incoming], where: str) -> dict[str, list[Event]]:
    """:func:`check_batch` for each batch (one per site); raises on the first refusal."""
    out: dict[str, list[Event]] = {}
    for inc in batches:
        if inc.site in out:
            raise LibraryError(_("Two batches for one site."), None)
        out[inc.site] = check_batch(ours.get(inc.site), inc, where)
    return out
