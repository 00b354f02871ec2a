"""Cold-start import cost of each function, against the cost of its third-party libraries alone.

    python -m bench.coldstart [--runs 7] [--jobs N] [--function NAME ...]

For each function of the catalog it starts fresh interpreters (as Lambda starts a new
execution environment) and times, inside the child with time.perf_counter:

- the handler: `import functions.<folder>.<module>`, as Lambda's init phase does;
- the third-party libraries alone: every module from outside the repository and the standard
  library that importing the handler loaded, imported in the same order, and nothing else.

It prints the median of each over `--runs` interpreters, their ratio (how much the
repository's own code adds to what its libraries cost anyway) and the peak RSS of the child
after importing the handler. The children run with the local platform's environment and with
network connections refused, so an import that calls AWS fails instead of being timed; that
first, untimed import also writes the bytecode caches.

Interpreter start-up is not in these figures: it is printed once, below the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEARCH_PATH = [str(ROOT), str(ROOT / "layers" / "core" / "python")]
MIN_RUNS = 5

# Run in a child: import the handler with the network refused, then list the modules it loaded
# from outside the standard library and the repository, in the order they were loaded.
_DISCOVER = """
import importlib, json, site, sys
sys.path[:0] = {search_path!r}

def _refuse_network(event, args):
    if event in ("socket.connect", "socket.getaddrinfo"):
        raise RuntimeError(f"importing the handler reached for the network: {{event}} {{args!r}}")

sys.addaudithook(_refuse_network)
before = set(sys.modules)
handler = getattr(importlib.import_module({module!r}), {attribute!r})
assert callable(handler), "the handler is not callable"
roots = [root + "/" for root in site.getsitepackages() + [site.getusersitepackages()]]

def origin(name):
    module = sys.modules.get(name.split(".")[0])
    path = getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", []) or []), None)
    return str(path) if path else ""

# Installed packages only (a virtualenv inside the repository counts as installed, the repository's
# own packages never do, editable installs included: they resolve to the repository)
third_party = [
    name for name in sys.modules
    if name not in before
    and name.split(".")[0] not in sys.stdlib_module_names
    and any(origin(name).startswith(root) for root in roots)
]
print(json.dumps(third_party))
"""

# Run in a child: time importing the given modules, then report the peak resident set size.
# VmHWM, not getrusage: on Linux ru_maxrss carries the parent's peak over fork and exec.
_TIME = """
import importlib, json, resource, sys, time
sys.path[:0] = {search_path!r}
names = {names!r}
start = time.perf_counter()
for name in names:
    try:
        importlib.import_module(name)
    except ImportError:
        if {strict!r}:
            raise
elapsed = time.perf_counter() - start
try:
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except OSError:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"ms": elapsed * 1000, "rss_mb": peak_kb / 1024}}))
"""


@dataclass(frozen=True)
class Sample:
    ms: float
    rss_mb: float


@dataclass(frozen=True)
class Measurement:
    functions: tuple[str, ...]  # functions that share this handler module
    module: str
    packages: tuple[str, ...]  # top-level third-party packages
    handler: tuple[Sample, ...]
    third_party: tuple[Sample, ...]

    @property
    def handler_ms(self) -> float:
        return statistics.median(s.ms for s in self.handler)

    @property
    def third_party_ms(self) -> float:
        return statistics.median(s.ms for s in self.third_party)

    @property
    def fastest_ratio(self) -> float:
        """Other load on the machine only ever adds time: the fastest runs are the least disturbed."""
        return min(s.ms for s in self.handler) / min(s.ms for s in self.third_party)

    @property
    def rss_mb(self) -> float:
        return statistics.median(s.rss_mb for s in self.handler)

    @property
    def third_party_rss_mb(self) -> float:
        return statistics.median(s.rss_mb for s in self.third_party)


def child_environment() -> dict[str, str]:
    """The local platform's function environment, with AWS pointed at a closed loopback port."""
    from local.services import LocalNames, function_environment

    closed = "http://127.0.0.1:9"
    local = function_environment(
        LocalNames(), moto_url=closed, public_url=closed, websocket_url="ws://127.0.0.1:9", callback_url=closed
    )
    return {**os.environ, **local}


def _python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}):\n{done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


def discover(module: str, attribute: str, env: dict[str, str]) -> list[str]:
    code = _DISCOVER.format(search_path=SEARCH_PATH, module=module, attribute=attribute)
    names: list[str] = json.loads(_python(code, env))
    return names


def time_imports(names: Sequence[str], env: dict[str, str], *, strict: bool) -> Sample:
    sample = json.loads(_python(_TIME.format(search_path=SEARCH_PATH, names=list(names), strict=strict), env))
    return Sample(ms=float(sample["ms"]), rss_mb=float(sample["rss_mb"]))


def measure(function_names: Iterable[str] | None, runs: int, jobs: int) -> tuple[list[Measurement], Sample]:
    from deskless.catalog import FUNCTIONS

    env = child_environment()
    wanted = [f for f in FUNCTIONS if function_names is None or f.name in set(function_names)]
    modules: dict[str, list[str]] = {}
    attributes: dict[str, str] = {}
    for function in wanted:
        modules.setdefault(function.module, []).append(function.name)
        attributes[function.module] = function.attribute

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # Discovery imports each handler once, untimed, and so writes the bytecode caches too
        found = dict(zip(modules, pool.map(lambda m: discover(m, attributes[m], env), modules), strict=True))

        tasks: list[tuple[str, str]] = []
        for _ in range(runs):  # interleaved, so load on the machine falls on both alike
            for module in modules:
                tasks += [(module, "handler"), (module, "third_party")]

        def run(task: tuple[str, str]) -> Sample:
            module, kind = task
            if kind == "handler":
                return time_imports([module], env, strict=True)
            return time_imports(found[module], env, strict=False)

        samples = list(pool.map(run, tasks))
        bare = [time_imports([], env, strict=True) for _ in range(runs)]

    results = []
    for module, names in modules.items():
        mine = [s for (m, kind), s in zip(tasks, samples, strict=True) if m == module and kind == "handler"]
        theirs = [s for (m, kind), s in zip(tasks, samples, strict=True) if m == module and kind == "third_party"]
        packages = tuple(dict.fromkeys(name.split(".")[0] for name in found[module]))
        results.append(Measurement(tuple(names), module, packages, tuple(mine), tuple(theirs)))
    baseline = Sample(ms=statistics.median(s.ms for s in bare), rss_mb=statistics.median(s.rss_mb for s in bare))
    return results, baseline


def interpreter_startup_ms(runs: int, env: dict[str, str]) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], cwd=ROOT, env=env, check=True)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def report(
    results: Sequence[Measurement], baseline: Sample, *, runs: int, jobs: int, startup_ms: float, load: float
) -> str:
    lines = [
        f"Cold-start imports: median of {runs} fresh interpreters each (Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, {jobs} at a time, load average {load:.1f} before the run)",
        "",
        "| function | handler import ms (median) | third-party alone ms (median) | ratio "
        "| ratio of fastest runs | peak RSS MB | third-party alone peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        lines.append(
            f"| {', '.join(m.functions)} | {m.handler_ms:.0f} | {m.third_party_ms:.0f} "
            f"| {m.handler_ms / m.third_party_ms:.2f} | {m.fastest_ratio:.2f} "
            f"| {m.rss_mb:.1f} | {m.third_party_rss_mb:.1f} |"
        )
    lines += [
        "",
        f"Bare interpreter: start-up {startup_ms:.0f} ms (wall clock, not in the figures above), "
        f"peak RSS {baseline.rss_mb:.1f} MB.",
        "",
        "Third-party packages each handler loads:",
        "",
    ]
    lines += [f"- {', '.join(m.functions)} (`{m.module}`): {', '.join(m.packages) or 'none'}" for m in results]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coldstart", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help=f"fresh interpreters per figure (at least {MIN_RUNS})")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="interpreters at a time")
    parser.add_argument("--function", action="append", help="only this function (repeatable)")
    args = parser.parse_args(argv)
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS} for a median worth printing")
    started, load = time.perf_counter(), os.getloadavg()[0]
    results, baseline = measure(args.function, args.runs, max(1, args.jobs))
    if not results:
        parser.error("no such function in the catalog")
    startup = interpreter_startup_ms(args.runs, child_environment())
    print(report(results, baseline, runs=args.runs, jobs=max(1, args.jobs), startup_ms=startup, load=load))
    print(f"\n(measured in {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
