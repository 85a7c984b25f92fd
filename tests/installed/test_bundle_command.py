"""implicitflow_bundle: the files an app serves, their order, their integrity hashes, and
errors a person can act on. (The `implicitflow` command itself runs in test_installed_product.)"""

import gzip
from pathlib import Path

import pytest

from implicitflow_bundle import BundleError, bundle_files, script_tags, sri_hash, write_bundle
from implicitflow_testing import ServerThread
from implicitflow_testing.harness._static_site import static_app

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
        "brython.js.gz", "implicitflow.brython.js.gz"]
    assert all(path.read_bytes() == (built / path.name).read_bytes() for path in written)


def test_each_scripts_precompressed_copy_is_gzip_of_it(built, tmp_path):
    written = {path.name: path.read_bytes() for path in write_bundle(tmp_path, source=built)}

    for name in ("brython.js", "implicitflow.brython.js"):
        assert gzip.decompress(written[name + ".gz"]) == written[name]
        # Zopfli's gzip, not gzip -9's: the bytes shipped are what the budget counts.
        assert len(written[name + ".gz"]) < len(gzip.compress(written[name], 9)) * 0.97


def test_the_tags_carry_each_scripts_sri_hash(built, tmp_path):
    written = write_bundle(tmp_path, source=built)

    assert script_tags(written, "vendor") == [
        f'<script src="vendor/{name}" integrity="{sri_hash((built / name).read_bytes())}"></script>'
        for name in ("brython.js", "implicitflow.brython.js")]
    # The example in the W3C Subresource Integrity specification.
    assert sri_hash(b"alert('Hello, world.');") == (
        "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO")


def test_tags_for_another_origin_ask_for_a_cors_fetch(built, tmp_path):
    written = write_bundle(tmp_path, source=built)

    tags = script_tags(written, "https://cdn.example/implicitflow/")

    assert tags[0].startswith('<script src="https://cdn.example/implicitflow/brython.js" integrity=')
    assert all(tag.endswith(' crossorigin="anonymous"></script>') for tag in tags)


@pytest.mark.browser
def test_a_page_made_of_the_printed_tags_runs_in_chromium(built, tmp_path, page):
    written = write_bundle(tmp_path / "vendor", source=built)
    (tmp_path / "index.html").write_text(
        "<!doctype html><head>" + "".join(script_tags(written, "vendor/"))
        + '<script type="text/python">import implicitflow</script></head>')

    with ServerThread(static_app(tmp_path)) as site:
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
