"""The workshop's widgets, built and used without a browser, on the session's journey."""

from __future__ import annotations

from helpers import accounts, identity_center, organization, widgets
from helpers.kit import open_step
from helpers.sandbox import ORIGINAL_ACCOUNT_ID
from helpers.widgets.access import _directory
from helpers.widgets.trials import _accounts, _principals
from tests.conftest import requests_received


def _kit(journey, tmp_path, apply: bool = True):
    return open_step(
        "02_accounts_and_ous",
        "../runbook/org.example.yaml",
        endpoint_url=journey["url"],
        apply=apply,
        run_dir=str(tmp_path),
    )


def test_try_as_explains_a_role_that_does_not_trust_the_caller(journey, tmp_path, capsys):
    kit = _kit(journey, tmp_path)
    who = _principals(kit, ORIGINAL_ACCOUNT_ID)
    assert who["role dev-app"] == "dev-app"
    assert "the account's own credentials" not in who  # retired in step 03
    widgets.try_one(kit, ORIGINAL_ACCOUNT_ID, "dev-app", "s3:ListAllMyBuckets", "eu-central-1")
    printed = capsys.readouterr().out
    assert "Denied (AccessDenied)" in printed
    assert "ImplicitlyDenied" in printed and "trust policy of role dev-app" in printed
    assert kit.recorder.totals()["write"] == 0


def test_try_as_runs_the_call_for_real(journey, tmp_path, capsys):
    kit = _kit(journey, tmp_path)
    dev = next(i for label, i in _accounts(kit).items() if label.startswith("dev "))
    widgets.try_one(kit, dev, "", "ec2:DescribeVpcs", "eu-central-1")
    printed = capsys.readouterr().out
    assert "assumed-role/OrganizationAccountAccessRole/org-kit, in eu-central-1" in printed
    assert "Allowed: list the VPCs of the region, 1 found." in printed


def test_a_planning_notebook_refuses_to_change_anything(journey, tmp_path, capsys):
    kit = _kit(journey, tmp_path, apply=False)
    before = requests_received(journey["url"])
    widgets.try_one(kit, ORIGINAL_ACCOUNT_ID, "", "iam:CreateUser", "eu-central-1")
    assert "only plans" in capsys.readouterr().out
    assert requests_received(journey["url"]) == before


def test_access_matrix_reads_identity_center(journey, tmp_path):
    kit = _kit(journey, tmp_path)
    table = widgets.matrix(identity_center.reach(kit, _directory(kit)))
    rows = {row[0]: dict(zip(table.columns[1:], row[1:], strict=True)) for row in table.rows}
    assert rows["alice"]["dev"] == "AdministratorAccess"
    assert rows["alice"]["prod"] == "ReadOnlyAccess"
    assert rows["alice"]["log-archive"] == "-"
    assert set(rows["carol"].values()) == {"AdministratorAccess"}
    only = widgets.matrix(identity_center.reach(kit, _directory(kit)), "ReadOnlyAccess")
    assert "AdministratorAccess" not in str(only)


def test_region_guardrail_shows_the_matrix_before_applying(journey, tmp_path):
    kit = _kit(journey, tmp_path)
    before, opened = requests_received(journey["url"]), sum(kit.recorder.totals().values())
    guardrail = widgets.region_guardrail(kit)
    ticks = {box.description: box for box in guardrail.children[0].children}
    assert ticks["eu-central-1"].value and not ticks["us-east-1"].value
    matrix = guardrail.children[-1]

    def row(label: str) -> str:
        return next(r for r in matrix.value.split("<tr>") if label in r)

    assert "denied by org-allowed-regions" in row("launch an instance, us-east-1")
    ticks["us-east-1"].value = True  # recomputed offline, nothing attached
    assert "denied by org-allowed-regions" in row("launch an instance, us-west-2")
    assert "launch an instance, us-east-1" not in matrix.value
    assert kit.recorder.totals()["write"] == 0
    calls = sum(kit.recorder.totals().values()) - opened
    assert requests_received(journey["url"]) - before == calls


def test_widgets_build_with_read_calls_only(journey, tmp_path):
    kit = _kit(journey, tmp_path)
    for build in (widgets.organization_tree, widgets.try_as, widgets.access_matrix):
        build(kit)
    chart = widgets.cost_chart(kit)
    assert chart.children[0].children[0].value == "chart"
    assert kit.recorder.totals()["write"] == 0


def test_access_matrix_plans_on_a_fresh_sandbox(clean_sandbox, tmp_path):
    kit = open_step(
        "03_identity_center",
        "../runbook/org.example.yaml",
        endpoint_url=clean_sandbox.url,
        apply=False,
        run_dir=str(tmp_path),
    )
    pane = widgets.access_matrix(kit).children[-1]
    assert "<td>alice</td><td>AdministratorAccess</td>" in pane.value  # dev, from the config
    assert kit.recorder.totals()["write"] == 0


def _pickers(widget) -> dict:
    (account, who), (action, region) = (box.children for box in widget.children[:2])
    return {"account": account, "as": who, "action": action, "region": region}


def test_try_as_starts_with_every_picker_set_and_runs_at_once(journey, tmp_path, capsys):
    kit = _kit(journey, tmp_path)
    widget = widgets.try_as(kit)
    picked = {name: picker.value for name, picker in _pickers(widget).items()}
    assert picked == {
        "account": ORIGINAL_ACCOUNT_ID,  # the original account, where the hand-made isolation is
        "as": "",  # through the kit's own way in, the access role
        "action": "s3:ListAllMyBuckets",
        "region": kit.config.home_region,
    }
    run, out = widget.children[2], widget.children[3]
    run.click()
    printed = capsys.readouterr()
    assert "Allowed: list the buckets" in printed.out
    assert "Traceback" not in printed.out + printed.err and out.outputs == ()


def test_a_widget_that_fails_says_what_to_do_never_a_traceback(clean_sandbox, tmp_path, caplog):
    """The facilitator resets the sandbox between groups; a learner clicks a widget built
    before: the Output widget says what AWS answered and what to do."""
    kit = open_step(
        "01_organization",
        "../runbook/org.example.yaml",
        endpoint_url=clean_sandbox.url,
        run_dir=str(tmp_path),
    )
    organization.ensure_organization(kit)
    dev = accounts.ensure_accounts(kit, poll_seconds=0.1)["dev"]
    widget = widgets.try_as(kit)
    _pickers(widget)["account"].value = dev
    clean_sandbox.reset()
    widget.children[2].click()
    [shown] = widget.children[3].outputs
    assert shown["text"].startswith("AWS answered InvalidClientTokenId: ")
    assert (
        "If the sandbox was reset" in shown["text"] and "run this notebook again" in shown["text"]
    )
    assert "Traceback" not in caplog.text
