"""Action items out to issue trackers: Jira (a CSV its importer reads) and GitHub issues."""
