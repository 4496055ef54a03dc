"""Ship the top-level `site_templates/` inside the package, so installed (non-editable) copies find it.

Everything else is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithTemplates(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "site_templates"
        if source.is_dir():
            shutil.copytree(source, Path(self.build_lib) / "workspace_tool" / "site_templates", dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithTemplates})
