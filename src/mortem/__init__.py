"""mortem: blameless postmortems as Markdown files in git."""

__version__ = "0.1.0"
