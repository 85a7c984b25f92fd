"""The benchmark's command line: it measures the installed site, or a build given with --dist;
with --soak, a mock of its own under load."""

import json
import subprocess
import sys


def test_the_benchmark_says_what_to_do_when_a_build_is_missing(tmp_path):
    run = subprocess.run([sys.executable, "-m", "implicitflow_testing.tools.bench", "--runs", "1",
                          "--dist", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60)

    assert run.returncode == 1
    assert run.stderr == f"benchmark failed: {tmp_path} has no index.html: is it a build? " \
                         "(`python build.py` writes web/dist in a source checkout)\n"


def test_the_soak_loads_a_mock_of_its_own_and_signs_in_at_the_end(tmp_path):
    figures = tmp_path / "soak.json"
    run = subprocess.run([sys.executable, "-m", "implicitflow_testing.tools.bench", "--soak", "2",
                          "--json", str(figures)], capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "Implicit sign-in at the end: works" in run.stdout
    results = json.loads(figures.read_text())
    assert results["errors"] == 0 and results["sign_in_at_end"] == "works"
    assert min(results["requests"], results["sign_ins"], results["api_calls"]) > 0
    assert 0 < results["rss_start_mb"] <= results["rss_peak_mb"]
    assert [row["requests"] for row in results["intervals"]] == [results["requests"]]


def test_the_soak_through_serve_sends_the_flood_through_the_proxy(tmp_path):
    figures = tmp_path / "soak.json"
    run = subprocess.run([sys.executable, "-m", "implicitflow_testing.tools.bench", "--soak", "3",
                          "--through-serve", "--json", str(figures)],
                         capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "API calls through implicitflow serve's proxy" in run.stdout
    results = json.loads(figures.read_text())
    assert results["through_serve"] and results["errors"] == 0
    assert results["sign_in_at_end"] == "works"
    [row] = results["intervals"]
    # The proxy answered the flood: it spent CPU on each call and holds memory of its own.
    assert row["requests"] > 0 and row["proxy_cpu_us_per_request"] > 0
    assert 0 < results["proxy_rss_start_mb"] <= results["proxy_rss_peak_mb"]
    assert "proxy RSS at the end <= 150 MB" in " ".join(results["targets"])


def test_the_profile_shows_where_a_first_visit_spends_its_time(tmp_path):
    from tests.conftest import DIST

    figures = tmp_path / "profile.json"
    run = subprocess.run([sys.executable, "-m", "implicitflow_testing.tools.bench", "--profile",
                          "floor,toolkit_fast", "--runs", "1", "--dist", str(DIST),
                          "--json", str(figures)], capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads(figures.read_text())
    floor = dict(results["floor"]["scripts"])
    fast = dict(results["toolkit_fast"]["scripts"])
    # Each page's time lands in its own runtime: brython.js with its compiler for the floor,
    # brython_runtime.js without it for the compiled page, which never loads brython.js.
    assert floor["brython.js"] > 0 and "brython_runtime.js" not in floor
    assert fast["brython_runtime.js"] > 0 and "brython.js" not in fast
    assert results["toolkit_fast"]["ready"] > 0
    assert "toolkit_fast: ready at" in run.stdout and "top functions:" in run.stdout


def test_the_profile_names_the_pages_it_knows(tmp_path):
    run = subprocess.run([sys.executable, "-m", "implicitflow_testing.tools.bench", "--profile",
                          "floor,nosuch"], capture_output=True, text=True, timeout=60)

    assert run.returncode == 2
    assert "--profile: no such page: nosuch (pages: baseline, floor, toolkit," in run.stderr
