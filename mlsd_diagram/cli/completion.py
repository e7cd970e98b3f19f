"""``mlsd completion bash|zsh|fish`` and what the shells complete: template names, rule ids, component ids.

The script a shell sources calls ``mlsd`` back with ``_MLSD_COMPLETE`` set (click's shell completion);
the functions here answer for the values click cannot know: starter and case names, rule ids and names,
and for ``--knock-out`` the component ids of the blueprint already on the command line.
"""

from __future__ import annotations

import os

import click
from click.shell_completion import CompletionItem

from . import main
from .terminal import echo

SHELLS = ("bash", "zsh", "fish")


def complete_templates(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The starter names (``mlsd new --template``)."""
    from ..starters import starters

    return [CompletionItem(s.name, help=s.title) for s in starters() if s.name.startswith(incomplete)]


def complete_cases(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The practice case names (every starter but ``blank``)."""
    from ..practice.cases import _names

    return [CompletionItem(name) for name in _names() if name.startswith(incomplete)]


def complete_rules(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Rule ids (``MLSD201``) and names (``no-fallback``); after a comma, the next one of a list."""
    from ..analyses.rules import RULES

    done, _, last = incomplete.rpartition(",")
    prefix = done + "," if done else ""
    items = []
    for r in RULES:
        for word in (r.id, r.name):
            if word.lower().startswith(last.lower()):
                items.append(CompletionItem(prefix + word, help=r.summary))
    return items


def complete_components(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The component ids of the blueprint FILE given before (nothing when it cannot be read)."""
    # click leaves FILE unparsed when the option before the word being completed still wants its value
    given = [ctx.params.get("file"), *ctx.args]
    path = next((p for p in given if isinstance(p, str) and os.path.isfile(p)), None)
    if path is None:
        return []
    from ..blueprint.loader import load
    from ..diagnostics import BlueprintError

    try:
        blueprint = load(path)
    except BlueprintError:
        return []
    done, _, last = incomplete.rpartition(",")
    prefix = done + "," if done else ""
    return [CompletionItem(prefix + name) for name in blueprint.components if name.startswith(last)]


@main.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish); see the docs for where it goes.

    bash: eval "$(mlsd completion bash)" in ~/.bashrc; zsh: eval "$(mlsd completion zsh)" in ~/.zshrc;
    fish: mlsd completion fish > ~/.config/fish/completions/mlsd.fish. Completes commands, options,
    template and case names, rule ids, and the component ids of the file for --knock-out.
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None  # the three choices are click's own shells
    root = click.get_current_context().find_root()
    echo(cls(main, {}, root.info_name or "mlsd", "_MLSD_COMPLETE").source())
