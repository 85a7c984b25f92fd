"""dev.sh, the checkout's entry point: help without set-up, usage for anything else."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_help_answers_without_setting_anything_up():
    run = subprocess.run([ROOT / "dev.sh", "demo", "--help"], capture_output=True, text=True, timeout=60)

    assert run.returncode == 0
    assert run.stdout.startswith("usage: python -m implicitflow_testing.tools.demo")
    assert "--dist DIR" in run.stdout
    assert not any(line.startswith(("venv:", "packages:", "build:")) for line in run.stdout.splitlines())


def test_an_unknown_command_prints_the_usage():
    run = subprocess.run([ROOT / "dev.sh", "serve"], capture_output=True, text=True, timeout=60)

    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == "usage: ./dev.sh demo [--help] | ./dev.sh test [pytest arguments]\n"
