"""Outputs never replace special files, `-o -` is standard output, and a refused write is a clear
exit-2 message naming the path, leaving every old file as it was (multi-format writes are all or
nothing). All through the real CLI in a capped subprocess.
"""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mlsd_testing import BLUEPRINTS, MLSD, ROOT

BLUEPRINT = next(p for p in BLUEPRINTS if p.name == "news_feed.yaml")


def _run(*args: str, cwd: Path, file_size: int | None = None) -> subprocess.CompletedProcess:
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))
        if file_size is not None:  # a disk that fills up after file_size bytes (Python ignores SIGXFSZ)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    return subprocess.run(
        [*MLSD, *args],
        cwd=cwd,
        capture_output=True,
        timeout=120,
        preexec_fn=limits,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )


def _clean(err: bytes) -> str:
    text = err.decode()
    assert "internal error" not in text and "Traceback" not in text, text
    return text


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize(
    "command",
    [
        ["lint", str(BLUEPRINT), "-o", "{target}"],
        ["lint", str(BLUEPRINT), "--format", "sarif", "-o", "{target}"],
        ["report", str(BLUEPRINT), "-o", "{target}"],
        ["doc", str(BLUEPRINT), "--no-render", "-o", "{target}"],
    ],
    ids=["lint", "sarif", "report", "doc"],
)
@pytest.mark.parametrize("special", ["fifo", "stdout-link", "device"])
def test_special_files_are_never_replaced(tmp_path, command, special):
    if special == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
        word = "a FIFO"
    elif special == "stdout-link":
        target = tmp_path / "stdout"
        target.symlink_to("/proc/self/fd/1")  # what /dev/stdout is
        word = "a symbolic link"
    else:  # a null device of our own: were it replaced (by code without the check), no system file is lost
        target = tmp_path / "null"
        try:
            os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("creating a device node needs root")
        word = "a device"
    before = os.lstat(target)
    result = _run(*[a.replace("{target}", str(target)) for a in command], cwd=tmp_path)
    err = _clean(result.stderr)
    assert result.returncode == 2, err
    assert f"refusing to replace {target}: it is {word}, not a regular file; for standard output use -o -" in err
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_render_refuses_a_special_file_among_its_outputs_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "news_feed.png")
    result = _run("render", str(BLUEPRINT), "-o", str(out), "-f", "svg", "-f", "png", cwd=tmp_path)
    err = _clean(result.stderr)
    assert result.returncode == 2 and f"refusing to replace {out / 'news_feed.png'}: it is a FIFO" in err, err
    assert sorted(p.name for p in out.iterdir()) == ["news_feed.png"]


@pytest.mark.parametrize(
    "command, check",
    [
        (["lint", str(BLUEPRINT), "--format", "json", "-o", "-"], lambda out: b'"findings"' in out),
        (["report", str(BLUEPRINT), "-o", "-"], lambda out: out.startswith(b"<!DOCTYPE html>")),
        (["doc", str(BLUEPRINT), "-o", "-"], lambda out: out.startswith(b"# ") and b"```mermaid" in out),
        (["render", str(BLUEPRINT), "-o", "-", "-f", "mermaid"], lambda out: b"flowchart" in out),
        (["render", str(BLUEPRINT), "-o", "-", "-f", "dot"], lambda out: out.startswith(b"digraph")),
        (["render", str(BLUEPRINT), "-o", "-", "-f", "svg"], lambda out: ET.fromstring(out).tag.endswith("svg")),
    ],
    ids=["lint", "report", "doc", "mermaid", "dot", "svg"],
)
def test_dash_writes_to_standard_output_and_nothing_else(tmp_path, command, check):
    result = _run(*command, cwd=tmp_path)
    assert result.returncode in (0, 1), _clean(result.stderr)
    assert check(result.stdout), result.stdout[:200]
    assert list(tmp_path.iterdir()) == []
    assert not Path(tmp_path / "-").exists()


def test_dash_needs_one_file_and_one_format(tmp_path):
    result = _run("render", str(BLUEPRINT), "-o", "-", cwd=tmp_path)
    assert result.returncode == 2 and "give one FILE and one format" in _clean(result.stderr)


def test_a_full_disk_keeps_every_old_file_and_names_the_path(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    old = {"news_feed.svg": b"old svg", "news_feed.mmd": b"old mermaid"}
    for name, data in old.items():
        (out / name).write_bytes(data)
    # the Mermaid text fits, the SVG (icons embedded) does not: neither may be replaced
    result = _run(
        "render", str(BLUEPRINT), "-o", str(out), "-f", "mermaid", "-f", "svg", cwd=tmp_path, file_size=32 * 1024
    )
    err = _clean(result.stderr)
    assert result.returncode == 2, err
    assert f"mlsd: error: cannot write {out / 'news_feed.svg'}: File too large" in err
    assert _listing(out) == old  # no new file, no temporary file, the old ones untouched


def test_graphviz_stopped_by_the_file_size_limit_is_not_called_out_of_memory(tmp_path):
    """Two pictures: Graphviz writes them as files, and the first past ``ulimit -f`` stops it (SIGXFSZ). The
    label settling's layout comes back through a pipe, so the limit stops nothing before."""
    out = tmp_path / "out"
    result = _run("render", str(BLUEPRINT), "-o", str(out), "-f", "png", "-f", "pdf", cwd=tmp_path, file_size=32 * 1024)
    err = _clean(result.stderr)
    assert result.returncode == 2, err
    assert "larger than this shell's file size limit (ulimit -f)" in err and "memory" not in err, err
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        ["render", str(BLUEPRINT), "-o", "blocker/out", "-f", "mermaid"],
        ["lint", str(BLUEPRINT), "-o", "blocker/lint.txt"],
        ["report", str(BLUEPRINT), "-o", "blocker/page.html"],
        ["doc", str(BLUEPRINT), "--no-render", "-o", "blocker/doc.md"],
    ],
    ids=["render", "lint", "report", "doc"],
)
def test_a_file_where_a_folder_is_expected_is_a_clear_error(tmp_path, command):
    (tmp_path / "blocker").write_text("a file, not a folder")
    result = _run(*command, cwd=tmp_path)
    err = _clean(result.stderr)
    assert result.returncode == 2, err
    assert err.startswith("mlsd: error: cannot write ") and "Not a directory" in err, err
    assert f"blocker/{command[command.index('-o') + 1].split('/', 1)[1]}" in err  # the path it tried


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = _run("lint", str(BLUEPRINT), "-o", "ro/lint.txt", cwd=tmp_path)
    finally:
        folder.chmod(0o755)
    err = _clean(result.stderr)
    assert result.returncode == 2 and "cannot write ro/lint.txt: Permission denied" in err, err


def test_a_full_disk_under_doc_and_lint_is_a_clear_error(tmp_path):
    for command in (
        ["lint", str(BLUEPRINT), "--format", "sarif", "-o", "x.sarif"],
        ["doc", str(BLUEPRINT), "--no-render", "-o", "x.md"],
    ):
        result = _run(*command, cwd=tmp_path, file_size=1024)
        err = _clean(result.stderr)
        assert result.returncode == 2 and "File too large" in err and f"cannot write {command[-1]}" in err, err
        assert list(tmp_path.iterdir()) == []


if not sys.platform.startswith("linux"):  # pragma: no cover
    pytestmark = pytest.mark.skip(reason="uses Linux special files")
