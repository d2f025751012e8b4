"""Figures for the desired-state file's loader: how long `import helpers.config` takes, how
long loading the example takes, and how long a whole process takes to report a config error
(the runbook's CLI must do that in under 0.5 s). Each figure is the best and the median of
fresh interpreters (the machine is shared: the best is the least disturbed).

    .venv/bin/python bench/config_figures.py [--runs 9]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "runbook" / "org.example.yaml"

TIMED = """
import sys, time
start = time.perf_counter()
import helpers.config
imported = time.perf_counter()
helpers.config.load_config(sys.argv[1])
loaded = time.perf_counter()
for _ in range(20):
    helpers.config.load_config(sys.argv[1])
again = (time.perf_counter() - loaded) / 20
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"boto3", "botocore", "moto"})
print(imported - start, loaded - imported, again, ",".join(heavy) or "-")
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
    return f"{min(values) * 1000:6.0f} ms best, {statistics.median(values) * 1000:6.0f} ms median"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    bad = Path("/tmp") / "org-kit-bench-nul.yaml"
    bad.write_text(EXAMPLE.read_text().replace("home_region: ", "home_region: \0", 1))
    figures: dict[str, list[float]] = {
        "import helpers.config": [],
        "load_config(example), first": [],
        "load_config(example), again": [],
        "process: refuse a bad file (NUL byte)": [],
        "process: refuse the example with a typo": [],
    }
    typo = Path("/tmp") / "org-kit-bench-typo.yaml"
    typo.write_text(EXAMPLE.read_text().replace("ou: Workloads/Dev", "ou: Workload/Dev", 1))
    heavy = set()
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", TIMED, str(EXAMPLE)], capture_output=True, text=True, check=True
        ).stdout.split()
        figures["import helpers.config"].append(float(out[0]))
        figures["load_config(example), first"].append(float(out[1]))
        figures["load_config(example), again"].append(float(out[2]))
        heavy.add(out[3])
        for name, path in [("a bad file (NUL byte)", bad), ("the example with a typo", typo)]:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", REFUSE, str(path)], capture_output=True)
            figures[f"process: refuse {name}"].append(time.perf_counter() - start)
    print(f"{runs} fresh interpreters each ({sys.executable})")
    for name, values in figures.items():
        print(f"  {name:<42} {best_and_median(values)}")
    print(f"  heavy packages imported by import + load: {', '.join(sorted(heavy))}")


if __name__ == "__main__":
    main()
