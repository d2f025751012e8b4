"""The data perimeter's RCP as the kit renders it, and AWS's checks on RCP documents
("RCP syntax" and the quotas page of the AWS Organizations User Guide), without any call."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpers.policy import Policies, Request, ResourceControlPolicy, ScpLevel, evaluate
from helpers.scp_documents import (
    MAX_CHARACTERS,
    PERIMETER_ACTIONS,
    content,
    data_perimeter_rcp,
    rcp_problems,
)

ORG, MEMBER, PARTNER, STRANGER = "o-a1b2c3d4e5", "111122223333", "999988887777", "444455556666"
OBJECT = "arn:aws:s3:::member-data/report.csv"
FULL = ResourceControlPolicy(
    "RCPFullAWSAccess",
    {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}},
)


def perimeter_decision(principal: str, organization: str | None = None) -> str:
    """The RCP layer's say on a read of a member account's object, everything else allowing."""
    perimeter = data_perimeter_rcp(ORG, trusted_accounts=[PARTNER])
    level = ScpLevel("root", "r-abcd", (FULL, ResourceControlPolicy("perimeter", perimeter)))
    request = Request(
        principal, "s3:GetObject", OBJECT, "eu-west-1", organization=organization,
        resource_organization=ORG, context={"aws:ResourceAccount": MEMBER},
    )  # fmt: skip
    decision = evaluate(request, Policies(rcps=(level,)))
    return next(step.said for step in decision.steps if step.kind == "rcp")


def test_the_perimeter_is_an_rcp_aws_accepts() -> None:
    document = data_perimeter_rcp(ORG, trusted_accounts=[PARTNER])
    assert rcp_problems(content(document)) == []
    assert len(content(document)) < MAX_CHARACTERS
    [statement] = document["Statement"]
    assert statement["Action"] == list(PERIMETER_ACTIONS)
    assert "sts:AssumeRoleWithSAML" not in statement["Action"]  # federated sign-in stays


@pytest.mark.parametrize(
    ("principal", "organization", "said"),
    [
        (f"arn:aws:sts::{MEMBER}:assumed-role/Reader/s", ORG, "Allow"),
        (f"arn:aws:sts::{PARTNER}:assumed-role/Auditor/s", None, "Allow"),
        (f"arn:aws:sts::{STRANGER}:assumed-role/Auditor/s", None, "Deny"),
        (f"arn:aws:iam::{STRANGER}:root", None, "Deny"),
        ("cloudtrail.amazonaws.com", None, "Allow"),
    ],
)
def test_the_perimeter_denies_exactly_the_strangers(principal, organization, said) -> None:
    assert perimeter_decision(principal, organization) == said


@pytest.mark.parametrize(
    ("organization_id", "trusted", "words"),
    [
        ("a1b2c3d4e5", (), "organization id 'a1b2c3d4e5'"),
        ("o-ABC", (), "o-xxxxxxxxxx"),
        (ORG, ("12345",), "trusted account(s) 12345"),
    ],
)
def test_the_perimeter_refuses_bad_ids(organization_id, trusted, words) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        data_perimeter_rcp(organization_id, trusted_accounts=trusted)


def rcp(**statement: Any) -> dict:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [{"Sid": "S", **deny, **statement}]}


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ("{", "not valid JSON"),
        ({"Statement": rcp()["Statement"]}, '"Version": "2012-10-17"'),
        (rcp(Effect="Allow"), "statement S: an RCP of one's own may only Deny"),
        (rcp(Principal={"AWS": "*"}), 'statement S: Principal must be "*"'),
        (rcp(Action="*"), 'statement S: Action "*" is refused'),
        ({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*",
                                                  "Resource": "*"}]}, "missing Principal"),
        (rcp(Sid="x" * MAX_CHARACTERS), "characters long (compact JSON); AWS allows at most"),
    ],
)  # fmt: skip
def test_rcp_problems_name_what_aws_would_refuse(document, words) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    found = rcp_problems(text)
    assert any(words in problem for problem in found), found


def test_a_notaction_rcp_is_refused() -> None:
    document = rcp()
    statement = document["Statement"][0]
    statement["NotAction"] = statement.pop("Action")
    assert rcp_problems(json.dumps(document)) == [
        "statement S: RCPs do not support NotAction; list the actions denied"
    ]
