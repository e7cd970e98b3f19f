"""The command line imports a command's module only when that command runs.

Whole-process figures are in benchmarks/startup.py; these tests pin what makes them possible.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["pydantic", "networkx", "yaml", "diagrams", "graphviz", "jinja2", "starlette"]


def imported_after(argv: list[str]) -> set[str]:
    """Top-level packages in sys.modules after running `mlsd ARGV` in a fresh interpreter."""
    code = (
        "import sys, json\nfrom mlsd_diagram.cli import main\n"
        f"try:\n    main({argv!r}, standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_version_and_help_import_no_library():
    for argv in (["--version"], ["--help"]):
        loaded = imported_after(argv)
        assert not loaded & set(HEAVY), f"mlsd {' '.join(argv)} imported {sorted(loaded & set(HEAVY))}"


def test_lint_does_not_import_the_renderers():
    loaded = imported_after(["lint", "blueprints/news_feed.yaml"])
    assert {"pydantic", "networkx", "yaml"} <= loaded  # it did lint
    assert not loaded & {"diagrams", "graphviz", "jinja2", "starlette"}


def test_every_command_is_listed_where_it_is_defined():
    from mlsd_diagram import cli

    for name, module in cli.COMMANDS.items():
        command = cli.main.get_command(click.Context(cli.main), name)
        assert command is not None and command.callback.__module__ == f"mlsd_diagram.cli.{module}", name
    assert set(cli.main.commands) == set(cli.COMMANDS), "a module defines a command missing from cli.COMMANDS"


def test_help_summaries_are_each_commands_own():
    """`mlsd --help` lists SUMMARIES without importing the commands: they must say what the commands say."""
    from mlsd_diagram import cli

    for name in cli.COMMANDS:
        command = cli.main.get_command(click.Context(cli.main), name)
        own = command.short_help or command.help.split("\n\n")[0].replace("\n", " ")
        assert cli.SUMMARIES[name] == own, name
    assert set(cli.SUMMARIES) == set(cli.COMMANDS)


def test_help_imports_no_command_module():
    code = (
        "import sys, json\nfrom mlsd_diagram.cli import main\ntry:\n    main(['--help'], standalone_mode=False)\n"
        "except SystemExit:\n    pass\nsys.stderr.write(json.dumps(sorted(m for m in sys.modules if m.startswith('mlsd_diagram.cli.'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    from mlsd_diagram import cli

    loaded = set(json.loads(done.stderr.strip().splitlines()[-1]))
    commands = {f"mlsd_diagram.cli.{module}" for module in cli.COMMANDS.values()}
    assert not loaded & commands, loaded & commands
