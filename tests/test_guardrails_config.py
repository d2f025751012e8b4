"""The guardrails section of the desired-state file: bad values and policies AWS would refuse
(too long, invalid JSON, a Principal, a sixth SCP on a target) are named, field and policy,
before the runbook makes a single call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from helpers.config import ConfigError, parse_config
from tests.conftest import refused_before_any_call
from tests.test_config import example

SHIPPED = "deny-account-public-access-changes.json"  # in policies/

DENY_ROUTE53 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "route53:*", "Resource": "*"}],
}


def policy_file(folder: Path, name: str, content: str | dict) -> str:
    """An SCP file (absolute path); a dict is written as JSON."""
    path = folder / f"{name}.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    return str(path)


def errors_after(change) -> list[str]:
    """The config errors once `change` is made to the example (none: [])."""
    data = example()
    change(data)
    try:
        parse_config(yaml.safe_dump(data, sort_keys=False))
    except ConfigError as error:
        return error.errors
    return []


def set_guardrails(**values):
    def change(data: dict) -> None:
        data["guardrails"].update(values)

    return change


def test_the_example_asks_for_the_few_simple_guardrails():
    guardrails = parse_config(yaml.safe_dump(example())).guardrails
    assert guardrails.attach_to == ["Root"]
    assert guardrails.region_allow_list and guardrails.deny_iam_users
    assert guardrails.deny_leave_organization
    assert guardrails.protect_trail and guardrails.protect_baseline_roles
    assert guardrails.custom == [] and guardrails.detach_unlisted is False
    assert guardrails.break_glass_role is None


BAD = [
    ("unknown OU", set_guardrails(attach_to=["Workload"]), "guardrails.attach_to[0]"),
    ("OU twice", set_guardrails(attach_to=["Workloads", "Workloads"]), "guardrails.attach_to[1]"),
    ("no target", set_guardrails(attach_to=[]), "guardrails.attach_to"),
    ("break-glass without a region list",
     set_guardrails(region_allow_list=False, break_glass_role="org-break-glass"),
     "guardrails.break_glass_role"),
    ("break-glass role name", set_guardrails(break_glass_role="break glass"),
     "guardrails.break_glass_role"),
    ("unknown key", set_guardrails(deny_users=True), "guardrails.deny_users"),
    ("custom file not json", set_guardrails(custom=[{"name": "x", "file": "x.txt"}]),
     "guardrails.custom[0].file"),
    ("custom file missing", set_guardrails(custom=[{"name": "x", "file": "missing.json"}]),
     "guardrails.custom[0].file"),
    ("custom name taken", set_guardrails(custom=[{"name": "FullAWSAccess", "file": SHIPPED}]),
     "guardrails.custom[0].name"),
    ("custom unknown OU",
     set_guardrails(custom=[{"name": "x", "attach_to": ["Sandbox"], "file": SHIPPED}]),
     "guardrails.custom[0].attach_to[0]"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "path"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_guardrail_values_name_their_field(change, path):
    errors = errors_after(change)
    assert [e for e in errors if e.startswith(f"{path}: ")], errors


def custom(tmp_path: Path, content: str | dict, name: str = "team-policy") -> list[str]:
    return errors_after(
        set_guardrails(custom=[{"name": name, "file": policy_file(tmp_path, name, content)}])
    )


def test_a_policy_over_5120_characters_is_refused_with_its_size(tmp_path):
    actions = [f"ec2:Describe{'X' * 20}{i}" for i in range(200)]
    big = {**DENY_ROUTE53, "Statement": [{**DENY_ROUTE53["Statement"][0], "Action": actions}]}
    [error] = custom(tmp_path, big)
    assert error.startswith("guardrails.custom[0].file: SCP 'team-policy' (")
    assert "characters long (compact JSON); AWS allows at most 5,120 per SCP" in error


def test_size_is_counted_on_the_compact_json_the_kit_sends(tmp_path):
    padded = json.dumps(DENY_ROUTE53, indent=400)  # over 5,120 with its spaces, small without
    assert len(padded) > 5120
    assert custom(tmp_path, padded) == []


def test_invalid_json_is_refused(tmp_path):
    [error] = custom(tmp_path, '{"Version": "2012-10-17", "Statement": [')
    assert error.startswith("guardrails.custom[0].file: SCP 'team-policy'")
    assert "not valid JSON" in error


def test_a_principal_element_is_refused(tmp_path):
    statement = {**DENY_ROUTE53["Statement"][0], "Principal": {"AWS": "111122223333"}}
    [error] = custom(tmp_path, {"Version": "2012-10-17", "Statement": [statement]})
    assert "SCP 'team-policy'" in error and "Principal/NotPrincipal is not allowed here" in error


def test_a_sixth_policy_on_a_target_is_refused_naming_them(tmp_path):
    files = [policy_file(tmp_path, f"team-{i}", DENY_ROUTE53) for i in range(4)]
    extra = [
        {"name": f"team-{i}", "file": file, "attach_to": ["Workloads"]}
        for i, file in enumerate(files)
    ]
    errors = errors_after(set_guardrails(custom=extra, attach_to=["Root", "Workloads"]))
    assert errors == [
        "guardrails: OU Workloads would hold 7 SCPs (FullAWSAccess, org-allowed-regions, "
        "org-guardrails, team-0, team-1, team-2, team-3); AWS allows at most 5 per root, OU "
        "or account, FullAWSAccess included: merge some"
    ]
    fewer = [{**entry, "attach_to": ["Workloads/Dev"]} for entry in extra[:3]]
    assert errors_after(set_guardrails(custom=fewer)) == []  # 4 on Workloads/Dev: fine


def test_the_runbook_refuses_them_before_any_call(sandbox, tmp_path):
    data = example()
    data["guardrails"]["custom"] = [
        {"name": "team", "file": policy_file(tmp_path, "team", "not json")}
    ]
    errors = refused_before_any_call(sandbox.url, tmp_path, data)
    assert [e for e in errors if e.startswith("guardrails.custom[0].file: ")]
