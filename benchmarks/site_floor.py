"""The floor of a static site from the same Markdown files, with wm's own libraries.

usage: python benchmarks/site_floor.py WORKSPACE OUT [--workers 2]

The least any generator built on wm's dependencies does for a page per
document, and nothing more: find every `.md` file, read it, split off its
frontmatter and load it with LibYAML (`CSafeLoader`), render the body with
markdown-it-py (CommonMark with tables, as wm's site does, without its
plugins), fill one small Jinja2 template (autoescaped: the title and the
fields, the body) and write the page. Pages are made by `--workers`
forked processes, as wm's are. No index, references, history, links,
navigation, charts, search, record or cache.

`bench_site.py --floor` times it in the same run as wm's cold build and
MkDocs': wm against the floor is what the rest of the site costs; the floor
against MkDocs says what "3x faster than MkDocs" leaves for it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="{{ root }}style.css"></head>
<body><main><h1>{{ title }}</h1>
<dl>{% for key, value in fields %}<dt>{{ key }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>
{{ body }}
</main></body></html>
"""


def _pages(files: list[Path], root: Path, out: Path) -> int:
    import jinja2
    import yaml
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    template = jinja2.Environment(autoescape=True).from_string(TEMPLATE)
    made = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        meta: object = {}
        body = text
        if text.startswith("---\n"):
            end = text.find("\n---\n", 4)
            if end != -1:
                meta = yaml.load(text[4:end], Loader=loader) or {}
                body = text[end + 5 :]
        fields = sorted((str(k), str(v)) for k, v in meta.items()) if isinstance(meta, dict) else []
        title = dict(fields).get("title", path.stem)
        relative = path.relative_to(root).with_suffix(".html")
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        depth = len(relative.parts) - 1
        html = template.render(title=title, fields=fields, body=Markup(md.render(body)), root="../" * depth)
        target.write_text(html, encoding="utf-8")
        made += 1
    return made


def build(root: Path, out: Path, workers: int) -> int:
    files = sorted(path for path in root.rglob("*.md") if not any(part.startswith(".") for part in path.relative_to(root).parts))
    out.mkdir(parents=True, exist_ok=True)
    if workers <= 1:
        return _pages(files, root, out)
    children = []
    for n in range(1, workers):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _pages(files[n::workers], root, out)
            except BaseException:
                code = 1
            os._exit(code)
        children.append(pid)
    made = _pages(files[0::workers], root, out)
    for pid in children:
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("a floor worker failed")
    return made + sum(len(files[n::workers]) for n in range(1, workers))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    options = parser.parse_args(argv)
    made = build(options.workspace, options.out, options.workers)
    print(f"{made} pages", file=sys.stderr)


if __name__ == "__main__":
    main()
