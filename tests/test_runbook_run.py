"""Runs of the fixture notebooks: summary.json, report.html, failures, skips, exit codes.

The fixture notebooks write their own step.json and make no AWS call, so most runs name an
endpoint (`NO_SANDBOX`) instead of starting a sandbox; one test starts the real one.
"""

import json
import os
import shutil
import socket
from functools import partial
from pathlib import Path

import pytest
import yaml

from runbook import cli, execute
from runbook.execute import DEFAULT_CONFIG, run

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
NO_SANDBOX = "http://127.0.0.1:9"  # named so that no sandbox starts; nothing calls it


def notebooks(folder: Path, *stems: str) -> Path:
    """A notebooks folder holding only the given fixture steps."""
    folder.mkdir()
    for stem in stems:
        shutil.copy(FIXTURES / f"{stem}.ipynb", folder)
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


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    """One applied run of steps 00-02 against the sandbox target."""
    tmp = tmp_path_factory.mktemp("good")
    folder = notebooks(tmp / "notebooks", "00_single_account", "01_organization", "02_sandbox_only")
    summary = run(DEFAULT_CONFIG, endpoint_url=NO_SANDBOX, out=tmp / "runs", notebooks_dir=folder)
    return summary, tmp / "runs" / summary["run_id"], folder


def test_summary_has_the_contract_shape(good_run):
    summary, run_dir, _ = good_run
    assert set(summary) == {"run_id", "target", "started", "finished", "steps", "totals"}
    assert summary["target"] == "sandbox"
    assert summary["started"].endswith("Z") and summary["finished"] >= summary["started"]
    assert [s["step"] for s in summary["steps"]] == [
        "00_single_account",
        "01_organization",
        "02_sandbox_only",
    ]
    first = summary["steps"][0]
    assert set(first) == {"step", "notebook", "status", "seconds", "calls", "changes"}
    assert first["status"] == "ok" and first["notebook"] == "00_single_account.ipynb"
    assert first["calls"] == {"read": 2, "write": 1}
    change = {"action": "create", "resource": "bucket <logs>", "detail": "a & b"}
    assert first["changes"] == [change]
    assert summary["totals"]["calls"] == {"read": 6, "write": 3}  # the runbook itself made none
    assert json.loads((run_dir / "summary.json").read_text()) == summary


def test_the_run_folder_keeps_executed_notebooks_and_step_outputs(good_run):
    summary, run_dir, _ = good_run
    assert run_dir.name == summary["run_id"]
    for step in summary["steps"]:
        assert (run_dir / step["notebook"]).exists()
        assert (run_dir / step["step"] / "step.json").exists()


def test_the_parameters_reach_the_notebook(good_run):
    _, run_dir, folder = good_run
    record = json.loads((run_dir / "00_single_account" / "step.json").read_text())
    parameters = json.loads(record["exhibits"][2]["body"])
    assert parameters == {
        "config_path": str(DEFAULT_CONFIG),
        "target": "sandbox",
        "endpoint_url": NO_SANDBOX,
        "profile": "",
        "apply": True,
        "run_dir": str(run_dir),
        "cwd": str(folder.resolve()),
    }


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


def test_plan_records_planned_steps(tmp_path):
    folder = notebooks(tmp_path / "notebooks", "01_organization")
    summary = run(
        DEFAULT_CONFIG, endpoint_url=NO_SANDBOX, apply=False, out=tmp_path, notebooks_dir=folder
    )
    assert [(s["status"], s["calls"]["write"]) for s in summary["steps"]] == [("planned", 0)]


def test_a_failing_step_stops_the_run_with_exit_1(tmp_path, monkeypatch, capsys):
    folder = notebooks(tmp_path / "notebooks", "00_single_account", "03_fails", "04_no_record")
    monkeypatch.setattr(cli, "run", partial(run, notebooks_dir=folder))
    code = cli.main(["run", "--endpoint", NO_SANDBOX, "--out", str(tmp_path / "runs")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "step 03_fails failed in cell 4: ValueError: the <account> is not ready" in err
    [run_dir] = (tmp_path / "runs").iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert [(s["step"], s["status"]) for s in summary["steps"]] == [
        ("00_single_account", "ok"),
        ("03_fails", "failed"),
    ]
    executed = json.loads((run_dir / "03_fails.ipynb").read_text())
    errors = [o["ename"] for c in executed["cells"] for o in c.get("outputs", []) if "ename" in o]
    assert errors == ["ValueError"]
    html = (run_dir / "report.html").read_text()
    assert "the &lt;account&gt; is not ready" in html
    assert f"report: {tmp_path / 'runs' / run_dir.name / 'report.html'}" in out
    assert out.splitlines()[1].startswith("failed ")
    assert kernel_children() == []


def test_a_step_without_step_json_fails(tmp_path):
    folder = notebooks(tmp_path / "notebooks", "04_no_record")
    summary = run(DEFAULT_CONFIG, endpoint_url=NO_SANDBOX, out=tmp_path, notebooks_dir=folder)
    assert summary["steps"][0]["status"] == "failed"
    html = (tmp_path / summary["run_id"] / "report.html").read_text()
    assert "without writing 04_no_record/step.json" in html


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


def test_an_unknown_step_is_refused_with_exit_2(tmp_path, capsys):
    code = cli.main(["run", "--only", "99", "--endpoint", NO_SANDBOX, "--out", str(tmp_path)])
    assert code == 2
    assert "unknown step '99'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_plan_takes_no_apply_flag():
    with pytest.raises(SystemExit) as exit_:
        cli.main(["plan", "--apply"])
    assert exit_.value.code == 2


def test_the_sandbox_is_started_and_stopped(tmp_path):
    folder = notebooks(tmp_path / "notebooks", "00_single_account")
    summary = run(DEFAULT_CONFIG, out=tmp_path, notebooks_dir=folder)
    run_dir = tmp_path / summary["run_id"]
    record = json.loads((run_dir / "00_single_account" / "step.json").read_text())
    url = json.loads(record["exhibits"][2]["body"])["endpoint_url"]
    assert url.startswith("http://127.0.0.1:")
    with pytest.raises(OSError):  # stopped at the end of the run
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=1).close()
