"""What tests need around the mock: a Chromium, page checks, serving an app, the pytest plugin."""
