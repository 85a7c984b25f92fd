#!/usr/bin/env bash
# One entry point for people and CI.
#   ./dev.sh demo [options]   set up, build, and run the demo against the local mock GetResponse
#   ./dev.sh test [pytest args]   set up, build, and run the whole test suite
#
# Set-up, done each time and quick when nothing changed:
#   - a Chromium: Playwright's own or a system one if present; otherwise, as root on
#     Debian/Ubuntu, `apt-get install chromium`, elsewhere `playwright install chromium`;
#   - a virtual environment in .venv with this project and its test extras (pip);
#   - web/dist, built by `python build.py`.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv

setup_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[test]'
}

setup_chromium() {
    if "$VENV/bin/python" -c 'from implicitflow_testing.harness._chromium import find_chromium as f; print("Chromium:", f()[1])' 2>/dev/null; then
        return
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "No Chromium found: installing Debian's chromium package"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "No Chromium found: installing Playwright's Chromium"
        "$VENV/bin/python" -m playwright install chromium
    fi
    "$VENV/bin/python" -c 'from implicitflow_testing.harness._chromium import find_chromium as f; print("Chromium:", f()[1])'
}

command=${1:-}
shift || true
case "$command" in
    test)
        setup_venv
        setup_chromium
        "$VENV/bin/python" build.py
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    demo)
        setup_venv
        "$VENV/bin/python" build.py
        exec "$VENV/bin/python" -m implicitflow_testing.tools.demo "$@"
        ;;
    *)
        echo "usage: ./dev.sh demo [--help] | ./dev.sh test [pytest arguments]" >&2
        exit 2
        ;;
esac
