"""The status site: a static HTML site (and MkDocs pages) built from the workspace index.

Stages (see `build`): load index -> collect page models (`pages*`) ->
render in parallel (`render`, `markdown`, `charts`) -> write changed
files -> check links -> post-build (`feeds`, `search`). `privacy` decides
what a site may show; `serve` rebuilds on change; `mkdocs_plugin`
adds the same pages to a MkDocs site.
"""

from __future__ import annotations

from workspace_tool.site.build import BuildOptions, BuildResult, build_site
from workspace_tool.site.privacy import Audience

__all__ = ["Audience", "BuildOptions", "BuildResult", "build_site"]
