"""Properties of the serving model on random designs (Hypothesis).

More knock-outs never improve an entry point (in the knock-out analysis); more load never
improves one; a timeout never lengthens latency; and no result depends on the order of the flows.
"""

from __future__ import annotations

import json

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlsd_diagram import loads
from mlsd_diagram.analyses.serving import knock_out, load_at, request_latency, simulate

RANK = {"served": 0, "degraded": 1, "down": 2}
KINDS = ["online_service", "ranking_service", "cache", "fallback_ranker", "feature_store", "inference_service"]


@st.composite
def designs(draw) -> dict:
    """A random request path under one or two clients: request flows only go forward (no request cycle),
    fallback flows anywhere (mutual ones included), with every serving field in play."""
    n = draw(st.integers(2, 8))
    ids = [f"c{i}" for i in range(n)]
    comps: dict = {"app": {"kind": "client_app"}}
    if draw(st.booleans()):
        comps["partner"] = {"kind": "client_app", "peak_qps": draw(st.integers(0, 500))}
    for c in ids:
        comp = {"kind": draw(st.sampled_from(KINDS)), "replicas": draw(st.integers(1, 3))}
        if draw(st.booleans()):
            comp["latency_p99_ms"] = draw(st.integers(0, 50))
        if draw(st.booleans()):
            comp["capacity_qps"] = draw(st.integers(1, 400))
        if draw(st.booleans()):
            comp["load_shedding"] = True
        comps[c] = comp
    flows = [{"from": "app", "to": "c0", "mode": "request", "data": "x"}]
    if "partner" in comps:
        flows.append({"from": "partner", "to": ids[draw(st.integers(0, n - 1))], "mode": "request", "data": "x"})
    stepped = {c: draw(st.booleans()) for c in ids}
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            mode = draw(st.sampled_from([None, None, "request", "fallback"] if i < j else [None, None, "fallback"]))
            if mode == "fallback":
                flows.append({"from": ids[i], "to": ids[j], "mode": "fallback"})
            elif mode == "request":
                flow = {
                    "from": ids[i],
                    "to": ids[j],
                    "mode": "request",
                    "data": "x",
                    "on_failure": draw(st.sampled_from(["fail", "fail", "skip", "defaults"])),
                    "per_request": draw(st.sampled_from([0.5, 1, 1, 2])),
                }
                if stepped[ids[i]]:
                    flow["step"] = draw(st.integers(1, 3))
                if draw(st.booleans()):
                    flow["timeout_ms"] = draw(st.integers(1, 80))
                flows.append(flow)
    return {
        "mlsd": 1,
        "name": "generated",
        "requirements": {"scale": {"peak_qps": draw(st.integers(0, 500))}},
        "components": comps,
        "flows": flows,
    }


def load_design(design: dict):
    return loads(json.dumps(design), "generated.yaml")


def worse_or_equal(small: dict, large: dict) -> bool:
    return all(RANK[small[e]] <= RANK[large[e]] for e in small)


@settings(max_examples=150, deadline=None)
@given(designs(), st.data())
def test_more_knock_outs_never_improve_an_entry_point(design, data) -> None:
    bp = load_design(design)
    ids = sorted(design["components"])
    small = set(data.draw(st.lists(st.sampled_from(ids), max_size=3)))
    large = small | set(data.draw(st.lists(st.sampled_from(ids), max_size=3)))
    assert worse_or_equal(knock_out(bp, small), knock_out(bp, large))
    # Not asked of load_at: a knocked-out component stops sending load, which can relieve a callee it
    # shares with another entry point (found by this test: knocking out one client unloads the other's path).


@settings(max_examples=150, deadline=None)
@given(designs(), st.floats(0.1, 4), st.floats(1, 3))
def test_more_load_never_improves_an_entry_point(design, factor, more) -> None:
    bp = load_design(design)
    low, high = load_at(bp, factor), load_at(bp, factor * more)
    # States are thresholds on shares (1% failed is down): more shedding can send more requests to a
    # fallback and fewer to a broken part, so a state can look better at more load; the share of
    # requests fully served never grows.
    for e, figures in low["latency"].items():
        assert high["latency"][e]["shares"]["served"] <= figures["shares"]["served"] + 1e-9
    if low["headroom"] is not None and factor <= low["headroom"]:
        assert set(low["entry_points"].values()) <= {"served"}


@settings(max_examples=150, deadline=None)
@given(designs(), st.data())
def test_adding_a_timeout_never_lengthens_latency(design, data) -> None:
    requests = [i for i, f in enumerate(design["flows"]) if f["mode"] == "request"]
    index = data.draw(st.sampled_from(requests))
    callee = design["flows"][index]["to"]
    # a cut call costs the timeout, then a fallback's answer: the callee's, or, when the cut fails its
    # caller, the fallback of the caller or of anything above it that the failure reaches (a caller
    # cut at 1 ms whose fallback takes 2 ms answers in 3). With a slow fallback a timeout can
    # lengthen a request; without one it only shortens it.
    above = {design["flows"][index]["from"], callee}
    grew = True
    while grew:
        callers = {f["from"] for f in design["flows"] if f["mode"] == "request" and f["to"] in above}
        grew = not callers <= above
        above |= callers
    assume(not any(f["mode"] == "fallback" and f["from"] in above for f in design["flows"]))
    timed = json.loads(json.dumps(design))
    old = timed["flows"][index].get("timeout_ms")
    new = data.draw(st.integers(1, 100))
    timed["flows"][index]["timeout_ms"] = new if old is None else min(old, new)
    before = request_latency(load_design(design))
    after = request_latency(load_design(timed))
    for entry, info in before.items():
        # The p99 is the answered requests' (failed ones are a share beside it): a timeout on a call
        # that hangs turns failed requests into answered ones that now count, so the property is
        # about entry points whose requests all answer before.
        if info["p99_ms"] is not None and info["shares"]["failed"] == 0:
            assert after[entry]["p99_ms"] <= info["p99_ms"]


@settings(max_examples=150, deadline=None)
@given(designs(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_flow_order(design, random) -> None:
    shuffled = json.loads(json.dumps(design))
    random.shuffle(shuffled["flows"])
    one, two = simulate(load_design(design), load=1.5), simulate(load_design(shuffled), load=1.5)
    assert {tuple(k["components"]): k["entry_points"] for k in one["knock_outs"]} == {
        tuple(k["components"]): k["entry_points"] for k in two["knock_outs"]
    }
    assert one["critical"] == two["critical"]
    assert {e: i["p99_ms"] for e, i in one["latency"].items()} == {e: i["p99_ms"] for e, i in two["latency"].items()}
    assert one["load"]["entry_points"] == two["load"]["entry_points"]
    assert one["load"]["components"] == two["load"]["components"]
    assert one["load"]["headroom"] == two["load"]["headroom"]


@settings(max_examples=300, deadline=None)
@given(designs())
def test_the_all_at_once_knock_out_sweep_agrees_with_one_knock_out_at_a_time(design):
    from mlsd_diagram.analyses.serving import ServingModel

    model = ServingModel(loads(json.dumps(design)))
    sweep = model.single_knock_outs()
    if sweep is None:  # fallbacks form a cycle: the sweep declines, one at a time is used
        return
    for c in model.relevant:
        assert sweep[c] == model.entry_states({c}), c


def test_a_timeout_on_a_hanging_call_turns_failed_requests_into_answered_ones() -> None:
    """Found by the property above: half the requests call an overloaded service without shedding.

    Without a timeout they hang (failed share 0.5, the answered half takes 0 ms); with a 1 ms
    timeout and ``on_failure: skip`` they answer degraded after 1 ms, so the answered p99 is 1 ms."""
    design = {
        "mlsd": 1,
        "name": "hang",
        "requirements": {"scale": {"peak_qps": 3}},
        "components": {
            "app": {"kind": "client_app"},
            "c0": {"kind": "online_service", "latency_p99_ms": 0},
            "c2": {"kind": "online_service", "capacity_qps": 1},
        },
        "flows": [
            {"from": "app", "to": "c0", "mode": "request", "data": "x"},
            {"from": "c0", "to": "c2", "mode": "request", "data": "x", "on_failure": "skip", "per_request": 0.5},
        ],
    }
    before = request_latency(load_design(design))["app"]
    design["flows"][1]["timeout_ms"] = 1
    after = request_latency(load_design(design))["app"]
    assert (before["p99_ms"], before["shares"], before["state"]) == (
        0,
        {"served": 0.5, "degraded": 0, "failed": 0.5},
        "down",
    )
    assert (after["p99_ms"], after["shares"], after["state"]) == (
        1,
        {"served": 0.5, "degraded": 0.5, "failed": 0},
        "degraded",
    )


def test_a_timeout_that_fails_the_caller_adds_the_caller_s_fallback_by_hand() -> None:
    """Found by the property above (before it excluded fallbacks above the cut call): c0 calls c6 (2 ms)
    for half its requests with ``on_failure: fail``; a 1 ms timeout cuts each of those calls, c0 fails
    and its fallback c5 answers, calling c6 for half of them without a timeout. By hand: the half that
    makes no call is served at 0 ms; the other half is cut at 1 ms and degraded, answered by c5 at
    1 + 0 or 1 + 2 ms (a quarter each), so the p99 is 3 ms, with 50 % served and 50 % degraded
    (before the timeout: every request served, the p99 c6's 2 ms)."""
    design = {
        "mlsd": 1,
        "name": "cut",
        "components": {
            "app": {"kind": "client_app"},
            "c0": {"kind": "online_service"},
            "c5": {"kind": "online_service"},
            "c6": {"kind": "online_service", "latency_p99_ms": 2},
        },
        "flows": [
            {"from": "app", "to": "c0", "mode": "request"},
            {"from": "c0", "to": "c5", "mode": "fallback"},
            {"from": "c0", "to": "c6", "mode": "request", "on_failure": "fail", "per_request": 0.5},
            {"from": "c5", "to": "c6", "mode": "request", "on_failure": "fail", "per_request": 0.5},
        ],
    }
    before = request_latency(load_design(design))["app"]
    assert before["p99_ms"] == 2 and before["shares"] == {"served": 1, "degraded": 0, "failed": 0}
    design["flows"][2]["timeout_ms"] = 1
    after = request_latency(load_design(design))["app"]
    assert after["p99_ms"] == 3 and after["shares"] == {"served": 0.5, "degraded": 0.5, "failed": 0}
