#!/usr/bin/env bash
# One entry point for people and CI.
#   ./dev.sh demo [options]   set up, build, and run the demo against the local mock GetResponse
#   ./dev.sh test [pytest args]   set up, build, and run the whole test suite on two workers
#
# Set-up, done each time and quick when nothing changed, one line per step:
#   - venv: .venv, made with $PYTHON (default python3);
#   - packages: this project and its test extras (pip), skipped while pyproject.toml and
#     setup.py are unchanged since the last install;
#   - Chromium (test only): Playwright's own or a system one if present; otherwise, as root on
#     Debian/Ubuntu, `apt-get install chromium`, elsewhere `playwright install chromium`;
#   - Firefox and WebKit (test only), for the browser tests run on every engine: Playwright's
#     Firefox or firefox-esr/firefox on PATH, and Playwright's WebKit or WebKitWebDriver with Xvfb;
#     otherwise, as root on Debian/Ubuntu, `apt-get install firefox-esr webkit2gtk-driver xvfb`;
#     elsewhere those tests fail, saying what to install;
#   - nginx (test only): the one on PATH or /usr/sbin/nginx; otherwise, as root on Debian/Ubuntu,
#     `apt-get install nginx`; elsewhere the tests of web/deploy/nginx.conf fail, saying so;
#   - build: web/dist, by `python build.py`.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.installed-from

say() { printf '%-10s %s\n' "$1:" "$2"; }

as_root_with_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

setup_venv() {
    if [ -x "$VENV/bin/python" ]; then
        say venv "$VENV exists ($("$VENV/bin/python" --version)), kept"
        return
    fi
    if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null && as_root_with_apt; then
        say venv "$PYTHON has no venv module: installing Debian's python3-venv"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    say venv "creating $VENV with $PYTHON ($("$PYTHON" --version))"
    "$PYTHON" -m venv "$VENV"
}

setup_packages() {
    local wanted
    wanted=$(cat pyproject.toml setup.py | "$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ]; then
        say packages "pyproject.toml and setup.py unchanged since the last install, pip skipped (rm $STAMP to force)"
        return
    fi
    # -qq: pip still prints its errors, not its warnings (such as about a machine's index settings).
    say packages "installing this project (editable) with its test extras into $VENV (pip, from PyPI)"
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check -e '.[test]'
    echo "$wanted" >"$STAMP"
}

chromium_found() {
    "$VENV/bin/python" -c 'from implicitflow_testing import find_chromium as f; print(f()[1])' 2>/dev/null
}

setup_chromium() {
    local found
    if found=$(chromium_found); then
        say Chromium "found $found, no install needed"
        return
    fi
    if as_root_with_apt; then
        say Chromium "none found: installing Debian's chromium package (apt-get)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        say Chromium "none found: installing Playwright's Chromium (playwright install chromium)"
        "$VENV/bin/python" -m playwright install chromium >/dev/null
    fi
    found=$(chromium_found) || { echo "Chromium: still not found after installing it" >&2; exit 1; }
    say Chromium "installed: $found"
}

nginx_found() {
    command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }
}

setup_nginx() {
    local found
    if found=$(nginx_found); then
        say nginx "found $found, no install needed"
        return
    fi
    if ! as_root_with_apt; then
        say nginx "none found, and not root with apt-get: the tests of web/deploy/nginx.conf will fail until nginx is installed"
        return
    fi
    say nginx "none found: installing Debian's nginx package (apt-get), to test web/deploy/nginx.conf"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
    found=$(nginx_found) || { echo "nginx: still not found after installing it" >&2; exit 1; }
    say nginx "installed: $found"
}

engines_missing() {
    local missing=""
    "$VENV/bin/python" -c 'from implicitflow_testing.harness._browsers import find_firefox; find_firefox()' \
        2>/dev/null || missing="firefox-esr"
    if ! "$VENV/bin/python" -c 'from implicitflow_testing.harness._browsers import playwright_webkit_installed as f
raise SystemExit(not f())' 2>/dev/null; then
        command -v WebKitWebDriver >/dev/null || missing="$missing webkit2gtk-driver"
        command -v Xvfb >/dev/null || missing="$missing xvfb"
    fi
    echo $missing
}

engines_found() {
    "$VENV/bin/python" -c 'import shutil
from implicitflow_testing.harness._browsers import find_firefox, playwright_webkit_installed
webkit = "Playwright'"'"'s WebKit" if playwright_webkit_installed() else shutil.which("WebKitWebDriver")
print(f"Firefox {find_firefox()[1]}, WebKit {webkit}")'
}

setup_engines() {
    local missing
    missing=$(engines_missing)
    if [ -z "$missing" ]; then
        say engines "found $(engines_found), no install needed"
        return
    fi
    if ! as_root_with_apt; then
        say engines "missing $missing, and not root with apt-get: the tests run on Firefox and WebKit will fail until it is installed"
        return
    fi
    say engines "installing Debian's $missing (apt-get), for the tests run on Firefox and WebKit"
    apt-get update -qq
    # shellcheck disable=SC2086  # one package name per word
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    missing=$(engines_missing)
    [ -z "$missing" ] || { echo "engines: still missing after installing them: $missing" >&2; exit 1; }
    say engines "installed: $(engines_found)"
}

build_site() {
    local output
    if ! output=$("$VENV/bin/python" build.py 2>&1); then
        echo "$output" >&2
        exit 1
    fi
    say build "web/dist written by python build.py ($(tail -n 1 <<<"$output"))"
}

wants_help() {
    local argument
    for argument in "$@"; do
        case "$argument" in -h|--help) return 0 ;; esac
    done
    return 1
}

command=${1:-}
shift || true
case "$command" in
    test)
        setup_venv
        setup_packages
        setup_chromium
        setup_engines
        setup_nginx
        build_site
        # Two workers (pytest-xdist) halve the suite's time: most of it is browsers waiting.
        # Tests that share one thing across a run (the security figures) are grouped onto one
        # worker with xdist_group; `-n 0` after the command runs everything in this process.
        exec "$VENV/bin/python" -m pytest -n 2 --dist loadgroup "$@"
        ;;
    demo)
        if wants_help "$@" && [ -x "$VENV/bin/python" ]; then
            exec "$VENV/bin/python" -m implicitflow_testing.tools.demo "$@"
        fi
        setup_venv
        setup_packages
        build_site
        exec "$VENV/bin/python" -m implicitflow_testing.tools.demo --dist web/dist "$@"
        ;;
    *)
        echo "usage: ./dev.sh demo [--help] | ./dev.sh test [pytest arguments]" >&2
        exit 2
        ;;
esac
