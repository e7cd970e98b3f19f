"""Icons that tell caches and the kinds of online service apart (issue 29): a cache is not a placeholder,
and an online service shows what it does in the request, read from its flows: fans out, looks up, writes."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from mlsd_diagram import load, loads
from mlsd_diagram.outputs import icons
from mlsd_diagram.outputs.dot import to_dot

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "blueprints").glob("*.yaml")) + sorted(
    (ROOT / "mlsd_diagram/starters/blueprints").glob("*.yaml")
)

SERVICES = textwrap.dedent(
    """\
    mlsd: 1
    name: Services
    components:
      app: {kind: client_app}
      front: {kind: online_service}
      lookup: {kind: online_service}
      writer: {kind: online_service}
      plain: {kind: online_service}
      cache: {kind: cache}
      log: {kind: event_stream}
      etl: {kind: etl_job}
    flows:
      - {from: app, to: front, mode: request}
      - {from: front, to: lookup, mode: request}
      - {from: front, to: writer, mode: request}
      - {from: front, to: plain, mode: request}
      - {from: front, to: cache, mode: request}
      - {from: etl, to: lookup, mode: batch}
      - {from: writer, to: log, mode: stream}
    """
)


def _icon_in_dot(dot_text: str, cid: str) -> str:
    node = re.search(rf"^\s*{cid} \[label=<(.*)$", dot_text, re.M)
    assert node, cid
    return re.findall(r'<IMG SRC="([^"]+)"', node.group(1))[0]  # no tech badge here: the first image is the icon


def test_each_kind_of_online_service_and_the_cache_get_distinct_icons():
    bp = loads(SERVICES)
    roles = {cid: icons.service_role(bp, cid) for cid in ("front", "lookup", "writer", "plain")}
    assert roles == {"front": "fan_out", "lookup": "lookup", "writer": "writer", "plain": None}
    dot_text = to_dot(bp)
    drawn = {cid: _icon_in_dot(dot_text, cid) for cid in ("front", "lookup", "writer", "plain", "cache")}
    assert len(set(drawn.values())) == 5, drawn  # five roles, five icons, each the one the DOT draws
    assert drawn["plain"] == icons.kind_icon("online_service")
    assert drawn["cache"] == icons.kind_icon("cache") == "mlsd/cache.png"
    # none of them is another kind's icon (a cache that looked like flowchart storage, a service like a server)
    others = {ref for kind, ref in icons.KIND_ICONS.items() if kind not in ("online_service", "cache")}
    assert not ({drawn[c] for c in ("front", "lookup", "writer", "cache")} & others)
    for ref in drawn.values():
        assert icons.icon_file(ref).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_bundled_services_no_longer_share_one_icon():
    services: dict[str, set[str]] = {}
    for path in BUNDLED:
        bp = load(path)
        for cid in bp.components:
            if bp.kind_of(cid).name == "online_service":
                services.setdefault(icons.component_icon(bp, cid), set()).add(f"{path.stem}:{cid}")
    assert len(services) >= 3, services
    assert max(len(v) for v in services.values()) <= 12  # the fan-out services: request orchestrators
    assert icons.kind_icon("online_service") not in services or len(services[icons.kind_icon("online_service")]) <= 3
