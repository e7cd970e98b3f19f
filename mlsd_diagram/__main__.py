"""``python -m mlsd_diagram`` runs the ``mlsd`` command."""

from .entry import run

run()
