"""The wheel and the sdist carry the browser bundle: building them runs build.py's
`write_bundle()`.

All metadata is in pyproject.toml; this only adds the build step, so `pip wheel .`, a wheel
built from the sdist and `python build.py` all write the same files.
"""

import importlib.util
import shutil
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
BUNDLE = Path("implicitflow_bundle") / "files"


def load_build_script():
    # Loaded under its own name: `import build` could find PyPA's `build` package instead.
    spec = importlib.util.spec_from_file_location("implicitflow_build", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_bundle(folder):
    build = load_build_script()
    with tempfile.TemporaryDirectory() as scratch:
        try:
            build.write_bundle(Path(scratch))
        except build.BuildError as error:
            raise SystemExit("build.py: " + str(error)) from None
        for path in Path(scratch).iterdir():
            # Unlinked first: sdist's release tree hard-links the sources (the licence).
            (folder / path.name).unlink(missing_ok=True)
            shutil.copyfile(path, folder / path.name)
    return build


class BuildPyWithBundle(build_py):
    """Adds implicitflow_bundle/files (the browser bundle) and implicitflow_testing/tools/web
    (the demo's and the benchmark's pages) to the built packages."""

    def run(self):
        super().run()
        if self.editable_mode:
            return  # an editable install runs from the source tree, where build.py writes web/dist
        lib = Path(self.build_lib)
        build = write_bundle(lib / BUNDLE)
        pages = lib / "implicitflow_testing" / "tools" / "web"
        build.copy_web_sources(pages)
        build.write_precompressed_siblings(pages)


class SdistWithBundle(sdist):
    """The sdist carries the bundle as built here; a wheel built from it builds it again, to
    the same bytes (tests/installed checks both)."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        write_bundle(Path(base_dir) / "pysrc" / BUNDLE)


setup(cmdclass={"build_py": BuildPyWithBundle, "sdist": SdistWithBundle})
