"""Where a first visit's time goes: Chromium's sampling profiler over the benchmark's pages.

    python -m implicitflow_testing.tools.bench --profile floor,toolkit_fast [--runs 7] [--dist DIR]

Each page is loaded as the benchmark's first visit (a new context, no answer in the URL, the site
served pre-compressed) under the DevTools Protocol's CPU profiler, sampling every 50 us, until
the app is ready. The samples' self time is summed per script and per function and averaged over
the runs. `(program)` is the engine's own work outside any script function (parsing and
compiling scripts, among others) and `(idle)` the main thread waiting (for the network, mostly).
The profiler slows a page down: its own median is printed beside the page's, and the benchmark,
not this, gives the page's time.
"""

from collections import Counter
from collections.abc import Callable
from statistics import median
from typing import Any

#: The profiler's sampling interval, in microseconds.
SAMPLING_US = 50


def _script_name(frame: dict[str, Any]) -> str:
    """The script's file name; for the engine's own entries, their name: "(program)", "(idle)",
    "(garbage collector)", or the function's name in parentheses (a DevTools utility script)."""
    url, function = frame["url"], frame["functionName"] or "anonymous"
    if url:
        return url.rsplit("/", 1)[-1]
    return function if function.startswith("(") else f"({function})"


def _function_label(script: str, function: str, line: int) -> str:
    if script == function:  # (program), (idle), (garbage collector)
        return script
    return f"{script}:{line} {function or '(anonymous)'}"


def profile_page(context: Any, url: str, wait_until_ready: Callable[[Any], float]
                 ) -> tuple[Counter[tuple[str, str, int]], float]:
    """{(script, function, line): self time in ms} of one load of `url` in a new page of
    `context`, and the page's ms to ready as it measured them."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": SAMPLING_US})
    cdp.send("Profiler.start")
    page.goto(url, wait_until="commit")
    ready = wait_until_ready(page)
    profile = cdp.send("Profiler.stop")["profile"]
    frames = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    self_time: Counter[tuple[str, str, int]] = Counter()
    # timeDeltas[i] is the time before samples[i] (Chrome DevTools Protocol, Profiler.Profile).
    for node_id, delta_us in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = frames[node_id]
        self_time[_script_name(frame), frame["functionName"], frame["lineNumber"] + 1] += delta_us / 1000
    page.close()
    return self_time, ready


def profile_first_visits(browser: Any, site_url: str, pages: dict[str, str], runs: int,
                         wait_until_ready: Callable[[Any], float]) -> dict[str, Any]:
    """{page: {"ready": median ms, "scripts": [(script, ms)], "functions": [(label, ms)]}}:
    self time averaged over `runs` first visits; `pages` is {name: path}."""
    results: dict[str, Any] = {}
    for name, path in pages.items():
        total: Counter[tuple[str, str, int]] = Counter()
        readies = []
        for _ in range(runs):
            context = browser.new_context()
            try:
                self_time, ready = profile_page(context, site_url + path, wait_until_ready)
            finally:
                context.close()
            total.update(self_time)
            readies.append(ready)
        by_script: Counter[str] = Counter()
        for (script, _, _), ms in total.items():
            by_script[script] += ms
        results[name] = {
            "ready": round(median(readies), 1),
            "scripts": [(script, round(ms / runs, 1)) for script, ms in by_script.most_common()],
            "functions": [(_function_label(script, function, line), round(ms / runs, 1))
                          for (script, function, line), ms in total.most_common(15)],
        }
    return results


def profile_table(results: dict[str, Any], runs: int) -> str:
    lines = [f"Self time per first visit, ms, the mean of {runs} profiled runs (sampling every "
             f"{SAMPLING_US} us)"]
    for name, result in results.items():
        profiled = sum(ms for _, ms in result["scripts"] if ms)
        lines.append(f"{name}: ready at {result['ready']:.0f} ms under the profiler, "
                     f"{profiled:.0f} ms sampled")
        lines += [f"  {ms:8.1f}  {script}" for script, ms in result["scripts"][:8]]
        lines.append("  top functions:")
        lines += [f"  {ms:8.1f}  {label}" for label, ms in result["functions"]]
    return "\n".join(lines)
