"""``mlsd doc`` (a design-doc skeleton from a blueprint) and ``mlsd new`` (a starter blueprint)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from . import UserError, main
from .completion import complete_templates
from .inputs import blueprint_stem, lint_config, load, shown_path
from .terminal import echo


def _default_doc_path(blueprint_path: str, interview: bool = False) -> Path:
    stem = blueprint_stem(blueprint_path) if blueprint_path != "-" else "blueprint"
    return Path("output") / (f"{stem}-interview.md" if interview else f"{stem}.md")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the Markdown [default: output/<stem>.md]; the diagram goes beside it. "
    "- writes the Markdown to standard output (without the diagram image).",
)
@click.option(
    "--template",
    "template",
    type=click.Path(dir_okay=False),
    default=None,
    help='A Jinja2 template replacing the packaged one (see the docs, "Design docs").',
)
@click.option("--no-render", is_flag=True, help="Do not render the diagram image (the Mermaid block stays).")
@click.option(
    "--interview",
    is_flag=True,
    help="Write the doc as a 45-minute interview talk track instead: the 7 steps with time boxes, the "
    "questions asked at each and the blueprint's answers, and the failure-mode checklist "
    "[default output: output/<stem>-interview.md; no diagram].",
)
def doc(file: str, output: str | None, template: str | None, no_render: bool, interview: bool) -> None:
    """Write a design-doc skeleton for blueprint FILE, in the 7 steps of an ML system design."""
    from ..outputs.diagram import RenderLimitExceeded
    from ..outputs.doc import DocTemplateError, write_doc
    from ..outputs.files import OutputError

    config = lint_config(file=file)
    blueprint = load(file)
    if output == "-":
        from ..outputs.doc import doc_markdown
        from ..outputs.files import write_stdout

        try:
            text = doc_markdown(
                blueprint,
                stem=_default_doc_path(file).stem,
                template=template,
                source=file,
                config=config,
                image_skipped="not rendered (the doc went to standard output)",
                interview=interview,
            )
        except DocTemplateError as exc:
            raise UserError(str(exc)) from None
        write_stdout(text)
        return
    out = Path(output) if output else _default_doc_path(file, interview)
    if out.exists() and out.is_dir():
        raise UserError(f"{os.fspath(out)} is a folder; give a file name for the doc")
    try:
        result = write_doc(
            blueprint,
            out,
            template=template,
            render_diagram=not no_render,
            source=file,
            config=config,
            interview=interview,
        )
    except DocTemplateError as exc:
        raise UserError(str(exc)) from None
    except RenderLimitExceeded as exc:
        raise UserError(f"{exc}, or write the doc without the image (--no-render)") from None
    except OutputError:
        raise  # names its own path
    except OSError as exc:
        raise UserError(f"cannot write {os.fspath(out)}: {exc.strerror or exc}") from None
    extra = "".join(f", {shown_path(os.fspath(f))}" for f in result.files)
    echo(f"wrote {shown_path(os.fspath(result.path))}{extra}")
    for reason in result.skipped if not no_render else ():  # --no-render asked for it: nothing to note
        echo(f"mlsd: note: skipped: {reason}", err=True)


SCHEMA_FILE = "mlsd.schema.json"
SCHEMA_COMMENT = "# yaml-language-server: $schema="


@main.command()
@click.argument("path", required=False, type=click.Path())
@click.option(
    "-t",
    "--template",
    "name",
    default="blank",
    show_default=True,
    metavar="NAME",
    shell_complete=complete_templates,
    help="The starter to copy (`mlsd new --list` shows them).",
)
@click.option("--list", "list_", is_flag=True, help="List the starter blueprints and exit.")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@click.option(
    "--schema",
    "schema_ref",
    default=SCHEMA_FILE,
    show_default=True,
    metavar="PATH|URL",
    help="The JSON Schema named on the blueprint's first line for editors (yaml-language-server). "
    "The default file is written beside the blueprint when it is missing; a URL writes nothing.",
)
def new(path: str | None, name: str, list_: bool, force: bool, schema_ref: str) -> None:
    """Write a starter blueprint to PATH (a case study, or the blank one); see --list.

    Its first line names the format's JSON Schema, so editors with the YAML language
    server (VS Code's Red Hat YAML extension, and others) complete and check it as you type.
    """
    from ..outputs.files import OutputError, write_atomic
    from ..starters import UnknownStarter, starter, starters

    if list_:
        available = starters()
        if not available:
            raise UserError("no starter templates are installed with this package")
        width = max(len(s.name) for s in available)
        for item in available:
            description = item.title
            if item.summary:
                description = f"{description}: {item.summary}" if description else item.summary
            echo(f"{item.name:<{width}}  {description}".rstrip())
        return
    if not path:
        raise UserError("give the PATH of the blueprint to write (or --list to see the templates)")
    try:
        chosen = starter(name)
    except UnknownStarter as exc:
        raise UserError(str(exc)) from None
    target = Path(path)
    if target.is_dir():
        target = target / f"{chosen.name}.yaml"
    if target.exists() and not force:
        raise UserError(f"{os.fspath(target)} already exists; use --force to overwrite it")
    text = f"{SCHEMA_COMMENT}{schema_ref}\n{chosen.text}"
    schema_path = None if "://" in schema_ref else target.parent / schema_ref
    also = ""
    try:
        if schema_path is not None and not schema_path.exists():
            also = f" (and {os.fspath(schema_path)} for editor completion)"
            from ..blueprint.schema import json_schema_text

            write_atomic(schema_path, json_schema_text())
        write_atomic(target, text)
    except OutputError:
        raise  # names its own path
    except OSError as exc:
        raise UserError(f"cannot write {os.fspath(target)}: {exc.strerror or exc}") from None
    echo(f"wrote {os.fspath(target)} from template '{chosen.name}'{also}; next: mlsd validate {os.fspath(target)}")
