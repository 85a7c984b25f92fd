"""The wheel carries the browser bundle: building it runs build.py's `write_bundle()`.

All metadata is in pyproject.toml; this only adds the build step, so `pip wheel .`, a wheel
built from the sdist and `python build.py` all write the same files.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def load_build_script():
    # Loaded under its own name: `import build` could find PyPA's `build` package instead.
    spec = importlib.util.spec_from_file_location("implicitflow_build", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithBundle(build_py):
    """Adds implicitflow_bundle/files (the browser bundle) and implicitflow_testing/tools/web
    (the demo's and the benchmark's pages) to the built packages."""

    def run(self):
        super().run()
        if self.editable_mode:
            return  # an editable install runs from the source tree, where build.py writes web/dist
        build = load_build_script()
        lib = Path(self.build_lib)
        try:
            build.write_bundle(lib / "implicitflow_bundle" / "files")
        except build.BuildError as error:
            raise SystemExit("build.py: " + str(error)) from None
        build.copy_web_sources(lib / "implicitflow_testing" / "tools" / "web")


setup(cmdclass={"build_py": BuildPyWithBundle})
