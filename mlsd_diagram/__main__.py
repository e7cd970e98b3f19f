"""``python -m mlsd_diagram`` runs the ``mlsd`` command."""

from .cli import main

main(prog_name="mlsd")
