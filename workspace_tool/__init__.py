"""wm: work management kept as Markdown files with YAML frontmatter in git."""

__version__ = "0.1.0"
