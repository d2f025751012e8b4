"""Print the kit's figures at scale: a synthetic organization of N member accounts, planned.

    .venv/bin/python bench/scale.py --accounts 100 300 1000 [--creation 20]

For each size, a sandbox of its own (`python -m runbook sandbox`, so its memory is its own)
holds an organization built by the runbook itself: a config listing N member accounts (the
example's four, and app-NNNN accounts in Workloads/Dev and Workloads/Prod) is applied with
steps 01-07, CreateAccount finishing at once and the account quota raised. Every account is
a real moto account, created through CreateAccount, reachable through its
OrganizationAccountAccessRole, placed in its OU, given its assignments and its baseline
stack. Then `runbook plan` runs steps 00-09 and the figures are printed: the plan's seconds,
step 09's (the scorecard), step 06's and its proof matrix alone, calls per member account
(the whole plan and the scorecard), and the sandbox process's peak memory; each also per
member account, so that linear growth shows as a constant.

`--creation N` (default 20, 0 to skip) also times step 02's account creation against a
sandbox whose CreateAccount takes `--create-account-seconds` (default 2): AWS allows five in
flight, so the ideal is ceil(N/5) times that.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

import runbook
from helpers import accounts, guardrails, organization
from helpers.config import load_config
from helpers.kit import Kit
from helpers.sandbox import SANDBOX_REGION, Sandbox
from helpers.targets import Target
from runbook.execute import DEFAULT_CONFIG

BUILD_STEPS = tuple(f"{n:02d}" for n in range(1, 8))  # 01-07 make the organization
OUS = ("Workloads/Dev", "Workloads/Prod")


def synthetic_config(members: int, folder: Path) -> Path:
    """The example config with `members` member accounts (at least the example's four)."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text())
    extra = [
        {"name": f"app-{n:04d}", "email": f"app-{n:04d}@example.com", "ou": OUS[n % 2]}
        for n in range(len(data["accounts"]), members)
    ]
    data["accounts"] += extra
    path = folder / f"org-{members}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _kit_json(url: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(f"{url}{path}", data=data, timeout=30) as response:
        return json.load(response)


@contextlib.contextmanager
def sandbox_process():
    """A sandbox in a process of its own (`python -m runbook sandbox`): (url, pid)."""
    command = [sys.executable, "-m", "runbook", "sandbox"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        # it prints the environment to export once it is seeded
        found = (line for line in process.stdout if line.startswith("export AWS_ENDPOINT_URL="))
        line = next(found, None)
        if line is None:
            raise RuntimeError("the sandbox did not start")
        yield shlex.split(line.partition("=")[2])[0], process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def peak_mib(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def cpu_seconds(sandbox_pid: int) -> float:
    """CPU seconds used so far by the sandbox and by the step kernels that have ended (the
    steadier figure on a shared machine)."""
    fields = Path(f"/proc/{sandbox_pid}/stat").read_text().rsplit(")", 1)[1].split()
    sandbox = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    kernels = resource.getrusage(resource.RUSAGE_CHILDREN)
    return sandbox + kernels.ru_utime + kernels.ru_stime


def _steps(summary: dict) -> dict[str, dict]:
    failed = [s for s in summary["steps"] if s["status"] == "failed"]
    if failed:
        raise RuntimeError(f"{failed[0]['step']} failed: {failed[0].get('error')}")
    return {s["step"][:2]: s for s in summary["steps"]}


def proof_seconds(url: str, config: Path, run_dir: Path) -> float:
    """Step 06's proof matrix alone (no AWS calls: the evaluator over every account)."""
    cfg = load_config(config)
    kit = Kit("06_guardrails", cfg, Target.sandbox(url, cfg.home_region), False, run_dir)
    plan = guardrails.prepare(kit)
    started = time.perf_counter()
    guardrails.proof(kit, plan).table()
    return time.perf_counter() - started


def measure(members: int, folder: Path) -> dict:
    config = synthetic_config(members, folder)
    with sandbox_process() as (url, pid):
        _kit_json(
            url, "/_kit/settings", {"create_account_seconds": 0, "account_quota": members + 5}
        )
        started = time.perf_counter()
        quiet = contextlib.redirect_stderr(io.StringIO())
        with quiet:
            _steps(
                runbook.run(
                    config, endpoint_url=url, out=folder, numbers=BUILD_STEPS, step_timeout=0
                )
            )
        built = time.perf_counter() - started
        before = _kit_json(url, "/_kit/stats")["requests"]
        started, cpu = time.perf_counter(), cpu_seconds(pid)
        with quiet:
            steps = _steps(
                runbook.run(config, endpoint_url=url, out=folder, apply=False, step_timeout=0)
            )
        planned, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu
        requests = _kit_json(url, "/_kit/stats")["requests"] - before
        proof = proof_seconds(url, config, folder)
        memory = peak_mib(pid)
    writes = sum(s["calls"]["write"] for s in steps.values())
    assert writes == 0, f"the plan made {writes} write calls"
    return {
        "members": members,
        "build": built,
        "plan": planned,
        "cpu": cpu,
        "scorecard": steps["09"]["seconds"],
        "step06": steps["06"]["seconds"],
        "proof": proof,
        "calls": requests,
        "scorecard_calls": sum(steps["09"]["calls"].values()),
        "memory": memory,
        "steps": {n: s["seconds"] for n, s in steps.items()},
    }


def creation(count: int, seconds: float, folder: Path) -> tuple[float, float]:
    """Seconds step 02 takes to create `count` accounts, and the ideal ceil(N/5) * L."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text())
    data["accounts"] = [
        {"name": f"new-{n:02d}", "email": f"new-{n:02d}@example.com", "ou": "Workloads/Dev"}
        for n in range(count)
    ]
    data.pop("trail"), data.pop("identity_center"), data.pop("cross_account")
    data.pop("guardrails"), data.pop("governance")
    path = folder / "creation.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    config = load_config(path)
    with Sandbox(create_account_seconds=seconds, account_quota=count + 1) as sandbox:
        kit = Kit("02", config, Target.sandbox(sandbox.url, SANDBOX_REGION), True, folder)
        organization.ensure_organization(kit)
        started = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            created = accounts.ensure_accounts(kit)
        took = time.perf_counter() - started
    assert all(created.values()), created
    return took, math.ceil(count / accounts.MAX_IN_FLIGHT) * seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="*", default=[100, 300, 1000])
    parser.add_argument("--creation", type=int, default=20)
    parser.add_argument("--create-account-seconds", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.creation:
            took, ideal = creation(args.creation, args.create_account_seconds, folder)
            print(
                f"step 02 creates {args.creation} accounts of {args.create_account_seconds:g}s "
                f"each in {took:.1f}s; ideal ceil(N/5)*L = {ideal:.1f}s; ratio {took / ideal:.2f}"
            )
        rows = []
        for members in args.accounts:
            rows.append(measure(members, folder))
            _print(rows)


def _print(rows: list[dict]) -> None:
    """The table so far: totals, then per member account."""
    print(
        "\nsynthetic organization, `runbook plan` over steps 00-09 (seconds; CPU: the sandbox's "
        "and the step kernels'; calls: AWS requests the sandbox received; memory: the "
        f"sandbox's peak; load average now {os.getloadavg()[0]:.1f})"
    )
    head = (
        f"{'members':>8}{'build':>9}{'plan':>9}{'CPU':>8}{'09 score':>10}{'06 step':>9}{'proof':>8}"
        f"{'calls':>9}{'09 calls':>10}{'peak MiB':>10}"
        f" |{'plan ms':>9}{'CPU ms':>8}{'09 ms':>8}{'proof ms':>9}{'calls':>7}{'09 calls':>9}"
        f"{'MiB':>7}"
    )
    print(head + "\n" + "-" * len(head))
    for r in rows:
        n = r["members"]
        print(
            f"{n:>8}{r['build']:>9.1f}{r['plan']:>9.1f}{r['cpu']:>8.1f}{r['scorecard']:>10.1f}"
            f"{r['step06']:>9.1f}{r['proof']:>8.2f}{r['calls']:>9}{r['scorecard_calls']:>10}"
            f"{r['memory']:>10.0f} |{1000 * r['plan'] / n:>9.0f}{1000 * r['cpu'] / n:>8.0f}"
            f"{1000 * r['scorecard'] / n:>8.0f}"
            f"{1000 * r['proof'] / n:>9.1f}{r['calls'] / n:>7.1f}{r['scorecard_calls'] / n:>9.1f}"
            f"{r['memory'] / n:>7.2f}"
        )
    last = rows[-1]
    print(
        "steps of the last plan (s): " + ", ".join(f"{k} {v:.1f}" for k, v in last["steps"].items())
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
