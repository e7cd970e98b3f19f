"""The `mlsd` CLI for the blueprint stage: validate, kinds, schema; exit codes; no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from mlsd_testing import BLUEPRINTS, ROOT, run_mlsd

from mlsd_diagram.blueprint.kinds import BUILTIN_KINDS
from mlsd_diagram.cli import COMMANDS, main

CORPUS = ROOT / "tests" / "corpus"


def test_bundled_blueprints_exist_and_are_realistic():
    names = {p.stem for p in BLUEPRINTS}
    assert {"news_feed", "event_recommendation", "video_search"} <= names
    for path in BLUEPRINTS:
        data = yaml.safe_load(path.read_text())
        assert 15 <= len(data["components"]) <= 40, path.name
        kinds = {c["kind"] for c in data["components"].values()}
        assert {"ann_index", "ranking_service", "feature_store", "model_registry", "drift_detector"} <= kinds, path


@pytest.mark.parametrize("path", BLUEPRINTS, ids=[p.stem for p in BLUEPRINTS])
def test_validate_bundled_blueprint(path: Path):
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(path.read_text())
    assert result.output == f"{path}: ok ({len(data['components'])} components, {len(data.get('flows', []))} flows)\n"


def test_validate_many_files_exit_two_when_any_is_invalid():
    result = run_mlsd("validate", str(CORPUS / "unknown_kind.yaml"), str(ROOT / "blueprints" / "news_feed.yaml"))
    assert result.returncode == 2
    assert "news_feed.yaml: ok (" in result.stdout
    assert "unknown_kind.yaml:4:14: error: unknown kind 'feature_stor'; did you mean 'feature_store'?" in result.stderr


def test_kinds_text_and_json():
    text = CliRunner().invoke(main, ["kinds"])
    assert text.exit_code == 0
    for kind in BUILTIN_KINDS:
        assert kind.name in text.output
    data = json.loads(CliRunner().invoke(main, ["kinds", "--format", "json"]).output)
    assert len(data["kinds"]) == len(BUILTIN_KINDS) >= 40
    by_name = {k["name"]: k for k in data["kinds"]}
    assert by_name["inference_service"]["aliases"] == ["inference_cluster", "model_server"]
    assert by_name["api_gateway"]["aliases"] == ["load_balancer"]
    assert by_name["fallback_ranker"]["roles"] == ["DEGRADE"]


def test_schema_validates_bundled_blueprints_and_rejects_bad_ones():
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    for path in BLUEPRINTS:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
        assert not errors, (path.name, errors[:1])
    bad = yaml.safe_load((CORPUS / "unknown_mode.yaml").read_text())
    assert list(validator.iter_errors(bad))
    kind_schema = schema["$defs"]["Component"]["properties"]["kind"]
    assert "feature_store" in json.dumps(kind_schema)


def test_committed_schema_is_current():
    current = CliRunner().invoke(main, ["schema"]).output
    assert (ROOT / "schema" / "mlsd.schema.json").read_text() == current, "run `make schema`"


def test_internal_error_is_one_line_exit_three_and_debug_shows_traceback(tmp_path, monkeypatch):
    # A real internal failure: the installed kind catalog is made inconsistent in a subprocess.
    script = (
        "import sys, mlsd_diagram.blueprint.loader as l\n"
        "l.validate_tree = lambda tree: 1 / 0\n"
        "from mlsd_diagram.cli import main\n"
        "main(prog_name='mlsd')\n"
    )
    import subprocess
    import sys

    path = ROOT / "blueprints" / "news_feed.yaml"
    for env, traceback_shown in (({}, False), ({"MLSD_DEBUG": "1"}, True)):
        result = subprocess.run(
            [sys.executable, "-c", script, "validate", str(path)],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        )
        assert result.returncode == 3
        assert "mlsd: internal error: ZeroDivisionError: division by zero" in result.stderr
        assert ("Traceback" in result.stderr) is traceback_shown
    result = subprocess.run(
        [sys.executable, "-c", script, "--debug", "validate", str(path)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 3 and "Traceback" in result.stderr


def test_cli_reference_lists_every_command():
    reference = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    # the real list: `main.commands` holds only the commands loaded so far (they load lazily)
    names = list(COMMANDS)
    assert {"validate", "lint", "render", "serve", "estimate", "simulate", "diff"} <= set(names)
    for name in names:
        assert f"\n## mlsd {name}\n" in reference and f"$ mlsd {name} -h\nUsage: mlsd {name} " in reference, name


def test_readme_error_example_is_the_real_output():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "$ mlsd validate tests/corpus/duplicate_and_four_more.yaml\n"
    shown = readme[readme.index(command) + len(command) :]
    shown = shown[: shown.index("```")]
    result = run_mlsd("validate", "tests/corpus/duplicate_and_four_more.yaml", cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr == shown
