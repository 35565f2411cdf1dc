"""Finding ``cagette serve`` peers on the LAN (zeroconf / mDNS).

``cagette serve --advertise`` registers a ``_cagette._tcp.local.`` service
whose TXT record gives the site id, whether a token is needed (never the
token itself) and, for an HTTPS peer, its certificate fingerprint (``fp``);
``cagette sync discover`` browses for them a few seconds and shows each
address ready to use (``https://addr:port?fp=…``). An announcement is a
claim, not a proof: whoever is on the LAN can announce; compare the
fingerprint with the one the peer's screen shows before trusting it.
``CAGETTE_MDNS_INTERFACES`` (comma-separated addresses) restricts the
interfaces used, e.g. ``127.0.0.1`` inside a test's network namespace.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any

SERVICE = "_cagette._tcp.local."


def _interfaces() -> Any:
    from zeroconf import InterfaceChoice

    value = os.environ.get("CAGETTE_MDNS_INTERFACES", "").strip()
    if value:
        return [v.strip() for v in value.split(",") if v.strip()]
    return InterfaceChoice.All


@dataclass(frozen=True)
class Peer:
    name: str
    url: str
    site_id: str
    site_name: str
    token_required: bool
    fingerprint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Announcer:
    def __init__(self, port: int, site_id: str, token_required: bool, address: str = "127.0.0.1",
                 site_name: str = "", fingerprint: str = "") -> None:
        self.port, self.site_id, self.token_required = port, site_id, token_required
        self.address, self.site_name, self.fingerprint = address, site_name, fingerprint
        self.zc: Any = None
        self.info: Any = None

    def start(self) -> None:
        from zeroconf import ServiceInfo, Zeroconf

        host = socket.gethostname().split(".")[0] or "cagette"
        name = f"cagette-{host}-{uuid.uuid4().hex[:6]}.{SERVICE}"
        self.info = ServiceInfo(
            SERVICE, name, port=self.port, addresses=[socket.inet_aton(self.address)],
            properties={"site": self.site_id, "name": self.site_name[:100],
                        "token": "1" if self.token_required else "0", "v": "1",
                        **({"fp": self.fingerprint} if self.fingerprint else {})},
            server=f"{host}.local.",
        )
        self.zc = Zeroconf(interfaces=_interfaces())
        self.zc.register_service(self.info, allow_name_change=True)

    def stop(self) -> None:
        if self.zc is not None:
            try:
                self.zc.unregister_service(self.info)
            finally:
                self.zc.close()
                self.zc = None


def _peer(name: str, info: Any) -> Peer:
    """What an announcement says, its fingerprint (if any) checked for form and put in the address."""
    from cagette.errors import UsageError
    from cagette.sync.tls import parse_fingerprint

    props = {k.decode("utf-8", "replace"): (v or b"").decode("utf-8", "replace")[:200]
             for k, v in info.properties.items()}
    addr = info.parsed_addresses()[0]
    fp = ""
    if props.get("fp"):
        try:
            fp = parse_fingerprint(props["fp"])
        except UsageError:
            fp = ""
    url = f"https://{addr}:{info.port}?fp={fp}" if fp else f"http://{addr}:{info.port}"
    return Peer(name.removesuffix("." + SERVICE), url, props.get("site", "")[:64], props.get("name", "")[:100],
                props.get("token") == "1", fp)


def browse(wait_s: float = 2.0) -> list[Peer]:
    """The peers that answered within *wait_s* seconds, by name."""
    from zeroconf import ServiceBrowser, ServiceStateChange, Zeroconf

    found: dict[str, Peer] = {}
    zc = Zeroconf(interfaces=_interfaces())
    names: set[str] = set()

    def on_change(zeroconf: Any, service_type: str, name: str, state_change: Any) -> None:
        if state_change in (ServiceStateChange.Added, ServiceStateChange.Updated):
            names.add(name)

    try:
        browser = ServiceBrowser(zc, SERVICE, handlers=[on_change])
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            for name in list(names - set(found)):
                info = zc.get_service_info(SERVICE, name, timeout=500)
                if info is None or not info.parsed_addresses():
                    continue
                found[name] = _peer(name, info)
            time.sleep(0.05)
        browser.cancel()
    finally:
        zc.close()
    return sorted(found.values(), key=lambda p: p.name)
