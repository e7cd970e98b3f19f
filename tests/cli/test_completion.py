"""Component-id completion for `mlsd simulate --knock-out/--hang/--cold` wherever FILE is on the line: through
click's environment-variable protocol (as the bash, zsh and fish scripts call `mlsd` back) and through the real
bash script that `mlsd completion bash` prints."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from mlsd_testing import ROOT, run_mlsd

FEED = "blueprints/news_feed.yaml"
PLAIN = {"NO_COLOR": "", "FORCE_COLOR": ""}


def _ask(env: dict[str, str]) -> list[str]:
    done = run_mlsd(env={**PLAIN, **env})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    if env["_MLSD_COMPLETE"] == "zsh_complete":  # type, value, help: three lines an item
        return [value for kind, value in zip(lines[::3], lines[1::3]) if kind == "plain"]
    return [line.split(",", 1)[1] for line in lines if line.startswith("plain,")]


def _bash_protocol(words: list[str], cword: int, shell: str = "bash") -> list[str]:
    return _ask({"COMP_WORDS": " ".join(words), "COMP_CWORD": str(cword), "_MLSD_COMPLETE": f"{shell}_complete"})


def test_file_after_the_option_bash_and_zsh() -> None:
    line = ["mlsd", "simulate", "--knock-out", "rank", FEED]
    for shell in ("bash", "zsh"):
        assert _bash_protocol(line, 3, shell) == ["ranker", "ranker_training"], shell
    # other options and values between, and the comma form of a list
    line = ["mlsd", "simulate", "--load", "2", "--hang", "feed", "--format", "json", FEED]
    assert _bash_protocol(line, 5) == ["feed_service", "feed_cache"]
    assert _bash_protocol(["mlsd", "simulate", "--cold", "ranker,feed_c", FEED], 3) == ["ranker,feed_cache"]
    # the file before still works; no file, or one that is not a blueprint, completes nothing
    assert _bash_protocol(["mlsd", "simulate", FEED, "--knock-out", "rank"], 4) == ["ranker", "ranker_training"]
    assert _bash_protocol(["mlsd", "simulate", "--knock-out", "rank", "missing.yaml"], 3) == []
    assert _bash_protocol(["mlsd", "simulate", "--knock-out", "rank", "README.md"], 3) == []
    assert _bash_protocol(["mlsd", "simulate", "--knock-out", "rank"], 3) == []


def test_file_after_the_option_fish() -> None:
    """fish sends the line up to the cursor; our fish script adds the whole line (MLSD_COMP_LINE)."""
    script = run_mlsd("completion", "fish")
    assert script.returncode == 0
    assert "COMP_CWORD=(commandline -t) MLSD_COMP_LINE=(commandline -p)" in script.stdout

    def fish(before: str, after: str) -> list[str]:
        current = before.rsplit(" ", 1)[-1]
        env = {"_MLSD_COMPLETE": "fish_complete", "COMP_WORDS": before, "COMP_CWORD": current}
        return _ask({**env, "MLSD_COMP_LINE": before + after})

    assert fish("mlsd simulate --knock-out rank", f" {FEED}") == ["ranker", "ranker_training"]
    # the cursor inside a word: the rest of that word is not the file
    assert fish("mlsd simulate --knock-out ra", f"nk {FEED}") == ["ranker", "ranker_training"]
    assert fish("mlsd simulate --knock-out rank", "") == []


def test_real_bash_completes_with_the_file_after_the_cursor(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    assert bash, "bash is needed"
    script = run_mlsd("completion", "bash").stdout
    (tmp_path / "mlsd.bash").write_text(script, encoding="utf-8")
    # the script calls `mlsd` back: this checkout's, through a small launcher first on PATH
    launcher = tmp_path / "bin" / "mlsd"
    launcher.parent.mkdir()
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mlsd_diagram "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    program = (
        f"source {tmp_path / 'mlsd.bash'}\n"
        f"COMP_WORDS=(mlsd simulate --knock-out rank {FEED}); COMP_CWORD=3\n"
        "_mlsd_completion mlsd\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    env = {
        **os.environ,
        **PLAIN,
        "PATH": f"{launcher.parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", program], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ranker", "ranker_training"]
