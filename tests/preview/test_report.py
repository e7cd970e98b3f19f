"""The page data and the single-file report: content, escaping, CSP, determinism, CLI errors."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from preview_testing import HERE, ROOT, mlsd_command

from mlsd_diagram import load, loads
from mlsd_diagram.analyses.serving import LOAD_FACTORS, knock_out, load_at
from mlsd_diagram.outputs.report import (
    knock_out_view,
    page_data,
    precompute_knock_outs,
    precomputed_sizes,
    render_report,
)

SMALL = HERE / "data" / "small.yaml"
BUNDLED = sorted((ROOT / "blueprints").glob("*.yaml"))
HOSTILE_LABEL = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"


def hostile_blueprint():
    text = SMALL.read_text().replace("label: Model server", f"label: {json.dumps(HOSTILE_LABEL)}")
    return loads(text, name="hostile.yaml")


def data_block(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="mlsd-data">(.*?)</script>', html, re.S)
    assert found, "the report carries its data in one JSON block"
    return json.loads(found.group(1))


def test_page_data_lists_every_component_and_flow():
    blueprint = load(SMALL)
    data = page_data(blueprint)
    assert [c["id"] for c in data["components"]] == list(blueprint.components)
    assert len(data["flows"]) == len(blueprint.flows)
    assert data["entry_points"] == ["app"]
    assert data["components"][2]["line"] == blueprint.component_location("model")[0]
    assert 'id="component-model"' in data["svg"] and 'id="flow-1"' in data["svg"]
    assert data["latency"]["app"]["p99_ms"] == 35
    assert "mlops_level" in data["score"]
    json.dumps(data)  # JSON-ready


def test_knock_out_view_follows_the_fallback():
    blueprint = load(SMALL)
    assert knock_out_view(blueprint, [])["entry_points"] == {"app": "served"}
    view = knock_out_view(blueprint, ["model"])
    assert view["entry_points"] == {"app": "degraded"}
    assert "cache" in view["components"] and "model" not in view["components"]
    assert 2 in view["flows"]  # the fallback flow model -> cache carries the requests now
    assert knock_out_view(blueprint, ["model", "cache"])["entry_points"] == {"app": "down"}
    with pytest.raises(KeyError):
        knock_out_view(blueprint, ["ghost"])


def test_precomputed_sizes():
    assert precomputed_sizes(4, 1024) == 4  # every set of 4 (15 sets)
    assert precomputed_sizes(14, 1024) == 3  # 14 + 91 + 364 = 469; + 1001 is too many
    assert precomputed_sizes(200, 100) == 0  # not even the singles fit the bound
    assert precomputed_sizes(0) == 0


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_precomputed_knock_outs_agree_with_simulate(path):
    blueprint = load(path)
    data = page_data(blueprint)
    pre = precompute_knock_outs(blueprint, data)
    entries = data["entry_points"]
    codes = {"s": "served", "d": "degraded", "x": "down"}
    intact = knock_out(blueprint, set())
    for cid in blueprint.components:  # every single component: on the request path precomputed, else intact
        expected = knock_out(blueprint, {cid})
        if cid not in pre["relevant"]:
            assert cid not in pre["table"] and expected == intact
            continue
        assert {e: codes[c] for e, c in zip(entries, pre["table"][cid]["s"])} == expected
    pairs = [k for k in pre["table"] if k.count(",") == 1]
    assert pre["max_set"] >= 2 and pairs, pre["note"]
    for key in pairs[:50]:
        expected = knock_out(blueprint, set(key.split(",")))
        assert {e: codes[c] for e, c in zip(entries, pre["table"][key]["s"])} == expected
    assert pre["note"] in render_report(blueprint, svg=data["svg"])


def _chain(n: int) -> str:
    comps = "  c0: {kind: client_app, peak_qps: 100}\n" + "".join(
        f"  c{i}: {{kind: online_service, latency_p99_ms: 1}}\n" for i in range(1, n)
    )
    flows = "".join(f"  - {{from: c{i}, to: c{i + 1}, mode: request}}\n" for i in range(n - 1))
    return f"mlsd: 1\nname: Chain\ncomponents:\n{comps}flows:\n{flows}"


def test_precomputed_knock_outs_share_one_serving_model(monkeypatch):
    """Each knock-out used to build its own serving model (O(R + F) each, 162 s for a 4k chain)."""
    from mlsd_diagram.analyses import serving

    blueprint = loads(_chain(60), name="chain.yaml")
    data = page_data(blueprint, svg="<svg/>")
    built = []
    original = serving.ServingModel.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(serving.ServingModel, "__init__", counting)
    pre = precompute_knock_outs(blueprint, data)
    assert len(pre["table"]) >= 60 and len(built) <= 2, len(built)


def test_precomputed_knock_outs_stay_within_the_cell_budget():
    """A large design gets the singles that fit the budget, in declaration order, and a note saying so."""
    blueprint = loads(_chain(200), name="chain.yaml")
    data = page_data(blueprint, svg="<svg/>")
    pre = precompute_knock_outs(blueprint, data, cells=200 * 50)
    cells = sum(len(v["s"]) + len(v["n"]) + len(v["c"]) + len(v["f"]) for v in pre["table"].values())
    assert cells <= 200 * 50
    assert list(pre["table"]) == [f"c{i}" for i in range(len(pre["table"]))]  # the first ones, declared order
    assert 0 < len(pre["table"]) < 200 and pre["max_set"] == 1
    assert f"first {len(pre['table'])} of the 200 request-path components" in pre["note"]
    assert "mlsd serve" in pre["note"]
    codes = {"s": "served", "d": "degraded", "x": "down"}
    for key in ("c0", "c5", f"c{len(pre['table']) - 1}"):
        expected = knock_out(blueprint, {key})
        assert {e: codes[c] for e, c in zip(data["entry_points"], pre["table"][key]["s"])} == expected


def test_report_is_deterministic_and_self_contained():
    blueprint = load(SMALL)
    first, second = render_report(blueprint), render_report(load(SMALL))
    assert first == second
    assert "http://" not in first.replace("http://www.w3.org/", "") and "https://" not in first
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', first).group(1)
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "connect-src" not in csp
    for tag in ("script", "style"):
        body = re.findall(rf"<{tag}>(.*?)</{tag}>", first, re.S)
        assert len(body) == 1
        digest = base64.b64encode(hashlib.sha256(body[0].encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp, f"the inline {tag} is allowed by its hash"
    data = data_block(first)
    assert set(data["precomputed"]["relevant"]) == {"app", "gateway", "model", "cache"}
    assert data["precomputed"]["note"].startswith("every set")  # small: all 15 sets precomputed


def test_report_escapes_blueprint_text():
    html = render_report(hostile_blueprint())
    assert HOSTILE_LABEL not in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert html.count("<script") == 2  # the data block and the page's own script, nothing else
    labels = [c["label"] for c in data_block(html)["components"]]
    assert HOSTILE_LABEL in labels  # the text survives intact, as data


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*mlsd_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_cli_report_writes_one_file(tmp_path):
    result = run_cli("report", str(SMALL), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "small.report.html").is_file()  # where render and doc write
    assert "small.report.html" in result.stdout
    out = tmp_path / "sub" / "review.html"
    assert run_cli("report", str(SMALL), "-o", str(out), cwd=tmp_path).returncode == 0
    assert out.read_text() == (tmp_path / "output" / "small.report.html").read_text()


def test_cli_report_of_an_invalid_file_is_located_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text().replace("kind: cache", "kind: cahce"))
    result = run_cli("report", str(bad), "-o", str(tmp_path / "out.html"), cwd=tmp_path)
    assert result.returncode == 2
    assert re.search(r"bad\.yaml:\d+:\d+: error: unknown kind 'cahce'; did you mean 'cache'", result.stderr)
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.html").exists()
    assert not list(tmp_path.glob(".tmp-*"))


def test_page_data_load_is_the_engine_s_sweep():
    blueprint = load(HERE / "data" / "load.yaml")
    data = page_data(blueprint, svg="<svg/>")["load"]
    assert data["factors"] == list(LOAD_FACTORS) and data["factors"][data["start"]] == 1
    for factor, at in zip(data["factors"], data["at"], strict=True):
        expected = load_at(blueprint, factor)
        assert at["components"] == expected["components"] and at["entry_points"] == expected["entry_points"]
    assert data["critical_path"] == {
        "entry": "app",
        "p99_ms": 35,
        "slo_ms": 100,
        "components": ["app", "gateway", "model"],
        "flows": [0, 1],
    }
    assert (data["headroom"], data["first_saturated"]) == (1.5, "model")


def test_a_design_past_the_full_diagram_limit_gets_the_stage_overview(monkeypatch):
    """Past FULL_DIAGRAM_LIMIT components the report draws one box per stage and says why."""
    import mlsd_diagram.outputs.report as report

    small = loads(_chain(8), name="chain.yaml")
    assert report.diagram_view(small) == ("all", None)
    full = data_block(render_report(small))
    assert "diagram_note" not in full and full["svg"].count('class="node"') == 8
    monkeypatch.setattr(report, "FULL_DIAGRAM_LIMIT", 7)
    view, note = report.diagram_view(small)
    assert view == "overview" and "8 components" in note and "more than the 7" in note
    data = data_block(render_report(small))
    assert data["diagram_note"] == note
    # the overview: one box per stage (client, serving), not one per component
    assert data["svg"].count('class="node"') == 2, data["svg"].count('class="node"')
    assert data["precomputed"]["table"]  # the knock-outs are still precomputed for every component
