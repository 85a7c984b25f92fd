"""The product as a user gets it: the wheel, built from the sdist as a package index would
serve it, installed in a new virtual environment outside this checkout; `implicitflow bundle`;
and the example apps of web/examples run with their own tests from there, in Chromium and
Firefox. On the machine's python3 and on the newest CPython found beside it, since users have
both."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "web" / "examples"
EXAMPLE_APPS = ("brython-app", "javascript-app")
BUNDLE = "implicitflow_bundle/files/"
#: What a clean checkout does not have: the build's inputs are the sources alone.
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "build", "dist", "artifacts", "test-results", "site",
                                     "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "vendor")


def run(command, cwd, env=None, check=True):
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=900)
    if check and result.returncode != 0:
        pytest.fail(f"`{' '.join(str(part) for part in command)}` exited {result.returncode}:\n"
                    f"{result.stdout}\n{result.stderr}", pytrace=False)
    return result


def packaged_files(wheel):
    """{path: bytes} of what a wheel installs, its metadata aside."""
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist() if ".dist-info/" not in name}


def bundle_in(wheel):
    return {name[len(BUNDLE):]: data
            for name, data in packaged_files(wheel).items() if name.startswith(BUNDLE)}


def bundle_in_sdist(sdist):
    with tarfile.open(sdist) as archive:
        return {Path(member.name).name: archive.extractfile(member).read()
                for member in archive.getmembers()
                if member.isfile() and f"/pysrc/{BUNDLE}" in member.name}


@pytest.fixture(scope="session")
def source_tree(tmp_path_factory):
    """A copy of the checkout's sources, so builds neither race nor leave files in it."""
    tree = tmp_path_factory.mktemp("checkout") / "implicitflow"
    shutil.copytree(ROOT, tree, ignore=NOT_SOURCES)
    return tree


@pytest.fixture(scope="session")
def wheel(source_tree, tmp_path_factory):
    """What `python -m build` makes in the checkout: the sdist, then the wheel from the unpacked
    sdist."""
    out = tmp_path_factory.mktemp("dist")
    # In the checkout, as a maintainer releases: there build.py's name shadows PyPA's build, and
    # build.py hands over to it (were it to build web/dist instead, no wheel would come out).
    run([sys.executable, "-m", "build", "--outdir", out], cwd=source_tree)
    assert not (source_tree / "web" / "dist").exists()
    (built,) = out.glob("*.whl")
    return built


def version_of(python):
    result = run([python, "-c", "import sys; print(*sys.version_info[:2])"], cwd=ROOT, check=False)
    return tuple(map(int, result.stdout.split())) if result.returncode == 0 else None


def newest_cpython():
    """(version, path) of the newest CPython 3 on PATH (python3.N) or under pyenv, or None."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = list(pyenv.glob("3.*/bin/python3"))
    candidates += [Path(found) for minor in range(12, 30) if (found := shutil.which(f"python3.{minor}"))]
    versions = [(version_of(path), path) for path in candidates]
    return max(((version, path) for version, path in versions if version), default=None)


def interpreter(which):
    python3 = shutil.which("python3")
    if python3 is None:
        pytest.fail("no python3 on PATH", pytrace=False)
    if which == "python3":
        return python3
    newest = newest_cpython()
    if newest is None or newest[0] <= version_of(python3):
        pytest.fail(f"No CPython newer than python3 ({'.'.join(map(str, version_of(python3)))}) found "
                    "on PATH (python3.12, python3.13, ...) or under pyenv: the installed product is "
                    "tested on a newer one too. Install one, e.g. `pyenv install 3.13`.", pytrace=False)
    return newest[1]


def user_environment(bin_dir):
    """This process's environment without its virtual environment or pytest's own variables."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME") and not name.startswith("PYTEST_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_the_wheel_is_the_same_from_sdist_or_tree_and_carries_build_pys_bundle(wheel, source_tree, tmp_path):
    # A second build, straight from the tree this time (the first went through the sdist).
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", tmp_path / "again",
         source_tree], cwd=tmp_path)
    (again,) = (tmp_path / "again").glob("*.whl")
    build_py_output = tmp_path / "build-py"
    run([sys.executable, "-c", "import sys, pathlib, build; build.write_bundle(pathlib.Path(sys.argv[1]))",
         build_py_output], cwd=source_tree)

    files = bundle_in(wheel)
    assert sorted(files) == ["brython.LICENCE.txt", "brython.js", "brython.js.br", "brython.js.gz",
                             "implicitflow.brython.js", "implicitflow.brython.js.br",
                             "implicitflow.brython.js.gz"]
    assert packaged_files(wheel) == packaged_files(again)
    (sdist,) = wheel.parent.glob("*.tar.gz")
    assert bundle_in_sdist(sdist) == files
    assert files == {path.name: path.read_bytes() for path in build_py_output.iterdir()}
    package = files["implicitflow.brython.js"].decode()
    assert "implicitflowReady" in package
    assert "implicitflow_bundle" not in package and "implicitflow_testing" not in package


def test_the_release_passes_twine_check_and_carries_its_licences(wheel):
    (sdist,) = wheel.parent.glob("*.tar.gz")
    # What a package index checks on upload: the metadata, and that the README renders.
    run([sys.executable, "-m", "twine", "check", "--strict", wheel, sdist], cwd=wheel.parent)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(name for name in names if name.endswith(".dist-info/METADATA")))
    licences = sorted(name.rpartition("/licenses/")[2] for name in names if "/licenses/" in name)
    assert licences == ["LICENSE", "pysrc/implicitflow_bundle/files/brython.LICENCE.txt"]
    fields = metadata.decode().split("\n\n", 1)[0].splitlines()
    assert "License-Expression: MIT" in fields
    # pytest finds the plugin by its entry point; this classifier is how people find it.
    assert "Classifier: Framework :: Pytest" in fields
    assert any(field.startswith("Project-URL: Changelog, ") for field in fields)
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        assert {f"{top}/LICENSE", f"{top}/CHANGELOG.md"} <= set(archive.getnames())


def audit_served_app(public, bin_dir, env, cwd):
    """`implicitflow serve PUBLIC --mock` (its own mock), and `implicitflow-audit --app` run
    against it with the example's client id, and its dedicated callback page as the redirect URI
    where it has one; the audit's CompletedProcess."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([bin_dir / "implicitflow", "serve", public, "--api-path", "/api/getresponse",
                               "--port", str(port), "--mock"], cwd=cwd, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        printed = ""
        for line in server.stdout:
            printed += line
            if line.startswith("Press Ctrl-C"):
                break
        mock = re.search(r"^Mock GetResponse: (http://\S+)", printed, re.M)
        assert mock, f"implicitflow serve did not start:\n{printed}"
        # As the README's "Audit it" shows: --client-id registers the app's client with the mock.
        app = f"http://127.0.0.1:{port}/"
        callback = ["--redirect-uri", app + "callback.html"] if (public / "callback.html").exists() else []
        return run([bin_dir / "implicitflow-audit", "--app", app, "--mock", mock[1],
                    "--client-id", "example-app", *callback,
                    "--sign-in", 'role=button[name="Sign in with GetResponse"]',
                    "--signed-in", "text=Signed in as"], cwd=cwd, env=env, check=False)
    finally:
        server.terminate()
        server.wait(timeout=10)


def run_example_tests(apps, browser, bin_dir, env):
    """The examples' tests with `--browser BROWSER`. A stock Firefox refused for the newest
    Playwright (docs/testing.md, "Other browser engines") is followed as a user would: the fix
    its message names is installed, and the tests run again."""
    command = [bin_dir / "python", "-m", "pytest", "-p", "no:cacheprovider", "-q", "--browser", browser]
    tests = run(command, cwd=apps, env=env, check=False)
    pinned = "playwright>=1.58,<1.65"
    if browser == "firefox" and tests.returncode and "cannot drive this stock Firefox" in tests.stdout:
        assert f"Run: pip install '{pinned}'" in tests.stdout, tests.stdout
        run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", pinned],
            cwd=apps, env=env)
        tests = run(command, cwd=apps, env=env, check=False)
    return tests


@pytest.mark.parametrize("which", ["python3", "newest"])
def test_the_example_apps_pass_against_the_installed_wheel(which, wheel, tmp_path):
    python = interpreter(which)
    venv = tmp_path / "venv"
    run([python, "-m", "venv", venv], cwd=tmp_path)
    bin_dir = venv / "bin"
    env = user_environment(bin_dir)
    pip_install = [bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]

    # `pip install implicitflow`, no extras: the command and the files a production app serves.
    run(pip_install + [wheel, "pytest"], cwd=tmp_path, env=env)
    version = run([bin_dir / "implicitflow", "--version"], cwd=tmp_path, env=env).stdout
    assert re.fullmatch(r"implicitflow \d+\.\d+\.\d+\S*\n", version)
    apps = tmp_path / "apps"
    for name in EXAMPLE_APPS:
        shutil.copytree(EXAMPLES / name, apps / name, ignore=NOT_SOURCES)
        printed = run([bin_dir / "implicitflow", "bundle", "public/vendor", "--url", "vendor/"],
                      cwd=apps / name, env=env).stdout
        assert printed.startswith("Wrote 7 files to public/vendor:\n  brython.js ")
        assert re.search(r'<script src="vendor/implicitflow.brython.js" integrity="sha384-[\w+/]{64}">',
                         printed)
        assert {path.name: path.read_bytes() for path in (apps / name / "public/vendor").iterdir()} == (
            bundle_in(wheel))
    refused = run([bin_dir / "implicitflow", "bundle", "public/index.html/vendor"],
                  cwd=apps / "brython-app", env=env, check=False)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert re.fullmatch(r"implicitflow: cannot write to public/index.html/vendor: [^\n]+\n", refused.stderr)
    # pytest loads the plugin wherever implicitflow is installed, with or without its extras.
    (tmp_path / "unrelated" / "test_unrelated.py").parent.mkdir()
    (tmp_path / "unrelated" / "test_unrelated.py").write_text("def test_unrelated():\n    pass\n")
    run([bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "unrelated"],
        cwd=tmp_path, env=env)

    # With the testing extra: each example's own tests, from the apps' folder, each
    # bundled as its page says: compiled ahead of time (the bundle extra compiles), or no Python.
    run(pip_install + [f"{wheel}[testing,bundle]", "pytest-playwright"], cwd=tmp_path, env=env)
    for name, compiled in (("brython-app", ["--app", "public/app.py"]),
                           ("javascript-app", ["--no-compiler"])):
        run([bin_dir / "implicitflow", "bundle", "public/vendor", "--url", "vendor/", *compiled],
            cwd=apps / name, env=env)
    # Then in Firefox, with pytest-playwright's own option: Playwright's Firefox where it is
    # installed, the stock one the plugin finds where it is not.
    for browser in ("chromium", "firefox") if which == "python3" else ("chromium",):
        tests = run_example_tests(apps, browser, bin_dir, env)
        assert re.search(r"^6 passed in ", tests.stdout, re.M), f"{browser}:\n{tests.stdout}"
        assert "warning" not in tests.stdout.lower(), f"{browser}:\n{tests.stdout}"

    # `implicitflow serve`, as a user runs it to click through an app: each example with its
    # proxy to a mock the command starts, judged by the installed audit.
    if which == "python3":
        for name in EXAMPLE_APPS:
            audit = audit_served_app(apps / name / "public", bin_dir, env, tmp_path)
            assert audit.returncode == 0, f"{name}:\n{audit.stdout}{audit.stderr}"

    # The demo runs from the installed package, serving the installed bundle.
    demo = subprocess.Popen([bin_dir / "python", "-m", "implicitflow_testing.tools.demo", "--port", "0",
                             "--mock-port", "0"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        first_line = demo.stdout.readline()
        url = re.match(r"Demo app: +(http://[\d.:]+)/ ", first_line)
        if not url:
            demo.wait(timeout=10)
            pytest.fail(f"the demo did not start: {first_line}{demo.stderr.read()}", pytrace=False)
        for page in ("/", "/plain.html"):
            with urllib.request.urlopen(url[1] + page) as response:
                assert response.status == 200
        for name in ("brython.js", "implicitflow.brython.js"):
            with urllib.request.urlopen(url[1] + "/" + name) as response:
                assert response.read() == bundle_in(wheel)[name]
    finally:
        demo.terminate()
        demo.wait(timeout=10)
