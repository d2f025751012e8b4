"""The identity_center section: bad input is refused with the field named, before any call."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpers.config import load_config
from helpers.identity_center import assignment_accounts
from tests.conftest import refused_before_any_call
from tests.test_config import EXAMPLE, errors_after, example


def _ic(change: Callable[[dict], object]) -> Callable[[dict], None]:
    return lambda data: change(data["identity_center"])


def _add_user(ic: dict) -> None:
    ic["users"].append({"user_name": "ALICE", "display_name": "Alice Two", "email": "a2@x.org"})


BAD = [
    ("unknown group", _ic(lambda ic: ic["assignments"][0].update(group="devs")),
     "identity_center.assignments[0].group"),
    ("unknown user", _ic(lambda ic: ic["assignments"][0].update(group=None, user="zoe")),
     "identity_center.assignments[0].user"),
    ("group and user", _ic(lambda ic: ic["assignments"][0].update(user="alice")),
     "identity_center.assignments[0]"),
    ("unknown account", _ic(lambda ic: ic["assignments"][0].update(accounts=["staging"])),
     "identity_center.assignments[0].accounts[0]"),
    ("unknown OU", _ic(lambda ic: ic["assignments"][1].update(ous=["Workloads/Test"])),
     "identity_center.assignments[1].ous[0]"),
    ("unknown permission set", _ic(lambda ic: ic["assignments"][0].update(permission_set="Dev")),
     "identity_center.assignments[0].permission_set"),
    ("no target", _ic(lambda ic: ic["assignments"][1].update(ous=[])),
     "identity_center.assignments[1]"),
    ("session too long", _ic(lambda ic: ic["permission_sets"][0].update(session_duration="PT13H")),
     "identity_center.permission_sets[0].session_duration"),
    ("session not ISO", _ic(lambda ic: ic["permission_sets"][0].update(session_duration="8h")),
     "identity_center.permission_sets[0].session_duration"),
    ("malformed policy ARN",
     _ic(lambda ic: ic["permission_sets"][0].update(managed_policies=["AdministratorAccess"])),
     "identity_center.permission_sets[0].managed_policies[0]"),
    ("unknown managed policy",
     _ic(lambda ic: ic["permission_sets"][1].update(
         managed_policies=["arn:aws:iam::aws:policy/ReadOnlyAcess"])),
     "identity_center.permission_sets[1].managed_policies[0]"),
    ("bad inline policy",
     _ic(lambda ic: ic["permission_sets"][1].update(inline_policy={"Statement": []})),
     "identity_center.permission_sets[1].inline_policy"),
    ("duplicate user name", _ic(_add_user), "identity_center.users[3].user_name"),
    ("member not a user", _ic(lambda ic: ic["groups"][0]["members"].append("zoe")),
     "identity_center.groups[0].members[2]"),
    ("unknown key", _ic(lambda ic: ic.update(sso_region="eu-west-1")),
     "identity_center.sso_region"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "path"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_identity_center_input_names_the_field(change, path) -> None:
    errors = errors_after(change)
    assert [e for e in errors if e.startswith(f"{path}: ")], errors


def test_unknown_policy_gets_a_suggestion_and_a_wrong_path_its_arn() -> None:
    typo = "arn:aws:iam::aws:policy/ReadOnlyAcess"
    (error,) = errors_after(
        _ic(lambda ic: ic["permission_sets"][1].update(managed_policies=[typo]))
    )
    assert "did you mean ReadOnlyAccess?" in error
    path = "arn:aws:iam::aws:policy/ViewOnlyAccess"
    (error,) = errors_after(
        _ic(lambda ic: ic["permission_sets"][1].update(managed_policies=[path]))
    )
    assert "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess" in error


def test_external_identity_source_refuses_members() -> None:
    def external(ic: dict) -> None:
        ic["identity_source"] = "external"

    errors = errors_after(_ic(external))
    assert {e.split(": ")[0] for e in errors} == {
        "identity_center.groups[0].members[0]",
        "identity_center.groups[0].members[1]",
        "identity_center.groups[1].members[0]",
    }


def test_ou_expands_to_its_accounts_and_root_never_to_management() -> None:
    config = load_config(EXAMPLE)
    developers_admin, developers_read, administrators = config.identity_center.assignments
    assert assignment_accounts(config, developers_admin) == ["dev"]
    assert assignment_accounts(config, developers_read) == ["prod", "original"]
    everywhere = ["management", "log-archive", "dev", "prod", "original"]
    assert assignment_accounts(config, administrators) == everywhere


@pytest.mark.parametrize(("change", "path"), [c[1:] for c in BAD[:6]], ids=[c[0] for c in BAD[:6]])
def test_runbook_refuses_bad_identity_center_input_with_zero_calls(sandbox, tmp_path, change, path):
    data = example()
    change(data)
    errors = refused_before_any_call(sandbox.url, tmp_path, data)
    assert any(e.startswith(f"{path}: ") for e in errors)
