"""implicitflow_testing: a faithful local GetResponse authorization server, and the harness
(Chromium discovery, static site, pytest plugin, CLI) for testing browser sign-in with it."""

from .chromium import ChromiumNotFound, chromium_launch_args, find_chromium
from .server_thread import ServerThread

__all__ = ["ChromiumNotFound", "ServerThread", "chromium_launch_args", "find_chromium"]
