"""implicitflow_bundle: the files an app serves, their order, their integrity hashes, and
errors a person can act on. (The `implicitflow` command itself runs in test_installed_product,
and here for an app compiled with --app, from the installed wheel outside this checkout.)"""

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

import brotli
import pytest

from implicitflow_bundle import BundleError, bundle_files, script_tags, sri_hash, write_bundle
from implicitflow_server import server_app
from implicitflow_testing import ServerThread
from tests.installed.test_installed_product import (  # noqa: F401  (the wheel and its fixtures)
    NOT_SOURCES,
    source_tree,
    user_environment,
    wheel,
)
from tests.installed.test_installed_product import run as run_checked

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


@pytest.fixture(scope="module")
def built():
    if not (DIST / "implicitflow.brython.js").exists():
        pytest.fail("web/dist is not built: run `python build.py` first", pytrace=False)
    return DIST


def test_the_bundle_is_the_scripts_in_loading_order_then_the_licence(built, tmp_path):
    written = write_bundle(tmp_path / "new" / "vendor", source=built)

    assert [path.name for path in written] == [
        "brython.js", "implicitflow.brython.js", "brython.LICENCE.txt",
        "brython.js.gz", "implicitflow.brython.js.gz", "brython.js.br", "implicitflow.brython.js.br"]
    assert all(path.read_bytes() == (built / path.name).read_bytes() for path in written)


def test_each_scripts_precompressed_copies_are_gzip_and_brotli_of_it(built, tmp_path):
    written = {path.name: path.read_bytes() for path in write_bundle(tmp_path, source=built)}

    for name in ("brython.js", "implicitflow.brython.js"):
        assert gzip.decompress(written[name + ".gz"]) == written[name]
        # Zopfli's gzip, not gzip -9's: the bytes shipped are what the budget counts.
        assert len(written[name + ".gz"]) < len(gzip.compress(written[name], 9)) * 0.97
        # Brotli at its best quality: smaller again.
        assert brotli.decompress(written[name + ".br"]) == written[name]
        assert len(written[name + ".br"]) < len(written[name + ".gz"]) * 0.9


def test_the_tags_carry_each_scripts_sri_hash(built, tmp_path):
    written = write_bundle(tmp_path, source=built)

    assert script_tags(written, "vendor") == [
        f'<script src="vendor/{name}" integrity="{sri_hash((built / name).read_bytes())}"></script>'
        for name in ("brython.js", "implicitflow.brython.js")]
    # The example in the W3C Subresource Integrity specification.
    assert sri_hash(b"alert('Hello, world.');") == (
        "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO")


@pytest.mark.parametrize("prefix", [
    "https://cdn.example/implicitflow/", "HTTPS://cdn.example/implicitflow/", "Http://cdn.example",
    "//cdn.example/", "/\\cdn.example/", "\\\\cdn.example/"])
def test_tags_for_another_origin_ask_for_a_cors_fetch(built, tmp_path, prefix):
    written = write_bundle(tmp_path, source=built)

    tags = script_tags(written, prefix)

    assert tags[0].startswith(f'<script src="{prefix.rstrip("/")}/brython.js" integrity=')
    assert all(tag.endswith(' crossorigin="anonymous"></script>') for tag in tags)


def test_tags_for_the_pages_own_origin_make_no_cors_fetch(built, tmp_path):
    written = write_bundle(tmp_path, source=built)

    for prefix in ("", "vendor", "/static/", "../implicitflow/"):
        assert not any("crossorigin" in tag for tag in script_tags(written, prefix))


def test_a_prefix_is_escaped_in_the_tags_and_a_non_url_refused(built, tmp_path):
    written = write_bundle(tmp_path, source=built)

    assert script_tags(written, 'a"b')[0].startswith('<script src="a&quot;b/brython.js" ')
    with pytest.raises(BundleError, match="'//\\[cdn/' is not a URL"):
        script_tags(written, "//[cdn")


@pytest.mark.browser
def test_a_page_made_of_the_printed_tags_runs_in_chromium(built, tmp_path, page):
    written = write_bundle(tmp_path / "vendor", source=built)
    (tmp_path / "index.html").write_text(
        "<!doctype html><head>" + "".join(script_tags(written, "vendor/"))
        + '<script type="text/python">import implicitflow</script></head>')

    with ServerThread(server_app(tmp_path, api_path=None)) as site:
        page.goto(site.url + "/")
        # A wrong integrity value would stop the script: implicitflowReady would never exist.
        assert page.evaluate("implicitflowReady.then(api => typeof api.create)") == "function"


def test_an_install_without_the_bundle_says_where_the_files_are(tmp_path):
    (tmp_path / "brython.LICENCE.txt").write_text("licence")

    with pytest.raises(BundleError, match="brython.js, implicitflow.brython.js: .*web/dist"):
        bundle_files(tmp_path)


def test_a_destination_that_is_a_file_is_refused(built, tmp_path):
    (tmp_path / "taken").write_text("")

    with pytest.raises(BundleError, match="taken exists and is not a folder"):
        write_bundle(tmp_path / "taken", source=built)
    with pytest.raises(BundleError, match="cannot write to .*taken/vendor: Not a directory"):
        write_bundle(tmp_path / "taken" / "vendor", source=built)


def test_a_link_at_a_files_name_is_replaced_never_followed(built, tmp_path):
    dest = tmp_path / "vendor"
    dest.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("not the bundle's to overwrite")
    (dest / "brython.js").symlink_to(precious)
    (dest / "brython.js.gz").symlink_to(tmp_path / "created-elsewhere")
    (dest / "probe").write_text("")

    written = write_bundle(dest, source=built)

    assert precious.read_text() == "not the bundle's to overwrite"
    assert not (tmp_path / "created-elsewhere").exists()
    assert not any(path.is_symlink() for path in written)
    assert all(path.read_bytes() == (built / path.name).read_bytes() for path in written)
    # Only the files themselves, with the mode any new file gets there (umask), no leftovers.
    assert sorted(path.name for path in dest.iterdir()) == sorted(["probe", *(p.name for p in written)])
    assert {path.stat().st_mode for path in written} == {(dest / "probe").stat().st_mode}


def test_a_destination_that_links_to_a_folder_is_written_into_that_folder(built, tmp_path):
    (tmp_path / "public").mkdir()
    (tmp_path / "vendor").symlink_to(tmp_path / "public", target_is_directory=True)

    written = write_bundle(tmp_path / "vendor", source=built)

    assert sorted(path.name for path in (tmp_path / "public").iterdir()) == sorted(
        path.name for path in written)


def test_a_copy_that_fails_halfway_leaves_the_name_as_it_was(built, tmp_path):
    (tmp_path / "brython.js").write_text("the previous version")
    # A disk that fills up in the middle of brython.js: files may not grow past half its size.
    limit = (built / "brython.js").stat().st_size // 2
    run = subprocess.run(
        [sys.executable, "-c", "import resource, sys; from implicitflow_bundle import write_bundle\n"
         f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
         "from pathlib import Path; write_bundle(sys.argv[1], source=Path(sys.argv[2]))",
         str(tmp_path), str(built)],
        capture_output=True, text=True, timeout=60)

    assert "BundleError: cannot write to" in run.stderr and "File too large" in run.stderr
    assert (tmp_path / "brython.js").read_text() == "the previous version"
    assert [path.name for path in tmp_path.iterdir()] == ["brython.js"]


# -- from the installed wheel: an app compiled with --app ------------------------------------


def test_an_app_built_with_app_from_the_installed_wheel_signs_in_against_the_mock(wheel, tmp_path):  # noqa: F811
    venv = tmp_path / "venv"
    run_checked([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    bin_dir = venv / "bin"
    env = user_environment(bin_dir)
    run_checked([bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 f"{wheel}[testing,bundle]", "pytest", "pytest-playwright"], cwd=tmp_path, env=env)
    app = tmp_path / "apps" / "brython-app"
    shutil.copytree(DIST.parent / "examples" / "brython-app", app, ignore=NOT_SOURCES)

    printed = run_checked([bin_dir / "implicitflow", "bundle", "public/vendor", "--url", "vendor/",
                           "--app", "public/app.py"], cwd=app, env=env).stdout
    again = run_checked([bin_dir / "implicitflow", "bundle", tmp_path / "again", "--app", "public/app.py"],
                        cwd=app, env=env)

    assert printed.startswith("Wrote 10 files to public/vendor:\n  brython_runtime.js ")
    assert "Compiled into app.brython.js: public/app.py (its script) and no other module\n" in printed
    tags = [line.strip() for line in printed.splitlines() if line.strip().startswith("<script")]
    assert [tag.split('"')[1] for tag in tags] == [
        "vendor/brython_runtime.js", "vendor/implicitflow.brython.js", "vendor/app.brython.js"]
    vendor = {path.name: path.read_bytes() for path in (app / "public" / "vendor").iterdir()}
    assert "brython.js" not in vendor  # the page has no compiler to load
    assert vendor == {path.name: path.read_bytes() for path in (tmp_path / "again").iterdir()}
    assert again.stderr == ""
    assert 'type="text/python"' not in (app / "public" / "index.html").read_text()
    # The example's own tests, in Chromium, against the mock: sign-in, deny, an expired token.
    tests = run_checked([bin_dir / "python", "-m", "pytest", "-p", "no:cacheprovider", "-q"], cwd=app,
                        env=env)
    assert re.search(r"^3 passed in ", tests.stdout, re.M), tests.stdout


def test_no_compiler_from_the_installed_wheel_needs_no_extra(wheel, tmp_path):  # noqa: F811
    venv = tmp_path / "venv"
    run_checked([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    bin_dir = venv / "bin"
    env = user_environment(bin_dir)
    run_checked([bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 wheel], cwd=tmp_path, env=env)

    printed = run_checked([bin_dir / "implicitflow", "bundle", "vendor", "--no-compiler"], cwd=tmp_path,
                          env=env).stdout
    (tmp_path / "app.py").write_text("x = 1\n")
    refused = run_checked([bin_dir / "implicitflow", "bundle", "other", "--app", "app.py"],
                          cwd=tmp_path, env=env, check=False)

    assert printed.startswith("Wrote 6 files to vendor:\n  brython_runtime.js ")
    # Without the bundle extra's brotli, the runtime cut here has its gzip copy only; the
    # package keeps both of the wheel's.
    assert sorted(path.name for path in (tmp_path / "vendor").iterdir() if path.suffix in (".gz", ".br")) == [
        "brython_runtime.js.gz", "implicitflow.brython.js.br", "implicitflow.brython.js.gz"]
    runtime = (tmp_path / "vendor" / "brython_runtime.js").read_bytes()
    assert runtime == (DIST / "brython_runtime.js").read_bytes()
    assert refused.returncode == 1
    assert "pip install 'implicitflow[bundle]'" in refused.stderr
