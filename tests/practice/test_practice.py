"""Practice mode: cases, the exercise, grading by role, the scorecard through the real CLI.

Every case has three candidate designs in tests/practice/<case>/ (written by make_candidates.py):
a model-only design, one that forgets failure, and a strong alternative with other ids, custom
kinds and another structure. The grades must tell them apart the way an interviewer would.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from mlsd_testing import ROOT, kind_names_in_code, run_mlsd

from mlsd_diagram import load
from mlsd_diagram.blueprint.loader import loads
from mlsd_diagram.practice.cases import cases, exercise_blueprint, reference
from mlsd_diagram.practice.scorecard import COVERED, NOT_ASKED, Scorecard, grade

HERE = Path(__file__).resolve().parent
CASES = [c.name for c in cases()]
SCHEMA = json.loads((ROOT / "schema" / "practice.schema.json").read_text(encoding="utf-8"))


def card_of(case: str, stem: str, **kwargs) -> Scorecard:
    return grade(load(HERE / case / f"{stem}.yaml"), case, **kwargs)


def step(card: Scorecard, number: int):
    return next(s for s in card.steps if s.number == number)


def check(card: Scorecard, check_id: str):
    return next(c for s in card.steps for c in s.checks if c.id == check_id)


def mode(card: Scorecard, key: str):
    return next(m for m in card.failure_modes if m.key == key)


def test_every_starter_but_blank_is_a_case() -> None:
    shipped = sorted(p.stem for p in (ROOT / "mlsd_diagram" / "starters" / "blueprints").glob("*.yaml"))
    assert [s for s in shipped if s != "blank"] == CASES
    assert {c.difficulty for c in cases()} <= {"easy", "medium", "hard"}
    assert sorted(p.name for p in HERE.iterdir() if p.is_dir() and p.name != "__pycache__") == CASES


@pytest.mark.parametrize("case", CASES)
def test_the_reference_scores_full_marks(case: str) -> None:
    card = grade(reference(case), case)
    assert card.points == card.max_points and card.percent == 100.0
    assert all(s.points == 3 for s in card.steps)
    assert all(m.status in (COVERED, NOT_ASKED) for m in card.failure_modes)
    # the bar is not empty: most checks are graded for every case
    graded = [c for s in card.steps for c in s.checks if c.applies]
    assert len(graded) >= 22, [c.id for s in card.steps for c in s.checks if not c.applies]


@pytest.mark.parametrize("case", CASES)
def test_a_model_only_design_loses_data_failure_and_monitoring_and_is_told_so(case: str) -> None:
    card = card_of(case, "model_only")
    assert step(card, 1).points == 3  # the requirements are there
    assert step(card, 2).points >= 2  # the models are framed
    assert step(card, 3).points <= 1  # no data pipeline
    assert step(card, 4).points <= 1  # nothing trains the models
    assert step(card, 7).points == 0  # no monitoring
    assert card.percent < 60
    asked = " ".join(c.follow_up or "" for s in card.steps for c in s.checks)
    for phrase in ("training data come from", "garbage", "drifted", "tomorrow's"):
        assert phrase in asked, phrase
    if check(card, "S6.fallbacks").applies:
        assert not check(card, "S6.fallbacks").passed
        assert "no fallback: what does the user see when" in check(card, "S6.fallbacks").follow_up
        assert step(card, 6).points < 3


@pytest.mark.parametrize("case", CASES)
def test_a_design_that_forgets_failure_loses_those_points_with_the_follow_ups(case: str) -> None:
    card = card_of(case, "forgets_failure")
    assert card.points < card.max_points
    assert step(card, 6).points < 3
    for check_id in ("S6.timeouts", "S6.degrade"):
        result = check(card, check_id)
        assert result.applies and not result.passed and result.follow_up, check_id
    assert "before giving up?" in check(card, "S6.timeouts").follow_up
    fallbacks = check(card, "S6.fallbacks")
    if fallbacks.applies:  # a design with models answering online
        assert not fallbacks.passed
        named = fallbacks.follow_up.split(" no fallback")[0].rsplit(" ", 1)[0]  # "'a', 'b' and 'c' have"
        components = load(HERE / case / "forgets_failure.yaml").components
        assert named and all(n.strip(" '") in components for n in named.replace(" and ", ", ").split(", "))
        lost = [m for m in card.failure_modes if m.key in ("fallbacks", "overload", "missing_feature")]
        lost = [m for m in lost if m.status != NOT_ASKED and m.status != COVERED]
        assert lost, "no failure-mode point lost"
        assert all(m.follow_ups for m in lost)
        asked = " ".join(q for m in lost for q in m.follow_ups)
        assert "what does the user see when" in asked or "timeout" in asked
    # the rest of the design is intact: every other step keeps its points
    assert [s.points for s in card.steps if s.number in (1, 2, 5, 7)] == [3, 3, 3, 3]


@pytest.mark.parametrize("case", CASES)
def test_a_strong_alternative_with_other_ids_kinds_and_structure_scores_well(case: str) -> None:
    alternative = load(HERE / case / "strong_alternative.yaml")
    ref = reference(case)
    assert not set(alternative.components) & set(ref.components), "the alternative must use other ids"
    assert len(alternative.kinds) >= 6, "the alternative must use custom kinds"
    assert len(alternative.components) < len(ref.components) or len(alternative.flows) != len(ref.flows)
    card = grade(alternative, case)
    assert card.percent >= 85, [(c.id, c.follow_up) for s in card.steps for c in s.checks if c.follow_up]


def test_grading_is_by_role_not_by_kind_name() -> None:
    for module in (ROOT / "mlsd_diagram" / "practice").glob("*.py"):
        assert kind_names_in_code(module) == set(), module.name


def test_a_custom_kind_playing_the_registry_earns_the_point_and_losing_the_role_loses_it() -> None:
    data = yaml.safe_load((HERE / "news_feed" / "strong_alternative.yaml").read_text(encoding="utf-8"))
    assert data["components"]["registry_svc"]["kind"] == "x-model-store"
    assert check(grade(loads(yaml.safe_dump(data)), "news_feed"), "S4.registry").passed
    # the same box without its deploy flows is a store, not a registry (positive control)
    data["flows"] = [f for f in data["flows"] if not (f["from"] == "registry_svc" and f["mode"] == "deploy")]
    result = check(grade(loads(yaml.safe_dump(data)), "news_feed"), "S4.registry")
    assert not result.passed and "roll" in result.follow_up


def test_without_reveal_nothing_of_the_reference_is_shown() -> None:
    hidden = card_of("news_feed", "model_only")
    assert all(c.reference is None for s in hidden.steps for c in s.checks)
    assert all(m.reference is None for m in hidden.failure_modes)
    ref_only = set(reference("news_feed").components) - set(load(HERE / "news_feed" / "model_only.yaml").components)
    ref_only -= {m.key for m in hidden.failure_modes}  # "drift" is also a failure mode's key
    text = json.dumps(hidden.to_dict())
    assert not [c for c in ref_only if f"'{c}'" in text or f'"{c}"' in text]
    shown = card_of("news_feed", "model_only", reveal=True)
    registry = check(shown, "S4.registry")
    assert registry.reference == ["Model registry (registry, model_registry)"]
    assert mode(shown, "fallbacks").reference


# -- through the real CLI ------------------------------------------------------------------------


def test_check_json_follows_the_published_schema_and_is_deterministic() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    path = "tests/practice/video_search/forgets_failure.yaml"
    first = run_mlsd("practice", "check", path, "--case", "video_search", "--format", "json", "--reveal")
    second = run_mlsd("practice", "check", path, "--case", "video_search", "--format", "json", "--reveal")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["case"] == "video_search" and data["revealed"] is True
    assert data["lint"]["profile"] == "interview" and "interview profile" in data["lint"]["note"]
    assert data["serving"]["latency"][0]["slo_ms"] == reference("video_search").requirements.slo.latency_p99_ms
    # the schema is closed: a field it does not know is refused
    data["steps"][0]["extra"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_the_committed_schema_and_rubric_page_are_current() -> None:
    done = run_mlsd("practice", "schema")
    assert done.returncode == 0 and json.loads(done.stdout) == SCHEMA
    stale = subprocess.run(
        [sys.executable, "scripts/gen_practice_rubric.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert stale.returncode == 0, stale.stderr


def test_check_text_and_html(tmp_path: Path) -> None:
    path = "tests/practice/news_feed/forgets_failure.yaml"
    text = run_mlsd("practice", "check", path, "--case", "news_feed")
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert out.startswith(f"{path}: practice case news_feed (Personalized news feed): ")
    assert "6. Deployment and serving (7 min): 1/3" in out
    assert "'user_encoder' and 'ranker' have no fallback: what does the user see when one is down?" in out
    assert "'ranker' has no fallback: what does the user see when it is down?" in out  # the failure-mode round
    assert "'ranker' fails when its lookup in 'features' fails: what does it use when a feature is missing?" in out
    assert "Knock out 'ranker': 'app' down" in out
    assert "reference:" not in out and "--reveal" in out
    page = tmp_path / "card.html"
    done = run_mlsd("practice", "check", path, "--case", "news_feed", "--format", "html", "-o", str(page), "--reveal")
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "http" not in html.split("</style>")[1]
    assert 'data-check="S6.fallbacks"' in html and "<th>reference</th>" in html
    again = run_mlsd("practice", "check", path, "--case", "news_feed", "--format", "html", "--reveal")
    assert again.stdout == html  # same input, same bytes (to a file or to standard output)
    assert run_mlsd("practice", "check", path, "--case", "news_feed").stdout == out


def test_list_and_start_write_an_exercise_that_validates_and_grades(tmp_path: Path) -> None:
    listing = run_mlsd("practice", "list")
    assert listing.returncode == 0 and all(name in listing.stdout for name in CASES)
    started = run_mlsd("practice", "start", "video_search", "-o", str(tmp_path / "ex"))
    assert started.returncode == 0, started.stderr
    prompt = (tmp_path / "ex" / "prompt.md").read_text(encoding="utf-8")
    blueprint = (tmp_path / "ex" / "video_search.yaml").read_text(encoding="utf-8")
    assert "Return the most relevant videos for a text query" in prompt
    assert "<details><summary>" in prompt and "| 17-27 | 4. Model development |" in prompt
    ref = reference("video_search")
    # the prompt gives the requirements, never the framing or the design
    assert ref.requirements.ml_task not in prompt + blueprint
    exercise = load(tmp_path / "ex" / "video_search.yaml")
    assert set(exercise.components) == {c for c in ref.components if ref.kind_of(c).stage.value == "client"}
    assert not exercise.flows and not exercise.metrics.offline
    assert blueprint == exercise_blueprint("video_search")
    graded = run_mlsd("practice", "check", str(tmp_path / "ex" / "video_search.yaml"), "--case", "video_search")
    assert graded.returncode == 0 and "ask: How do you frame this as an ML task" in graded.stdout
    again = run_mlsd("practice", "start", "video_search", "-o", str(tmp_path / "ex"))
    assert again.returncode == 2 and "exists" in again.stderr and "Traceback" not in again.stderr


def test_bad_input_is_a_located_error_or_one_line_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "mine.yaml"
    broken.write_text("mlsd: 1\nname: x\ncomponents:\n  app: {kind: client_app\n", encoding="utf-8")
    done = run_mlsd("practice", "check", str(broken), "--case", "news_feed")
    assert done.returncode == 2 and done.stdout == ""
    assert re.match(rf"{re.escape(str(broken))}:\d+:\d+: error: ", done.stderr) and "Traceback" not in done.stderr
    unknown = run_mlsd("practice", "check", str(broken), "--case", "no_such_case")
    assert unknown.returncode == 2 and unknown.stderr.startswith("mlsd: error: unknown case 'no_such_case'")
    blank = run_mlsd("practice", "start", "blank", "-o", str(tmp_path / "b"))
    assert blank.returncode == 2 and "not a case" in blank.stderr
    serve = run_mlsd("serve", str(broken), "--practice", "no_such_case", "--port", "0")
    assert serve.returncode == 2 and "unknown case 'no_such_case'" in serve.stderr and "Serving" not in serve.stdout
    missing = run_mlsd("practice", "check", str(tmp_path / "nope.yaml"), "--case", "news_feed")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_practice_check_imports_no_renderer() -> None:
    code = (
        "import sys, json\nfrom mlsd_diagram.cli import main\n"
        "try:\n    main(['practice', 'check', 'tests/practice/news_feed/model_only.yaml', '--case', 'news_feed'],"
        " standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    loaded = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert "networkx" in loaded or "pydantic" in loaded  # it did grade
    assert not loaded & {"diagrams", "graphviz", "jinja2", "starlette"}


@pytest.mark.parametrize("path", sorted(HERE.glob("*/alternative_*.yaml")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_hand_written_alternatives_score_well(path: Path) -> None:
    """Designs written by hand, sharing only the requirements with the reference, score at least 85%."""
    card = grade(load(path), path.parent.name)
    assert card.percent >= 85, [(c.id, c.follow_up) for s in card.steps for c in s.checks if c.follow_up]
    ref = reference(path.parent.name)
    assert not (set(load(path).components) - {"drift"}) & set(ref.components), "a hand-written design uses its own ids"
