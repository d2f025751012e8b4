"""Step 06's proof matrix at scale: accounts with the same account-blind SCPs are decided once,
and the matrix is exactly what deciding each account on its own gives (offline, no calls)."""

from __future__ import annotations

import pytest

from helpers import scp_documents as docs
from helpers.guardrails import Intent, Reach, account_blind, prove
from helpers.guardrails.matrix import _decide
from helpers.policy import Policy, ScpLevel

INTENT = Intent(
    partition="aws",
    home_region="eu-central-1",
    allowed_regions=("eu-central-1", "eu-west-1"),
    region_allow_list=True,
    break_glass_role="org-break-glass",
    deny_iam_users=True,
    deny_leave_organization=True,
    trail_bucket="org-trail-o-abc123-210987654321",
    baseline_roles=("org-audit",),
)
FULL = Policy(docs.FULL_ACCESS, {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
REGIONS = Policy(docs.REGIONS, docs.region_policy(INTENT.allowed_regions, "aws", "org-break-glass"))
GUARDRAILS = Policy(
    docs.GUARDRAILS,
    docs.guardrail_policy(trail_bucket=INTENT.trail_bucket, baseline_roles=("org-audit",)),
)


def _deny(resource: str, condition: dict | None = None) -> Policy:
    statement = {"Effect": "Deny", "Action": "iam:CreateRole", "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return Policy("custom", {"Version": "2012-10-17", "Statement": [statement]})


def _reaches(count: int, account_scps=lambda n: (FULL,)) -> list[Reach]:
    root = ScpLevel.of("ROOT", "r-abcd", "Root", (FULL, REGIONS, GUARDRAILS))
    ou = ScpLevel.of("ORGANIZATIONAL_UNIT", "ou-abcd-1", "Dev", (FULL,))
    return [
        Reach(
            f"app-{n}",
            f"{100000000000 + n}",
            "Workloads/Dev",
            (root, ou, ScpLevel.of("ACCOUNT", f"{100000000000 + n}", f"app-{n}", account_scps(n))),
        )
        for n in range(count)
    ]


def test_the_kits_own_scps_are_account_blind():
    assert all(account_blind(p) for p in (FULL, REGIONS, GUARDRAILS))


@pytest.mark.parametrize(
    "policy",
    [
        _deny("arn:aws:iam::1*:role/*"),  # a partial account id
        _deny("arn:aws:iam::100000000003:role/*"),
        _deny("*", {"StringEquals": {"aws:PrincipalAccount": "100000000003"}}),
        _deny("*", {"StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}),
    ],
)
def test_a_policy_that_can_single_out_an_account_is_not(policy):
    assert not account_blind(policy)


def _each_on_its_own(reaches: list[Reach]) -> dict:
    proof = prove(INTENT, reaches[:1], "o-abc123", "123456789012")  # the probes, once
    return {
        (index, reach.name): _decide(
            INTENT, probe, reach.account_id, reach.levels, "o-abc123", False
        ).allowed
        for index, probe in enumerate(proof.rows)
        for reach in reaches
    }


@pytest.mark.parametrize(
    "account_scps",
    [
        lambda n: (FULL,),
        lambda n: (FULL, _deny("arn:aws:iam::100000000003:role/*")),  # singles one out
        lambda n: (FULL, _deny("*")) if n % 3 == 0 else (FULL,),  # two kinds of account
    ],
)
def test_the_matrix_is_what_deciding_each_account_gives(account_scps):
    reaches = _reaches(12, account_scps)
    proof = prove(INTENT, reaches, "o-abc123", "123456789012")
    cells = {key: d.allowed for key, d in proof.cells.items() if key[1] != "management account"}
    assert cells == _each_on_its_own(reaches)


def test_a_problem_in_alike_accounts_names_each_account():
    reaches = _reaches(5, lambda n: (FULL, _deny("*")))  # the kit could not make its roles
    problems = prove(INTENT, reaches, "o-abc123", "123456789012").problems()
    for reach in reaches:
        mine = [p for p in problems if f"in account {reach.name}," in p]
        assert mine and all(reach.account_id in p or reach.name in p for p in mine)
