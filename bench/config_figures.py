"""Figures for the desired-state file's loader: how long `import helpers.config` takes, how
long loading the example takes, and how long a whole process takes to report a config error
(the runbook's CLI must do that in under 0.5 s). Each figure is the best and the median of
fresh interpreters, in wall time and in CPU time (user + system): on a shared machine the
CPU time is the steadier of the two.

    .venv/bin/python bench/config_figures.py [--runs 9]
"""

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "runbook" / "org.example.yaml"

TIMED = """
import sys, time
clocks = (time.perf_counter, time.process_time)
start = [clock() for clock in clocks]
import helpers.config
imported = [clock() for clock in clocks]
helpers.config.load_config(sys.argv[1])
loaded = [clock() for clock in clocks]
for _ in range(20):
    helpers.config.load_config(sys.argv[1])
again = [(clock() - at) / 20 for clock, at in zip(clocks, loaded)]
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"boto3", "botocore", "moto"})
for a, b in [(start, imported), (imported, loaded)]:
    print(b[0] - a[0], b[1] - a[1], end=" ")
print(*again, ",".join(heavy) or "-")
"""

REFUSE = """
import sys
from helpers.config import ConfigError, load_config
try:
    load_config(sys.argv[1])
except ConfigError as error:
    print(f"error: {error}", file=sys.stderr)
    sys.exit(2)
"""


def best_and_median(values: list[float]) -> str:
    return f"{min(values) * 1000:5.0f} ms best, {statistics.median(values) * 1000:5.0f} median"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    bad = Path("/tmp") / "org-kit-bench-nul.yaml"
    bad.write_text(EXAMPLE.read_text().replace("home_region: ", "home_region: \0", 1))
    typo = Path("/tmp") / "org-kit-bench-typo.yaml"
    typo.write_text(EXAMPLE.read_text().replace("ou: Workloads/Dev", "ou: Workload/Dev", 1))
    names = [
        "import helpers.config",
        "load_config(example), first",
        "load_config(example), again",
        "process: refuse a bad file (NUL byte)",
        "process: refuse the example with a typo",
    ]
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    heavy = set()
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", TIMED, str(EXAMPLE)], capture_output=True, text=True, check=True
        ).stdout.split()
        for index, name in enumerate(names[:3]):
            wall[name].append(float(out[2 * index]))
            cpu[name].append(float(out[2 * index + 1]))
        heavy.add(out[6])
        for name, path in zip(names[3:], [bad, typo], strict=True):
            start, spent = time.perf_counter(), children_cpu()
            subprocess.run([sys.executable, "-c", REFUSE, str(path)], capture_output=True)
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(children_cpu() - spent)
    print(f"{runs} fresh interpreters each ({sys.executable}); wall time | CPU time")
    for name in names:
        print(f"  {name:<40} {best_and_median(wall[name])} | {best_and_median(cpu[name])}")
    print(f"  heavy packages imported by import + load: {', '.join(sorted(heavy))}")


if __name__ == "__main__":
    main()
