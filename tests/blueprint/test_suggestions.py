""" "Did you mean" stays cheap with thousands of names and thousands of misspellings, and still helps."""

from __future__ import annotations

import difflib
import time

from mlsd_testing import run_mlsd

from mlsd_diagram.diagnostics import Suggestions, did_you_mean

NAMES = [f"service_{i:05d}" for i in range(5000)]


def test_one_edit_misspellings_among_many_names_get_the_exhaustive_answer():
    index = Suggestions(NAMES)
    for typo in ["servcie_00042", "service_0042", "service_000042", "sarvice_04999", "service-01234"]:
        expected = difflib.get_close_matches(typo, NAMES, n=1, cutoff=0.6)[0]
        assert index.closest(typo) == expected, typo


def test_small_name_sets_are_searched_exhaustively():
    assert did_you_mean("feture_store", ["feature_store", "cache"]) == "; did you mean 'feature_store'?"
    assert did_you_mean("xyz", ["feature_store", "cache"]) == ""


def test_thousands_of_misspellings_cost_an_index_not_a_scan():
    index = Suggestions(NAMES)
    start = time.process_time()
    hints = [index.hint(f"servcie_{i:05d}") for i in range(5000)]
    assert time.process_time() - start < 5  # a scan of every name per misspelling took minutes
    assert all(h == f"; did you mean 'service_{i:05d}'?" for i, h in enumerate(hints))


def test_the_loader_hints_every_misspelled_flow_target(tmp_path):
    n = 2000
    comps = "".join(f"  service_{i:05d}: {{kind: online_service}}\n" for i in range(n))
    flows = "".join(
        f"  - {{from: service_{i:05d}, to: servcie_{i:05d}{'x' if i % 2 else ''}, mode: stream}}\n" for i in range(n)
    )  # even: letters swapped (one edit), odd: one more letter too
    path = tmp_path / "typos.yaml"
    path.write_text(f"mlsd: 1\nname: Typos\ncomponents:\n{comps}flows:\n{flows}")
    result = run_mlsd("validate", str(path), timeout=120, cpu_seconds=60)
    lines = result.stderr.splitlines()
    assert result.returncode == 2 and len(lines) == n
    assert lines[0].endswith("flow 'to' names 'servcie_00000', which is not a component; did you mean 'service_00000'?")
    assert lines[1].endswith("flow 'to' names 'servcie_00001x', which is not a component")  # two edits: no hint


def test_every_mapping_of_the_format_hints_its_own_field_names():
    """Which fields a path may hold is read off the models, so a section added later (``context``) hints
    too; it once said only "unknown field 'motivatoin' in context"."""
    from mlsd_diagram import loads
    from mlsd_diagram.diagnostics import BlueprintError

    text = (
        "mlsd: 1\nname: T\ncontext: {motivatoin: why now}\nrequirements: {slo: {latency_p99: 5}}\n"
        "components:\n  app: {kind: client_app, replics: 2}\n"
        "flows:\n  - {from: app, to: app2, mode: request, data: x, timout_ms: 5}\n"
        "lint: {accept: [{rule: MLSD201, reson: r}]}\n"
    )
    try:
        loads(text, "t.yaml")
    except BlueprintError as exc:
        messages = "\n".join(d.message for d in exc.diagnostics)
    else:
        raise AssertionError("the blueprint should not load")
    for typo, field in [
        ("motivatoin", "motivation"),
        ("latency_p99", "latency_p99_ms"),
        ("replics", "replicas"),
        ("timout_ms", "timeout_ms"),
        ("reson", "reason"),
    ]:
        assert f"unknown field '{typo}'" in messages and f"did you mean '{field}'?" in messages, (typo, messages)
