"""Pinned fonts: dot lays out with the bundled DejaVu Sans only, whatever fonts the machine has.

Each case gives the `mlsd` process another fontconfig (other fonts, other preferences) and
checks that the rendered bytes do not change, with a control showing that plain `dot` on the
same DOT does change under that fontconfig (so the case really is another font setup). The last
test goes further and plays a second machine: a mount namespace whose system font folders,
fontconfig configuration and caches are another machine's (no fonts at all, or serif only).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from mlsd_testing import MLSD, ROOT, run_mlsd

from mlsd_diagram import load
from mlsd_diagram.outputs import fonts, icons
from mlsd_diagram.outputs.diagram import dot_binary
from mlsd_diagram.outputs.dot import to_dot

HERE = Path(__file__).resolve().parent
BLUEPRINTS = [ROOT / "blueprints" / "news_feed.yaml", HERE / "data" / "loop4.yaml"]
SYSTEM_FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", "/System/Library/Fonts"]


def _fontconfig(folder: Path, dirs: list[str], prefer: list[str]) -> Path:
    """A fontconfig file for the *parent* process: these font folders, these families first."""
    folder.mkdir(parents=True, exist_ok=True)
    families = "".join(f"<string>{family}</string>" for family in prefer)
    (folder / "fonts.conf").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        + "".join(f"  <dir>{d}</dir>\n" for d in dirs)
        + f"  <cachedir>{folder / 'cache'}</cachedir>\n"
        + (
            f'  <match target="pattern"><edit name="family" mode="prepend" binding="strong">{families}</edit></match>\n'
            if prefer
            else ""
        )
        + "</fontconfig>\n"
    )
    return folder / "fonts.conf"


@pytest.fixture(params=["bold-only", "system-serif"])
def other_fonts(request, tmp_path) -> dict[str, str]:
    """Environment variables giving a process another font setup than the bundled one.

    bold-only: a folder with only DejaVu Sans Bold, so regular text is drawn wider (needs nothing
    installed). system-serif: the system's font folders with serif families preferred (DejaVu Serif
    comes with fonts-dejavu-core, which `make test` installs).
    """
    if request.param == "bold-only":
        folder = tmp_path / "bold-only"
        folder.mkdir()
        (folder / "DejaVuSans-Bold.ttf").write_bytes((fonts.FONT_DIR / "DejaVuSans-Bold.ttf").read_bytes())
        config = _fontconfig(tmp_path / "bold-only-config", [str(folder)], [])
    else:
        dirs = [d for d in SYSTEM_FONT_DIRS if os.path.isdir(d)]
        assert dirs, f"no system font folder among {SYSTEM_FONT_DIRS}"
        config = _fontconfig(
            tmp_path / "serif-config",
            dirs,
            ["DejaVu Serif", "Liberation Serif", "Noto Serif", "Times New Roman", "Times"],
        )
    return {"FONTCONFIG_FILE": str(config)}


def _plain_dot_svg(dot_text: str, env: dict[str, str]) -> bytes:
    """Plain `dot` on our DOT, with the fontconfig that ``env`` gives (the control)."""
    imagepath = os.pathsep.join(str(p) for p in icons.icon_roots())
    return subprocess.run(
        [dot_binary(), f"-Gimagepath={imagepath}", "-Tsvg"],
        input=dot_text.encode(),
        capture_output=True,
        check=True,
        timeout=120,
        env=env,
    ).stdout


def test_renders_are_the_same_bytes_under_another_font_setup(other_fonts, tmp_path):
    args = [str(p) for p in BLUEPRINTS]
    formats = ["-f", "png", "-f", "svg", "-f", "pdf", "-f", "dot"]
    pinned = run_mlsd("render", *args, "-o", str(tmp_path / "default"), *formats)
    assert pinned.returncode == 0, pinned.stderr
    other = run_mlsd("render", *args, "-o", str(tmp_path / "other"), *formats, env=other_fonts)
    assert other.returncode == 0, other.stderr
    names = sorted(p.name for p in (tmp_path / "default").iterdir() if p.is_file())
    assert len(names) == 4 * len(BLUEPRINTS)
    for name in names:
        assert (tmp_path / "other" / name).read_bytes() == (tmp_path / "default" / name).read_bytes(), name

    # control: without the pinning, this font setup does change Graphviz's layout of the same DOT
    dot_text = to_dot(load(BLUEPRINTS[0]))
    with_ours = _plain_dot_svg(dot_text, fonts.dot_environment(dict(os.environ), tmp_path))
    with_other = _plain_dot_svg(dot_text, {**os.environ, **other_fonts})
    assert with_ours != with_other


def test_dot_resolves_every_family_to_the_bundled_font(other_fonts, tmp_path):
    """Graphviz's own report (`dot -v`) of the font file each fontname resolved to."""
    names = [fonts.FONTNAME, "Helvetica", "Times-Roman", "DejaVu Serif", "monospace"]
    dot_text = "digraph { " + " ".join(f'n{i} [fontname="{name}" label="x"];' for i, name in enumerate(names)) + " }"
    env = fonts.dot_environment({**os.environ, **other_fonts}, tmp_path)
    done = subprocess.run(
        [dot_binary(), "-v", "-Tsvg", "-o", os.devnull],
        input=dot_text.encode(),
        capture_output=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    resolved = re.findall(r'fontname: "([^"]*)" resolved to: .* (/\S+\.ttf)', done.stderr.decode())
    assert sorted(name for name, _ in resolved) == sorted(names), done.stderr.decode()
    assert {Path(path) for _, path in resolved} == {fonts.FONT_DIR / "DejaVuSans.ttf"}, resolved


def test_svg_names_the_font_with_fallbacks(tmp_path):
    done = run_mlsd("render", str(HERE / "data" / "loop4.yaml"), "-o", str(tmp_path), "-f", "svg")
    assert done.returncode == 0, done.stderr
    svg = (tmp_path / "loop4.svg").read_text()
    families = set(re.findall(r'<text [^>]*font-family="([^"]*)"', svg))
    assert families == {"DejaVu Sans,Arial,sans-serif"}, families


def test_the_font_ships_with_its_license():
    for name in fonts.FILES:
        assert (fonts.FONT_DIR / name).read_bytes()[:4] == b"\x00\x01\x00\x00", name  # a TrueType font
    license_text = (fonts.FONT_DIR / "LICENSE").read_text()
    assert "Bitstream Vera Fonts Copyright" in license_text and "Arev Fonts Copyright" in license_text


# A second machine, as far as fonts go: a private mount namespace in which the system's font
# folders, fontconfig configuration and font caches are replaced (root and util-linux's unshare).
_MACHINES = {
    "no-fonts": ([], ""),  # a minimal container: no font package at all
    "serif-only": (
        ["DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"],
        '<match target="pattern"><edit name="family" mode="prepend" binding="strong">'
        "<string>DejaVu Serif</string></edit></match>",
    ),
}


def _other_machine(tmp_path: Path, name: str) -> list[str]:
    """The command prefix that runs a command on ``name``'s fonts instead of this machine's."""
    if os.geteuid() != 0 or not Path("/usr/bin/unshare").exists() or not os.path.isdir("/usr/share/fonts"):
        pytest.skip("another machine's fonts are emulated with a mount namespace: Linux, as root")
    files, rule = _MACHINES[name]
    fonts_dir = tmp_path / f"{name}-fonts"
    fonts_dir.mkdir()
    for file in files:
        found = sorted(Path("/usr/share/fonts").rglob(file))
        assert found, f"{file} not found: fonts-dejavu-core is installed by `make test`"
        (fonts_dir / file).write_bytes(found[0].read_bytes())
    conf = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f"<dir>/usr/share/fonts</dir><cachedir>/var/cache/fontconfig</cachedir>{rule}\n</fontconfig>\n"
    )
    (tmp_path / f"{name}.conf").write_text(conf)
    script = (
        'set -e; mount -t tmpfs none /usr/share/fonts; cp -r "$FONTS"/. /usr/share/fonts/; '
        'mount -t tmpfs none /etc/fonts; cp "$CONF" /etc/fonts/fonts.conf; '
        "mkdir -p /var/cache/fontconfig; mount -t tmpfs none /var/cache/fontconfig; "
        'for d in /usr/local/share/fonts "$HOME/.fonts" "$HOME/.local/share/fonts" "$HOME/.cache/fontconfig"; do '
        '[ -d "$d" ] && mount -t tmpfs none "$d"; done; exec "$@"'
    )
    return [
        "env",
        f"FONTS={fonts_dir}",
        f"CONF={tmp_path / f'{name}.conf'}",
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        script,
        "sh",
    ]


def _run_on(prefix: list[str], *argv: str, input: str | None = None) -> subprocess.CompletedProcess:
    """``argv`` on the machine that ``prefix`` gives (this one when empty), without our FONTCONFIG_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FONTCONFIG")}
    return subprocess.run(
        [*prefix, *argv],
        input=None if input is None else input.encode(),
        capture_output=True,
        timeout=300,
        env={**env, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize("machine", sorted(_MACHINES))
def test_another_machine_with_other_fonts_renders_the_same_bytes(machine, tmp_path):
    prefix = _other_machine(tmp_path, machine)
    formats = ["-f", "png", "-f", "svg", "-f", "pdf"]
    here = run_mlsd("render", str(BLUEPRINTS[0]), "-o", str(tmp_path / "here"), *formats)
    assert here.returncode == 0, here.stderr
    there = _run_on(prefix, *MLSD, "render", str(BLUEPRINTS[0]), "-o", str(tmp_path / "there"), *formats)
    assert there.returncode == 0, there.stderr.decode()
    names = sorted(p.name for p in (tmp_path / "here").iterdir())
    assert names == ["news_feed.pdf", "news_feed.png", "news_feed.svg"]
    for name in names:
        assert (tmp_path / "there" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name

    # control: that machine resolves fonts otherwise (Graphviz's report), and plain dot lays the DOT out otherwise
    probe = 'digraph { n [fontname="DejaVu Sans" label="x"] }'
    resolved_here = _run_on([], dot_binary(), "-v", "-Tsvg", "-o", os.devnull, input=probe).stderr
    resolved_there = _run_on(prefix, dot_binary(), "-v", "-Tsvg", "-o", os.devnull, input=probe).stderr
    assert b"DejaVuSans.ttf" in resolved_here and b"DejaVuSans.ttf" not in resolved_there, resolved_there
    dot_file = tmp_path / "news_feed.dot"
    dot_file.write_text(to_dot(load(BLUEPRINTS[0])))
    imagepath = f"-Gimagepath={os.pathsep.join(str(p) for p in icons.icon_roots())}"
    plain_here = _run_on([], dot_binary(), imagepath, "-Tsvg", str(dot_file))
    plain_there = _run_on(prefix, dot_binary(), imagepath, "-Tsvg", str(dot_file))
    assert plain_here.returncode == 0 and plain_there.returncode == 0, plain_there.stderr
    assert plain_there.stdout != plain_here.stdout
