"""Outputs: diagrams, Mermaid, design docs, SARIF/JSON, the HTML report. Each reads the model and analyses."""
