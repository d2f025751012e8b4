"""The kept sandbox: `run` starts it when none runs, the next run finds it with what the last
one built, `--fresh` resets it, `sandbox --stop` stops it. (The journey runs the whole
runbook twice against it: the second run makes no write call.)"""

from __future__ import annotations

import boto3
import pytest

from runbook import cli, kept
from tests.test_runbook_run import notebooks


def queues(sandbox: kept.KeptSandbox) -> list[str]:
    env = sandbox.env
    sqs = boto3.client(
        "sqs",
        endpoint_url=sandbox.url,
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    return [url.rsplit("/", 1)[1] for url in sqs.list_queues().get("QueueUrls", [])]


@pytest.mark.journey  # runbook runs, end to end
def test_runs_keep_one_sandbox_until_it_is_stopped(tmp_path, capsys):
    out = tmp_path / "runs"
    folder = notebooks(tmp_path / "notebooks", "00_writes_then_fails")  # creates a queue
    args = ["run", "--out", str(out), "--notebooks", str(folder)]
    assert kept.find(out) is None
    try:
        assert cli.main(args) == 1  # the step fails after its write
        first = kept.find(out)
        assert first is not None and queues(first) == ["kit-fixture"]
        assert f"sandbox: kept running at {first.url} for the next run" in capsys.readouterr().out
        assert cli.main(["plan", "--out", str(out), "--notebooks", str(folder)]) == 1
        assert kept.find(out) == first and queues(first) == ["kit-fixture"]  # the same one
        assert cli.main(["plan", "--fresh", "--out", str(out), "--notebooks", str(folder)]) == 1
        assert kept.find(out) == first and queues(first) == []  # reset: the plan wrote nothing
    finally:
        assert cli.main(["sandbox", "--stop", "--out", str(out)]) == 0
    assert f"kept sandbox at {first.url} stopped" in capsys.readouterr().out
    assert kept.find(out) is None and not kept._alive(first.pid)
    assert cli.main(["sandbox", "--stop", "--out", str(out)]) == 0
    assert "no kept sandbox was running" in capsys.readouterr().out
