"""Analyses: plain functions over the built graph (validation, lint, simulate, score).

Nothing here imports outputs, preview or the CLI, so lint stays light.
"""
