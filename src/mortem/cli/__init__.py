"""The command line: a thin Typer layer over the workspace and its services."""
