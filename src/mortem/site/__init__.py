"""The static HTML site of a postmortem repository (`mortem site DIR`)."""

from .builder import BuildReport, build_site, template_version

__all__ = ["BuildReport", "build_site", "template_version"]
