"""The broken and hostile blueprint corpus: each file's exact located errors, exit code 2.

Each ``tests/corpus/NAME.yaml`` has ``NAME.expect``: the lines `mlsd validate`
must print on stderr, without the file name prefix. Each runs in a real
subprocess under a memory bound (1 GiB) and a CPU-time bound, once with each
YAML parser (libyaml's and PyYAML's pure-Python one): the goldens hold our
words, so both must print the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mlsd_testing import YAML_LOADERS, run_mlsd

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CASES = sorted(CORPUS.glob("*.yaml"))


def test_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("loader", YAML_LOADERS)
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_corpus_case(case: Path, loader: str):
    expected = case.with_suffix(".expect").read_text(encoding="utf-8").splitlines()
    assert expected, f"{case.name} has no expected errors"
    result = run_mlsd(
        "validate", case.name, cwd=CORPUS, memory_mb=1024, cpu_seconds=20, timeout=60, env={"MLSD_YAML_LOADER": loader}
    )
    got = [line.removeprefix(f"{case.name}:") for line in result.stderr.splitlines()]
    assert got == expected
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_five_mistakes_give_five_located_errors():
    result = run_mlsd("validate", "five_mistakes.yaml", cwd=CORPUS)
    lines = result.stderr.splitlines()
    assert result.returncode == 2
    assert len(lines) == 5
    assert [line.split(":")[1:3] for line in lines] == [["5", "14"], ["6", "33"], ["8", "31"], ["9", "20"], ["10", "5"]]


def test_a_duplicate_key_hides_no_other_mistake():
    result = run_mlsd("validate", "duplicate_and_four_more.yaml", cwd=CORPUS)
    lines = result.stderr.splitlines()
    assert result.returncode == 2
    assert len(lines) == 5
    assert "duplicate_and_four_more.yaml:6:3: error: duplicate key 'app' (first defined on line 4)" in lines
