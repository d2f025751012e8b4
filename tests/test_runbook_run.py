"""Runs of the fixture notebooks: summary.json, report.html, failures, refusals, exit codes.

The fixture notebooks in fixtures/notebooks write their own step.json and make no AWS call;
those in fixtures/kit_steps open a kit and call the sandbox (all numbered 00: no step needs
to have run before them). Runs name the session's sandbox (`--endpoint`), whose management
account the runbook checks before the first step.
"""

import json
import os
import shutil
import socket
from pathlib import Path

import pytest
import yaml

from runbook import cli, execute
from runbook.execute import run
from runbook.steps import DEFAULT_CONFIG
from tests.conftest import requests_received

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
KIT_STEPS = FIXTURES.parent / "kit_steps"


def notebooks(folder: Path, *stems: str) -> Path:
    """A notebooks folder holding only the given fixture steps."""
    folder.mkdir()
    for stem in stems:
        found = FIXTURES / f"{stem}.ipynb"
        shutil.copy(found if found.exists() else KIT_STEPS / f"{stem}.ipynb", folder)
    return folder


def kernel_children() -> list[int]:
    """This process's child processes that are Jupyter kernels."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if f"PPid:\t{os.getpid()}\n" in status and b"ipykernel" in cmdline:
            pids.append(int(entry.name))
    return pids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def good_run(sandbox, tmp_path_factory):
    """One applied run of steps 00-02 against the sandbox target."""
    tmp = tmp_path_factory.mktemp("good")
    folder = notebooks(tmp / "notebooks", "00_single_account", "01_organization", "02_sandbox_only")
    summary = run(endpoint_url=sandbox.url, out=tmp / "runs", notebooks_dir=folder)
    return summary, tmp / "runs" / summary["run_id"], folder


def test_summary_has_the_contract_shape(good_run):
    summary, run_dir, _ = good_run
    assert set(summary) == {
        "run_id",
        "target",
        "status",
        "error",
        "started",
        "finished",
        "steps",
        "totals",
        "scorecard",
    }
    assert (summary["target"], summary["status"], summary["error"]) == ("sandbox", "ok", "")
    assert summary["started"].endswith("Z") and summary["finished"] >= summary["started"]
    assert [s["step"] for s in summary["steps"]] == [
        "00_single_account",
        "01_organization",
        "02_sandbox_only",
    ]
    first = summary["steps"][0]
    assert set(first) == {
        "step", "notebook", "status", "seconds", "calls", "changes", "todo", "error"
    }  # fmt: skip
    assert first["status"] == "ok" and first["notebook"] == "00_single_account.ipynb"
    assert first["calls"] == {"read": 2, "write": 1}
    change = {"action": "create", "resource": "bucket <logs>", "detail": "a & b"}
    assert first["changes"] == [change]
    # the steps' calls and the runbook's own sts:GetCallerIdentity of the management account
    assert summary["totals"]["calls"] == {"read": 6 + 1, "write": 3}
    assert summary["totals"]["changes"] == 1 and summary["scorecard"] is None
    assert json.loads((run_dir / "summary.json").read_text()) == summary


def test_the_run_folder_keeps_executed_notebooks_and_step_outputs(good_run):
    summary, run_dir, _ = good_run
    assert run_dir.name == summary["run_id"]
    for step in summary["steps"]:
        assert (run_dir / step["notebook"]).exists()
        assert (run_dir / step["step"] / "step.json").exists()


def test_the_parameters_reach_the_notebook(good_run, sandbox):
    _, run_dir, folder = good_run
    record = json.loads((run_dir / "00_single_account" / "step.json").read_text())
    parameters = json.loads(record["exhibits"][2]["body"])
    assert parameters == {
        "config_path": str(DEFAULT_CONFIG),
        "target": "sandbox",
        "endpoint_url": sandbox.url,
        "profile": "",
        "apply": True,
        "run_dir": str(run_dir),
        "cwd": str(folder.resolve()),
    }


def test_each_step_starts_with_an_empty_namespace(good_run):
    """The steps share a kernel: what a step defined is gone in the next one (fixture step
    01 asserts that step 00's `folder` is), and its cells count from 1 again."""
    summary, run_dir, _ = good_run
    assert summary["steps"][1]["status"] == "ok"
    for name in ("00_single_account", "01_organization"):
        executed = json.loads((run_dir / f"{name}.ipynb").read_text())
        counts = [c["execution_count"] for c in executed["cells"] if c["cell_type"] == "code"]
        assert counts == list(range(1, len(counts) + 1))


def test_the_report_shows_every_step_with_inline_svg_and_escaped_text(good_run):
    summary, run_dir, _ = good_run
    html = (run_dir / "report.html").read_text()
    for step in summary["steps"]:
        assert f"id='{step['step']}'" in html
        assert f"href='{step['notebook']}'" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html and "<b>bold</b>" not in html
    assert "bucket &lt;logs&gt;" in html
    assert "<script" not in html and "<link" not in html and "src=" not in html


def test_kernels_are_shut_down(good_run):
    assert kernel_children() == []


def test_plan_records_planned_steps(sandbox, tmp_path):
    folder = notebooks(tmp_path / "notebooks", "01_organization")
    summary = run(endpoint_url=sandbox.url, apply=False, out=tmp_path, notebooks_dir=folder)
    assert [(s["status"], s["calls"]["write"]) for s in summary["steps"]] == [("planned", 0)]
    assert summary["status"] == "planned"


def test_a_failing_step_stops_the_run_with_exit_1(sandbox, tmp_path, capsys):
    folder = notebooks(tmp_path / "notebooks", "00_single_account", "03_fails", "04_no_record")
    args = ["--endpoint", sandbox.url, "--out", str(tmp_path / "runs"), "--notebooks", str(folder)]
    code = cli.main(["run", *args])
    out, err = capsys.readouterr()
    assert code == 1
    assert "step 03_fails failed in cell 4: ValueError: the <account> is not ready" in err
    [run_dir] = (tmp_path / "runs").iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert [(s["step"], s["status"]) for s in summary["steps"]] == [
        ("00_single_account", "ok"),
        ("03_fails", "failed"),
    ]
    assert summary["status"] == "failed" and "the <account> is not ready" in summary["error"]
    executed = json.loads((run_dir / "03_fails.ipynb").read_text())
    errors = [o["ename"] for c in executed["cells"] for o in c.get("outputs", []) if "ename" in o]
    assert errors == ["ValueError"]
    html = (run_dir / "report.html").read_text()
    assert "the &lt;account&gt; is not ready" in html
    assert f"report: {tmp_path / 'runs' / run_dir.name / 'report.html'}" in out
    assert [line.split()[0] for line in out.splitlines()[:3]] == ["ok", "create", "failed"]
    assert kernel_children() == []


def test_a_failed_step_keeps_the_calls_changes_and_to_dos_it_made(sandbox, tmp_path):
    folder = notebooks(tmp_path / "notebooks", "00_writes_then_fails")
    summary = run(endpoint_url=sandbox.url, out=tmp_path, notebooks_dir=folder)
    [step] = summary["steps"]
    assert step["status"] == "failed"
    assert "failed in cell 5: RuntimeError: the queue is not ready" in step["error"]
    assert step["calls"]["write"] == 1  # sqs:CreateQueue, before the failing cell
    assert step["changes"] == [{"action": "create", "resource": "queue kit-fixture", "detail": ""}]
    assert step["todo"] == ["accept the <invitation> in account 444455556666"]
    html = (tmp_path / summary["run_id"] / "report.html").read_text()
    assert "queue kit-fixture" in html and "accept the &lt;invitation&gt;" in html


def test_to_dos_reach_the_summary_and_the_report(sandbox, tmp_path, capsys):
    folder = notebooks(tmp_path / "notebooks", "00_asks")
    args = ["--endpoint", sandbox.url, "--out", str(tmp_path), "--notebooks", str(folder)]
    assert cli.main(["run", *args]) == 0
    out = capsys.readouterr().out
    [run_dir] = [p for p in tmp_path.iterdir() if p.name != "notebooks"]
    [step] = json.loads((run_dir / "summary.json").read_text())["steps"]
    assert (step["status"], step["calls"]) == ("ok", {"read": 1, "write": 0})
    assert step["todo"] == ["accept the <invitation> in account 444455556666"]
    html = (run_dir / "report.html").read_text()
    assert "To do by you" in html and "accept the &lt;invitation&gt; in account" in html
    assert "to do by you: accept the <invitation> in account 444455556666" in out


def test_a_step_without_step_json_fails(sandbox, tmp_path):
    folder = notebooks(tmp_path / "notebooks", "04_no_record")
    summary = run(endpoint_url=sandbox.url, out=tmp_path, notebooks_dir=folder)
    assert summary["steps"][0]["status"] == "failed"
    html = (tmp_path / summary["run_id"] / "report.html").read_text()
    assert "without writing its step.json" in html


def test_a_bad_config_is_refused_before_anything_starts(tmp_path, monkeypatch, capsys):
    config = yaml.safe_load(DEFAULT_CONFIG.read_text())
    config["management_account"]["id"] = 1234
    config["home_region"] = "eu-centrall-1"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(config))

    def forbidden(*args, **kwargs):
        raise AssertionError("nothing may start or call AWS with a bad config")

    monkeypatch.setattr(execute, "connect", forbidden)
    monkeypatch.setattr(execute, "check_account", forbidden)
    for target in ("sandbox", "aws"):
        args = ["run", "--config", str(tmp_path / "bad.yaml"), "--target", target]
        assert cli.main([*args, "--out", str(tmp_path / "runs")]) == 2
        err = capsys.readouterr().err
        assert "management_account.id" in err and "home_region" in err
    assert not (tmp_path / "runs").exists()


def test_another_management_account_is_refused_on_the_sandbox_too(sandbox, tmp_path, capsys):
    config = yaml.safe_load(DEFAULT_CONFIG.read_text())
    config["management_account"]["id"] = "111122223333"
    (tmp_path / "org.yaml").write_text(yaml.safe_dump(config))
    before = requests_received(sandbox.url)
    args = ["--config", str(tmp_path / "org.yaml"), "--endpoint", sandbox.url]
    assert cli.main(["run", *args, "--out", str(tmp_path / "runs")]) == 2
    assert (
        "the sandbox's management credentials reach account 123456789012, but the config's "
        "management_account.id is 111122223333"
    ) in capsys.readouterr().err
    assert requests_received(sandbox.url) - before == 1  # sts:GetCallerIdentity, nothing else
    assert not (tmp_path / "runs").exists()


def test_an_endpoint_where_nothing_listens_is_named_at_once(tmp_path, capsys):
    dead = f"http://127.0.0.1:{free_port()}"
    args = ["run", "--endpoint", dead, "--out", str(tmp_path / "runs")]
    folder = notebooks(tmp_path / "notebooks", "00_single_account")
    assert cli.main([*args, "--notebooks", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"no sandbox answers at {dead}" in err and "--endpoint" in err
    assert not (tmp_path / "runs").exists()


def test_an_unknown_step_is_refused_with_exit_2(sandbox, tmp_path, capsys):
    args = ["--only", "99", "--endpoint", sandbox.url, "--out", str(tmp_path)]
    assert cli.main(["run", *args]) == 2
    assert "unknown step '99'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["--only", "--from"])
@pytest.mark.parametrize("ref", ["10", "cleanup", "10_cleanup"])
def test_the_clean_up_step_points_at_teardown(sandbox, tmp_path, capsys, option, ref):
    args = [option, ref, "--endpoint", sandbox.url, "--out", str(tmp_path)]
    assert cli.main(["run", *args]) == 2
    assert "is the clean-up: run it with `python -m runbook teardown`" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_later_steps_are_refused_on_a_sandbox_where_the_earlier_never_ran(tmp_path, capsys):
    folder = notebooks(tmp_path / "notebooks", "00_single_account", "01_organization")
    with pytest.raises(execute.RunbookError, match="sandbox started for this run alone.*00 never"):
        run(only="01", out=tmp_path / "runs", notebooks_dir=folder)
    args = ["--fresh", "--from", "01", "--out", str(tmp_path / "runs"), "--notebooks", str(folder)]
    assert cli.main(["run", *args]) == 2
    assert "a sandbox reset by --fresh, where steps 00 never ran" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def test_plan_takes_no_apply_flag():
    with pytest.raises(SystemExit) as exit_:
        cli.main(["plan", "--apply"])
    assert exit_.value.code == 2


@pytest.mark.journey  # a runbook run, end to end
def test_without_a_kept_sandbox_the_run_starts_one_and_stops_it(tmp_path):
    folder = notebooks(tmp_path / "notebooks", "00_single_account")
    summary = run(out=tmp_path, notebooks_dir=folder)
    run_dir = tmp_path / summary["run_id"]
    record = json.loads((run_dir / "00_single_account" / "step.json").read_text())
    url = json.loads(record["exhibits"][2]["body"])["endpoint_url"]
    assert url.startswith("http://127.0.0.1:")
    with pytest.raises(OSError):  # stopped at the end of the run
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=1).close()


def test_plan_prints_each_steps_first_changes(capsys):
    changes = [{"action": "create", "resource": f"account a{n}", "detail": ""} for n in range(7)]
    changes[0]["detail"] = "a0@example.com"
    step = {"step": "02_accounts", "status": "planned", "seconds": 1.0, "todo": []}
    step |= {"calls": {"read": 3, "write": 0}, "changes": changes}
    summary = {"run_id": "r1", "status": "planned", "steps": [step], "error": ""}
    cli.report(summary | {"scorecard": None}, Path("runs"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "planned", "1.00s", "3", "reads", "0", "writes", "7", "changes", "02_accounts"
    ]  # fmt: skip
    assert [line.strip() for line in lines[1:7]] == [
        "create account a0 (a0@example.com)",
        "create account a1",
        "create account a2",
        "create account a3",
        "create account a4",
        "... 2 more (7 planned)",
    ]
