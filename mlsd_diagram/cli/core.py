"""``mlsd validate``, ``mlsd kinds`` and ``mlsd schema``."""

from __future__ import annotations

import json

import click

from ..diagnostics import BlueprintError
from . import EXIT_INVALID, main
from .inputs import expand_files, load
from .terminal import echo


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-q", "--quiet", is_flag=True, help="Print the errors only, no line for a valid file.")
def validate(files: tuple[str, ...], quiet: bool) -> None:
    """Check blueprint FILES: every schema and graph error at once, each with FILE:LINE:COL.

    FILES are files, folders (every *.yaml below that starts with `mlsd:`), quoted globs or - (standard input).
    """
    from ..analyses.lint import check_blueprint_settings

    failed = False
    for path in expand_files(files):
        try:
            blueprint = load(path)
            check_blueprint_settings(blueprint)  # unknown rules in lint.accept / lint.disable, as `mlsd lint` says
        except BlueprintError as exc:
            failed = True
            for diagnostic in exc.diagnostics:
                echo(str(diagnostic), err=True)
            continue
        if not quiet:
            echo(f"{blueprint.file}: ok ({len(blueprint.components)} components, {len(blueprint.flows)} flows)")
    if failed:
        raise SystemExit(EXIT_INVALID)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def kinds(fmt: str) -> None:
    """List the built-in component kinds with their stage, roles and aliases."""
    from ..blueprint.kinds import BUILTIN_KINDS

    if fmt == "json":
        rows = [
            {
                "name": k.name,
                "stage": k.stage.value,
                "roles": sorted(r.value for r in k.roles),
                "aliases": list(k.aliases),
                "description": k.description,
            }
            for k in BUILTIN_KINDS
        ]
        echo(json.dumps({"kinds": rows}, indent=2))
        return
    width = max(len(k.name) for k in BUILTIN_KINDS)
    stage = None
    for kind in BUILTIN_KINDS:
        if kind.stage != stage:
            stage = kind.stage
            echo(f"\n{stage.value}:" if kind is not BUILTIN_KINDS[0] else f"{stage.value}:")
        roles = ",".join(sorted(r.value for r in kind.roles))
        extra = f"  [{roles}]" if roles else ""
        aliases = f"  (alias: {', '.join(kind.aliases)})" if kind.aliases else ""
        echo(f"  {kind.name:<{width}}  {kind.description}{extra}{aliases}")
    echo("\nCustom kinds: declare them under `kinds:` with a name starting with 'x-', a stage and roles.")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the blueprint format (for editor completion and validation)."""
    from ..blueprint.schema import json_schema_text

    echo(json_schema_text(), nl=False)
