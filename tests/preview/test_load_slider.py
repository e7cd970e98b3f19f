"""The load slider in headless Chromium: the offline report and `mlsd serve` show the precomputed load.

``data/load.yaml`` at L x 1,000 qps, by hand: the gateway (2 x 1,000 qps, load shedding) is at
L / 2; the model (2 x 750 qps, no load shedding) at L / 1.5, and over 1.5x it is overloaded: the
gateway's call times out and the cache answers (the app is degraded). Over 2x the gateway sheds
what it cannot take, and those requests fail: the app is down. Latency: model 30 ms, gateway
5 + 30 = 35 ms, so the critical path is app -> gateway -> model, 35 ms.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from preview_testing import HERE, ROOT, Watched, mlsd_command

from mlsd_diagram import load
from mlsd_diagram.analyses.serving import LOAD_FACTORS, critical_path, load_at

pytestmark = pytest.mark.browser

LOAD = HERE / "data" / "load.yaml"
SHOT_DIR = os.environ.get("MLSD_SCREENSHOT_DIR")  # keep the screenshots somewhere to look at them


def classes(page, selector: str) -> set[str]:
    return set((page.locator(selector).get_attribute("class") or "").split())


def badge(page, component: str) -> str:
    return page.locator(f"#component-{component} text.load-badge").text_content()


def write_report(source, out) -> None:
    """``mlsd report SOURCE -o OUT``, run as a user runs it (a subprocess in OUT's folder)."""
    result = subprocess.run(
        [*mlsd_command(), "report", str(source), "-o", str(out)],
        cwd=out.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def slide_to(page, factor: float) -> None:
    page.locator("#mlsd-load").fill(str(LOAD_FACTORS.index(factor)))
    page.wait_for_function(
        "f => document.getElementById('mlsd-load-factor').textContent.startsWith(f + 'x peak')", arg=f"{factor:g}"
    )


def check_slider(page, tmp_path, name: str) -> None:
    p = page
    p.wait_for_selector("#mlsd-diagram-svg g.node")
    # starts at 1x: everything within capacity, coloured by utilization
    assert p.locator("#mlsd-load-factor").inner_text() == "1x peak: 1,000 qps at app"
    assert {"load-ok", "critical"} <= classes(p, "#component-gateway")
    assert badge(p, "gateway") == "50%" and badge(p, "model") == "67%" and badge(p, "cache") == "0%"
    assert "load-served" in classes(p, "#component-app")
    assert badge(p, "app") == "35 ms"  # the critical path's milliseconds, on its entry point
    assert p.locator("#mlsd-critical-path strong").inner_text() == "Critical path: 35 ms p99 at 1x"
    assert p.locator("#mlsd-load-entries li[data-entry='app'] .p99").inner_text() == "p99 35 ms"
    assert "from app: app \u2192 gateway \u2192 model" in p.locator("#mlsd-critical-path").inner_text()
    assert "critical" in classes(p, "#flow-0") and "critical" in classes(p, "#flow-1")
    assert "critical" not in classes(p, "#flow-2") and "critical" not in classes(p, "#component-cache")
    assert p.locator("#mlsd-headroom").inner_text() == (
        "Headroom: 1.5x peak (first to saturate: model). Within the SLO up to 1.5x peak."
    )
    assert p.locator("#mlsd-load-entries li[data-entry='app'] .state").inner_text() == "served"

    # 1.5x: the model is exactly at capacity, still ok (high utilization)
    slide_to(p, 1.5)
    assert {"load-ok", "util-high"} <= classes(p, "#component-model") and badge(p, "model") == "100%"
    assert p.locator("#mlsd-load-entries li[data-entry='app'] .state").inner_text() == "served"

    # 1.75x: the model is overloaded; the gateway's timeout lets the cache answer
    slide_to(p, 1.75)
    assert "load-overloaded" in classes(p, "#component-model") and badge(p, "model") == "117%"
    assert "load-ok" in classes(p, "#component-cache") and badge(p, "cache") == "35%"
    assert "load-degraded" in classes(p, "#component-app")
    assert p.locator("#mlsd-load-entries li[data-entry='app'] .state").inner_text() == "degraded"
    assert "At 1.75x: model overloaded" in p.locator("#mlsd-critical-path").inner_text()
    row = p.locator("#mlsd-load-table tr[data-component='model'] td")
    assert row.all_inner_texts() == ["model", "1,750", "1,500", "117%", "overloaded"]

    # 2.5x: the gateway sheds; the shed requests fail, so the app is down
    slide_to(p, 2.5)
    assert "load-shedding" in classes(p, "#component-gateway") and badge(p, "gateway") == "125%"
    assert "load-overloaded" in classes(p, "#component-model") and badge(p, "model") == "133%"
    assert "load-down" in classes(p, "#component-app")
    assert p.locator("#mlsd-load-entries li[data-entry='app'] .state").inner_text() == "down"
    assert p.locator("#mlsd-load-title").text_content() == "Load at 2.5x peak"
    shot = p.screenshot(path=str(tmp_path / f"{name}-2.5x.png"))
    assert shot.startswith(b"\x89PNG")
    if SHOT_DIR:
        p.screenshot(path=os.path.join(SHOT_DIR, f"{name}-2.5x.png"))

    # the keyboard moves it one factor at a time: 2.5x -> 2.25x -> 2x, back at the gateway's capacity
    p.locator("#mlsd-load").press("ArrowLeft")
    p.wait_for_function("document.getElementById('mlsd-load-factor').textContent.startsWith('2.25x peak')")
    assert "load-shedding" in classes(p, "#component-gateway") and badge(p, "gateway") == "113%"
    p.locator("#mlsd-load").press("ArrowLeft")
    p.wait_for_function("document.getElementById('mlsd-load-factor').textContent.startsWith('2x peak')")
    assert {"load-ok", "util-high"} <= classes(p, "#component-gateway") and badge(p, "gateway") == "100%"
    assert "load-degraded" in classes(p, "#component-app")
    # 0.5x at the far left
    p.locator("#mlsd-load").press("Home")
    p.wait_for_function("document.getElementById('mlsd-load-factor').textContent.startsWith('0.5x peak')")
    assert badge(p, "gateway") == "25%" and badge(p, "model") == "33%"
    assert "load-served" in classes(p, "#component-app")


def test_report_load_slider(browser, tmp_path):
    out = tmp_path / "report.html"
    write_report(LOAD, out)
    context = browser.new_context(offline=True, viewport={"width": 1440, "height": 1000})
    attempted: list[str] = []

    def block(route):
        attempted.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith("file://"), block)
    watched = Watched(context.new_page())
    watched.page.goto(out.as_uri())
    check_slider(watched.page, tmp_path, "report")
    assert attempted == [] and all(url.startswith("file://") for url in watched.requests), watched.requests
    assert watched.console_errors() == []
    context.close()


def test_serve_load_slider(serve, page, tmp_path):
    server = serve(LOAD)
    page.page.goto(server.url)
    check_slider(page.page, tmp_path, "serve")
    assert all(url.startswith(f"http://127.0.0.1:{server.port}/") for url in page.requests), page.requests
    assert page.console_errors() == []


def test_knock_out_takes_over_the_diagram_and_the_slider_keeps_its_place(serve, page):
    server = serve(LOAD)
    p = page.page
    p.goto(server.url)
    p.wait_for_selector("#mlsd-diagram-svg g.node")
    slide_to(p, 1.75)
    p.locator("#component-cache").click()
    p.locator("#mlsd-knockout-toggle").check()
    p.wait_for_selector("#mlsd-clear-knockouts")
    # the knock-out's colours replace the load's; the load panel still answers for the intact design
    assert not classes(p, "#component-model") & {"load-overloaded", "critical"}
    assert badge(p, "model") == ""
    assert "clear it to see the load" in p.locator("#mlsd-load-note").inner_text()
    assert p.locator("#mlsd-load-entries li[data-entry='app'] .state").inner_text() == "degraded"
    p.locator("#mlsd-clear-knockouts").click()
    p.wait_for_function("document.querySelector('#component-model').classList.contains('load-overloaded')")
    assert p.locator("#mlsd-load-factor").inner_text().startswith("1.75x peak")
    assert page.console_errors() == []


def test_a_blueprint_without_peak_qps_has_no_load_to_show(serve, page, tmp_path):
    path = tmp_path / "nopeak.yaml"
    path.write_text(LOAD.read_text().replace("  scale: {peak_qps: 1000}\n", ""))
    server = serve(path)
    p = page.page
    p.goto(server.url)
    p.wait_for_selector("#mlsd-diagram-svg g.node")
    p.wait_for_function("document.getElementById('mlsd-load-note').textContent.length > 0")
    assert p.locator("#mlsd-load").is_disabled()
    assert p.locator("#mlsd-load-note").inner_text().startswith("No peak qps is declared")
    assert badge(p, "model") == "" and "load-ok" not in classes(p, "#component-model")
    assert page.console_errors() == []


@pytest.mark.parametrize("source", sorted((ROOT / "blueprints").glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_report_slider_shows_the_engine_s_states(browser, tmp_path, source):
    out = tmp_path / "report.html"
    write_report(source, out)
    blueprint = load(source)
    context = browser.new_context(offline=True, viewport={"width": 1440, "height": 1000})
    watched = Watched(context.new_page())
    p = watched.page
    p.goto(out.as_uri())
    p.wait_for_selector("#mlsd-diagram-svg g.node")
    path = critical_path(blueprint)
    assert p.locator("#mlsd-critical-path strong").inner_text() == f"Critical path: {path['p99_ms']} ms p99 at 1x"
    for factor in (1, 2, 5):
        slide_to(p, factor)
        expected = load_at(blueprint, factor)
        here = expected["latency"][path["entry"]]["p99_ms"]
        if here is not None:  # the p99 moves with the load (queues, shedding): the page shows this load's
            shown = p.locator("#mlsd-critical-path strong").inner_text()
            assert shown == f"Critical path: {here} ms p99 at {factor:g}x", shown
        for entry, state in expected["entry_points"].items():
            assert p.locator(f"#mlsd-load-entries li[data-entry='{entry}'] .state").inner_text() == state
            assert f"load-{state}" in classes(p, f"#component-{entry}")
        for cid, info in expected["components"].items():
            if cid not in expected["entry_points"]:
                assert f"load-{info['state']}" in classes(p, f"#component-{cid}"), (factor, cid)
                assert ("critical" in classes(p, f"#component-{cid}")) == (cid in path["components"])
        if factor == 2 and SHOT_DIR:
            p.screenshot(path=os.path.join(SHOT_DIR, f"{source.stem}-2x.png"))
    assert watched.console_errors() == []
    context.close()


def test_an_entry_point_that_never_answers_shows_an_infinite_time(browser, tmp_path):
    # c0 (1 qps, no shedding) takes the partner's 2 qps: it hangs, and both entry points wait on it without a
    # timeout. The model's "never" is the largest float in the page's JSON; the page writes it as infinite.
    source = tmp_path / "hangs.yaml"
    source.write_text(
        "mlsd: 1\nname: Hangs\ncomponents:\n  app: {kind: client_app}\n"
        "  partner: {kind: client_app, peak_qps: 2}\n  c0: {kind: online_service, capacity_qps: 1}\n"
        "  c1: {kind: online_service, latency_p99_ms: 0}\nflows:\n  - {from: app, to: c0, mode: request}\n"
        "  - {from: partner, to: c0, mode: request}\n  - {from: c0, to: c1, mode: request}\n"
    )
    out = tmp_path / "report.html"
    write_report(source, out)
    context = browser.new_context(offline=True, viewport={"width": 1440, "height": 1000})
    watched = Watched(context.new_page())
    p = watched.page
    p.goto(out.as_uri())
    p.wait_for_selector("#mlsd-diagram-svg g.node")
    assert p.locator("#mlsd-critical-path strong").inner_text() == "Critical path: \u221e ms p99 at 1x"
    assert badge(p, "app") == "\u221e ms"
    assert p.locator("tr[data-entry='partner'] td.num").first.inner_text() == "\u221e ms"  # the latency table
    assert "e+308" not in p.locator("body").inner_text()
    assert watched.console_errors() == []
    context.close()


def _open_report(browser, tmp_path, name: str, text: str):
    """``mlsd report`` of the blueprint ``text``, opened offline; returns the context and the watched page."""
    source = tmp_path / f"{name}.yaml"
    source.write_text(text)
    out = tmp_path / f"{name}.html"
    write_report(source, out)
    context = browser.new_context(offline=True, viewport={"width": 1440, "height": 1000})
    watched = Watched(context.new_page())
    watched.page.goto(out.as_uri())
    watched.page.wait_for_selector("#mlsd-diagram-svg g.node")
    return context, watched


def test_without_an_slo_the_headroom_line_says_served_not_within_the_slo(browser, tmp_path):
    # api: 300 qps for the app's 100: it saturates at 3x, and nothing declares an SLO to be within
    context, watched = _open_report(
        browser,
        tmp_path,
        "noslo",
        "mlsd: 1\nname: No SLO\ncomponents:\n  app: {kind: client_app, peak_qps: 100}\n"
        "  api: {kind: online_service, capacity_qps: 300, latency_p99_ms: 20}\n"
        "flows:\n  - {from: app, to: api, mode: request}\n",
    )
    assert watched.page.locator("#mlsd-headroom").inner_text() == (
        "Headroom: 3x peak (first to saturate: api). Every entry point served up to 3x peak (no SLO set)."
    )
    assert watched.console_errors() == []
    context.close()


def test_the_intact_design_shows_its_own_states_not_served_for_all(browser, tmp_path):
    # feats (50 ms) is always cut by the api's 5 ms timeout; api goes on with default features, so the app is
    # degraded with nothing knocked out and at any load. The knock-out panel said "served" for the intact design.
    context, watched = _open_report(
        browser,
        tmp_path,
        "always",
        "mlsd: 1\nname: Always times out\ncomponents:\n  app: {kind: client_app, peak_qps: 10}\n"
        "  api: {kind: online_service, latency_p99_ms: 10}\n  feats: {kind: feature_store, latency_p99_ms: 50}\n"
        "flows:\n  - {from: app, to: api, mode: request}\n"
        "  - {from: api, to: feats, mode: request, timeout_ms: 5, on_failure: defaults}\n",
    )
    p = watched.page
    assert p.locator("#mlsd-entry-points li.entry[data-entry='app'] .state").inner_text() == "degraded"
    assert p.locator("#mlsd-load-entries li[data-entry='app'] .state").inner_text() == "degraded"
    assert p.locator("#mlsd-sets-note").inner_text().startswith("These states assume no load;")
    # knocking the api out takes the app down; clearing the knock-out brings back the intact design's state
    p.locator("#component-api").click()
    p.locator("#mlsd-knockout-toggle").check()
    p.wait_for_selector("#mlsd-entry-points li.entry.state-down[data-entry='app']")
    p.locator("#mlsd-clear-knockouts").click()
    p.wait_for_selector("#mlsd-entry-points li.entry.state-degraded[data-entry='app']")
    assert watched.console_errors() == []
    context.close()
