"""``mlsd practice``: list the cases, write an exercise, grade a design against a case."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import UserError, main
from .completion import complete_cases
from .inputs import known_case, lint_config, load
from .terminal import echo


@main.group("practice")
def practice() -> None:
    """Practice an ML system design interview: take a case, design it, get a scorecard by framework step.

    The cases are the starter blueprints (`mlsd new --list`); each starter is its case's reference
    design. Grading matches by role, never by id or kind name: docs/practice.md states the rubric.
    """


@practice.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_cases(fmt: str) -> None:
    """List the cases, each with its one-line prompt and difficulty."""
    from ..practice.cases import cases

    found = cases()
    if fmt == "json":
        rows = [{"case": c.name, "title": c.title, "difficulty": c.difficulty, "prompt": c.prompt} for c in found]
        echo(json.dumps({"cases": rows}, indent=2, ensure_ascii=False))
        return
    width = max(len(c.name) for c in found)
    for c in found:
        echo(f"{c.name:<{width}}  {c.difficulty:<6}  {c.prompt}")
    echo("\n`mlsd practice start CASE` writes the exercise; `mlsd practice check FILE --case CASE` grades it.")


@practice.command("start")
@click.argument("case", shell_complete=complete_cases)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(file_okay=False),
    help="Folder to write the exercise into [default: CASE, in the current folder].",
)
def start(case: str, output: str | None) -> None:
    """Write the exercise of CASE: prompt.md (the prompt, folded clarifying questions, the 45-minute plan)
    and CASE.yaml (the requirements and the clients, for you to complete).

    Existing files are never replaced.
    """
    from ..outputs.files import OutputError, write_all
    from ..practice.cases import exercise_blueprint, prompt_markdown

    known_case(case)
    folder = Path(output or case)
    blueprint_file = folder / f"{case}.yaml"
    prompt_file = folder / "prompt.md"
    for target in (prompt_file, blueprint_file):
        if target.exists() or target.is_symlink():
            raise UserError(f"{target} exists; choose another folder with -o (your work is never replaced)")
    try:
        write_all(
            [(prompt_file, prompt_markdown(case, blueprint_file.name)), (blueprint_file, exercise_blueprint(case))]
        )
    except OutputError as exc:
        raise UserError(str(exc)) from None
    echo(f"{prompt_file}: the prompt, clarifying questions and the 45-minute plan")
    echo(f"{blueprint_file}: your design; grade it with `mlsd practice check {blueprint_file} --case {case}`")


@practice.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--case",
    "case",
    required=True,
    shell_complete=complete_cases,
    help="The case to grade against (see `mlsd practice list`).",
)
@click.option("--reveal", is_flag=True, help="Show the reference design's part beside each check.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False),
    help="Write the scorecard to this file instead of standard output.",
)
def check(file: str, case: str, reveal: bool, fmt: str, output: str | None) -> None:
    """Grade FILE against CASE: per framework step 0-3 points, the evidence, and the interviewer's
    follow-up question for each point missed; then the failure modes, serving numbers and lint.

    Without --reveal the reference design stays hidden: a missing point is a question, not its answer.
    """
    from ..practice.scorecard import grade
    from .inputs import emit

    known_case(case)
    config = lint_config(file=file)
    card = grade(load(file), case, config=config, reveal=reveal)
    if fmt == "json":
        text = json.dumps(card.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "html":
        from ..outputs.practice import scorecard_html

        text = scorecard_html(card)
    else:
        from ..outputs.practice import scorecard_text

        text = scorecard_text(card)
    emit(text, output)


@practice.command("schema")
def schema() -> None:
    """Print the JSON Schema of the scorecard that `check --format json` writes."""
    from ..practice.schema import scorecard_schema_text

    echo(scorecard_schema_text(), nl=False)
