"""The conventions of the linters people already use (ruff, mypy, sqlfluff, pre-commit), each through the real
`mlsd` in a subprocess: standard input, folders and globs, -q/-v/-V, the github format, colour on a terminal
(a real pseudo-terminal) and none in a pipe, settings found per file, one error family, baseline recording,
output names, and shell completion."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
from pathlib import Path

import pytest
from mlsd_testing import MLSD, ROOT, run_mlsd

from mlsd_diagram import __version__

WEAK = ROOT / "tests" / "lint" / "data" / "weak_design.yaml"
NEWS = ROOT / "blueprints" / "news_feed.yaml"
NO_COLOUR_ENV = {"NO_COLOR": "", "FORCE_COLOR": ""}


def _project(tmp_path: Path) -> Path:
    """proj/designs/{weak,ok}.yaml, a non-blueprint YAML beside them, a hidden folder with a blueprint."""
    designs = tmp_path / "proj" / "designs"
    (designs / "sub").mkdir(parents=True)
    shutil.copy(WEAK, designs / "weak.yaml")
    shutil.copy(NEWS, designs / "sub" / "ok.mlsd.yaml")
    (designs / "config.yaml").write_text("name: not a blueprint\n")
    (designs / ".hidden").mkdir()
    shutil.copy(WEAK, designs / ".hidden" / "skipped.yaml")
    return tmp_path / "proj"


def test_standard_input_is_dash() -> None:
    piped = subprocess.run(
        [*MLSD, "lint", "-"], input=WEAK.read_bytes(), capture_output=True, cwd=ROOT, timeout=120, env=_env()
    )
    named = run_mlsd("lint", str(WEAK.relative_to(ROOT)), env=NO_COLOUR_ENV)
    assert piped.returncode == named.returncode == 1
    assert piped.stdout.decode() == named.stdout.replace(str(WEAK.relative_to(ROOT)), "<stdin>")
    bad = subprocess.run(
        [*MLSD, "validate", "-"], input=b"mlsd: 1\nname: x\ncomponents: {a: {kind: feture_store}}\n", **_pipe()
    )
    assert bad.returncode == 2 and bad.stderr.decode().startswith("<stdin>:3:"), bad.stderr


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), **NO_COLOUR_ENV}


def _pipe() -> dict:
    return {"capture_output": True, "cwd": ROOT, "timeout": 120, "env": _env()}


def test_folders_recurse_into_blueprints_and_globs_expand(tmp_path: Path) -> None:
    proj = _project(tmp_path)
    done = run_mlsd("validate", "designs", cwd=proj)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "designs/sub/ok.mlsd.yaml: ok (37 components, 70 flows)",
        "designs/weak.yaml: ok (10 components, 11 flows)",
    ]
    globbed = run_mlsd("validate", "designs/**/*.yaml", cwd=proj)  # quoted: the shell did not expand it
    assert globbed.returncode == 2  # config.yaml is named by the glob, so it is read, and it is no blueprint
    assert "designs/config.yaml:1:1: error:" in globbed.stderr
    assert "designs/weak.yaml: ok" in globbed.stdout
    only = run_mlsd("validate", "designs/w*.yaml", cwd=proj)
    assert only.returncode == 0 and only.stdout == "designs/weak.yaml: ok (10 components, 11 flows)\n"
    for arg, message in [("designs/*.yml", "no file matches this pattern"), ("designs/.hidden/..", None)]:
        missed = run_mlsd("lint", arg, cwd=proj)
        if message:
            assert missed.returncode == 2 and missed.stderr == f"mlsd: error: {arg}: {message}\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    none = run_mlsd("lint", str(empty))
    assert none.returncode == 2 and "no blueprint in this folder" in none.stderr


def test_quiet_verbose_and_version() -> None:
    path = str(NEWS.relative_to(ROOT))
    default = run_mlsd("lint", path, env=NO_COLOUR_ENV)
    assert default.returncode == 0 and default.stdout == f"{path}: 0 errors, 0 warnings, 0 notes\n"
    verbose = run_mlsd("lint", "-v", path, env=NO_COLOUR_ENV).stdout.splitlines()
    assert verbose[0] == default.stdout.strip() and verbose[1].startswith(f"{path}: design: ML Test Score ")
    assert run_mlsd("lint", "-q", path).stdout == ""
    assert run_mlsd("validate", "-q", path).stdout == ""
    for flag in ("-V", "--version"):
        assert run_mlsd(flag).stdout == f"mlsd, version {__version__}\n"


def test_github_format_annotates_and_escapes_every_untrusted_string(tmp_path: Path) -> None:
    done = run_mlsd("lint", "--format", "github", str(WEAK.relative_to(ROOT)))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert all(re.fullmatch(r"::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,title=[^:]+::.+", x) for x in lines)
    assert (
        "::error file=tests/lint/data/weak_design.yaml,line=10,col=3,title=MLSD201 no-fallback (error)::"
        "when 'recommender' fails, requests from 'app' fail" in done.stdout
    )
    # a hostile file name: no second workflow command, no property broken out of, no escape obeyed
    hostile = tmp_path / "a,b:c%25\n::stop-commands::x\x1b]52;c;eA==\x07.yaml"
    hostile.write_text(WEAK.read_text())
    out = run_mlsd("lint", "--format", "github", hostile.name, cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert len(out.stdout.splitlines()) == 13
    for line in out.stdout.splitlines():
        assert line.startswith(("::error file=", "::warning file=", "::notice file=")), line
        assert line.count("::") == 2, line  # the command's own two
        assert "\x1b" not in line and "\x07" not in line
        file_property = line.split(" ", 1)[1].split(",line=")[0]
        assert file_property == "file=a%2Cb%3Ac%2525\\x0a%3A%3Astop-commands%3A%3Ax\\x1b]52;c;eA==\\x07.yaml", line


def _in_a_terminal(args: list[str], env: dict) -> str:
    """What `mlsd ARGS` writes to a real pseudo-terminal."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [*MLSD, *args], stdin=follower, stdout=follower, stderr=follower, cwd=ROOT, env=env, close_fds=True
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.parametrize(
    "env, coloured",
    [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False), ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False)],
)
def test_colour_on_a_terminal_honours_no_color(env: dict, coloured: bool) -> None:
    base = {k: v for k, v in _env().items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    shown = _in_a_terminal(["lint", str(WEAK.relative_to(ROOT))], {**base, "TERM": "xterm", **env})
    assert "MLSD201 no-fallback" in shown or "MLSD201" in shown
    red_error = "\x1b[31m\x1b[1m(error)\x1b[0m"
    assert (red_error in shown) is coloured, shown[:400]
    assert ("\x1b[" in shown) is coloured


def test_no_colour_in_a_pipe_unless_forced() -> None:
    path = str(WEAK.relative_to(ROOT))
    assert "\x1b[" not in run_mlsd("lint", path, env=NO_COLOUR_ENV).stdout
    forced = run_mlsd("lint", path, env={"FORCE_COLOR": "1", "NO_COLOR": ""}).stdout
    assert "\x1b[33m(warning)\x1b[0m" in forced
    # colour never carries the blueprint's own escapes: those are still shown as text
    assert "\x1b]" not in forced


def test_settings_are_found_per_file_and_config_overrides(tmp_path: Path) -> None:
    proj = _project(tmp_path)
    (proj / "mlsd.toml").write_text('ignore = ["MLSD2", "MLSD3", "MLSD5"]\nfail-on = "error"\n')
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(WEAK, other / "weak.yaml")
    (other / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no [tool.mlsd]: passed over
    inside = run_mlsd("lint", "designs/weak.yaml", cwd=proj)
    outside = run_mlsd("lint", "proj/designs/weak.yaml", cwd=tmp_path)
    assert inside.returncode == outside.returncode == 0, inside.stdout  # the errors' rules are ignored there
    assert "MLSD2" not in outside.stdout and "MLSD408" in outside.stdout
    both = run_mlsd("lint", "proj/designs/weak.yaml", "other/weak.yaml", cwd=tmp_path)
    assert both.returncode == 1 and "other/weak.yaml:10:3: MLSD201" in both.stdout
    assert "proj/designs/weak.yaml:10:3: MLSD201" not in both.stdout
    (tmp_path / "strict.toml").write_text('[tool.mlsd]\nfail-on = "note"\n')
    overridden = run_mlsd("lint", "proj/designs/weak.yaml", "--config", "strict.toml", cwd=tmp_path)
    assert overridden.returncode == 1 and "MLSD201" in overridden.stdout
    (proj / "mlsd.toml").write_text("ignore = [\n")
    broken = run_mlsd("lint", "proj/designs/weak.yaml", cwd=tmp_path)
    assert broken.returncode == 2 and broken.stderr.startswith("mlsd: error: cannot read ")


def test_one_error_family() -> None:
    for args, first in [
        (["--bogus"], "mlsd: error: No such option '--bogus'."),
        (["lint"], "mlsd: error: Missing argument 'FILES...'."),
        (["lint", "--format", "xml", "x.yaml"], "mlsd: error: Invalid value for '--format': 'xml' is not one of"),
        (["rules", "nope"], "mlsd: error: unknown rule 'nope'"),
        (["lint", "missing.yaml"], "missing.yaml:1:1: error: cannot read file: No such file or directory"),
    ]:
        done = run_mlsd(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith(first), (args, done.stderr)
        assert "Traceback" not in done.stderr and "\nError:" not in done.stderr


def test_recording_a_baseline_exits_0_and_then_only_new_findings_fail(tmp_path: Path) -> None:
    shutil.copy(WEAK, tmp_path / "weak.yaml")
    done = run_mlsd("lint", "weak.yaml", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "baseline baseline.json: recorded 13 findings\n"
    assert "MLSD201" in done.stdout  # still reported
    again = run_mlsd("lint", "weak.yaml", "--baseline", "baseline.json", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.endswith("13 of 13 findings already known, 0 new\n")
    (tmp_path / "bad.yaml").write_text("mlsd: 1\n")
    invalid = run_mlsd("lint", "bad.yaml", "--write-baseline", "b2.json", cwd=tmp_path)
    assert invalid.returncode == 2


def test_output_names_and_paths(tmp_path: Path) -> None:
    shutil.copy(NEWS, tmp_path / "a.mlsd.yaml")
    done = run_mlsd("render", str(tmp_path / "a.mlsd.yaml"), "-f", "mermaid", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "a.mlsd.yaml: wrote out/a.mmd\n"  # relative to the working directory
    report = run_mlsd("report", "a.mlsd.yaml", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "output" / "a.report.html").is_file()  # where render and doc write
    assert report.stdout.startswith("output/a.report.html: report of ")
    doc = run_mlsd("doc", "a.mlsd.yaml", "--no-render", cwd=tmp_path)
    assert doc.returncode == 0 and doc.stderr == "", doc.stderr  # --no-render: no "skipped" note
    assert doc.stdout == "wrote output/a.md\n"


def test_serve_open_says_when_no_browser_can_be_opened(tmp_path: Path) -> None:
    shutil.copy(NEWS, tmp_path / "a.yaml")
    env = {
        "PATH": str(Path(shutil.which("dot") or "/usr/bin/dot").parent),
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
    }
    proc = subprocess.Popen(
        [*MLSD, "serve", "a.yaml", "--port", "0", "--open"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert line.startswith("mlsd: note: no browser could be opened here; open http://127.0.0.1:"), line
        assert line.rstrip().endswith("yourself")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _complete(words: str, shell: str = "bash") -> list[str]:
    cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    env = {"COMP_WORDS": words, "COMP_CWORD": cword, "_MLSD_COMPLETE": f"{shell}_complete", **NO_COLOUR_ENV}
    done = run_mlsd(env=env)
    assert done.returncode == 0, done.stderr
    return [line.split(",", 1)[1] for line in done.stdout.splitlines() if "," in line]


def test_shell_completion_scripts_and_values() -> None:
    for shell, marker in (("bash", "complete -o nosort -F"), ("zsh", "#compdef mlsd"), ("fish", "complete --no-files")):
        done = run_mlsd("completion", shell)
        assert done.returncode == 0 and marker in done.stdout and "_MLSD_COMPLETE" in done.stdout
    assert run_mlsd("completion", "tcsh").returncode == 2
    assert _complete("mlsd comp") == ["completion"]
    assert _complete("mlsd new --template news") == ["news_feed"]
    assert _complete("mlsd practice start video_s") == ["video_search"]
    assert "MLSD201" in _complete("mlsd rules MLSD20") and "MLSD301" not in _complete("mlsd rules MLSD20")
    assert _complete("mlsd lint --select MLSD201,no-fa") == ["MLSD201,no-fallback"]
    assert _complete("mlsd simulate blueprints/news_feed.yaml --knock-out rank") == ["ranker", "ranker_training"]
    assert _complete("mlsd simulate missing.yaml --knock-out rank") == []
