"""``mlsd completion bash|zsh|fish`` and what the shells complete: template names, rule ids, component ids.

The script a shell sources calls ``mlsd`` back with ``_MLSD_COMPLETE`` set (click's shell completion);
the functions here answer for the values click cannot know: starter and case names, rule ids and names,
and for ``--knock-out``, ``--hang`` and ``--cold`` the component ids of the blueprint on the command line
(before or after the option).
"""

from __future__ import annotations

import os

import click
from click.shell_completion import CompletionItem, FishComplete

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


def _words_after_cursor() -> list[str]:
    """The words typed after the one being completed, which click does not pass to the command.

    bash and zsh send the whole line (``COMP_WORDS``) and the index of the word at the cursor
    (``COMP_CWORD``); fish sends the line up to the cursor, and our fish script adds the whole line
    as ``MLSD_COMP_LINE``.
    """
    from click.shell_completion import split_arg_string

    protocol = os.environ.get("_MLSD_COMPLETE", "")
    words = os.environ.get("COMP_WORDS", "")
    if protocol.startswith(("bash", "zsh")):
        try:
            return split_arg_string(words)[int(os.environ.get("COMP_CWORD", "")) + 1 :]
        except ValueError:
            return []
    line = os.environ.get("MLSD_COMP_LINE", "")
    if protocol.startswith("fish") and line.startswith(words):
        rest = line[len(words) :]
        after = split_arg_string(rest)
        return after if rest[:1].isspace() else after[1:]  # not the rest of the word at the cursor
    return []


def complete_components(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The component ids of the blueprint FILE, given before or after the option (nothing when it cannot be read)."""
    # click leaves FILE unparsed when the option before the word being completed still wants its value,
    # and never sees the words after the cursor
    given = [ctx.params.get("file"), *ctx.args, *_words_after_cursor()]
    path = next((p for p in given if isinstance(p, str) and not p.startswith("-") and os.path.isfile(p)), None)
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
    template and case names, rule ids, and the component ids of the file for --knock-out, --hang
    and --cold.
    """
    from click.shell_completion import get_completion_class

    cls = _FishComplete if shell == "fish" else get_completion_class(shell)
    assert cls is not None  # the three choices are click's own shells
    root = click.get_current_context().find_root()
    echo(cls(main, {}, root.info_name or "mlsd", "_MLSD_COMPLETE").source())


class _FishComplete(FishComplete):
    """click's fish script, also passing the whole line (fish's ``COMP_WORDS`` stops at the cursor), so that
    ``--knock-out`` finds a FILE typed after it."""

    source_template = FishComplete.source_template.replace(
        "COMP_CWORD=(commandline -t)", "COMP_CWORD=(commandline -t) MLSD_COMP_LINE=(commandline -p)"
    )
