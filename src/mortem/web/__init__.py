"""The web page of `mortem serve`: FastAPI routes over the same services as the CLI."""

from .app import create_app

__all__ = ["create_app"]
