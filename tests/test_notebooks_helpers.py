"""Helpers written for the lessons: the data perimeter, shown as a bucket policy statement
and as an RCP, and the evaluator's reading of each (offline)."""

from __future__ import annotations

import pytest

from helpers import perimeter
from helpers.policy import parse_policy
from helpers.scp_documents import data_perimeter_rcp, rcp_problems


@pytest.mark.parametrize(("way", "layer"), [("bucket policy", "resource-based policy"),
                                            ("rcp", "RCP 'org-data-perimeter'")])  # fmt: skip
def test_the_perimeter_keeps_other_organizations_out_and_lets_services_write(way, layer):
    table = perimeter.proof("o-ours123456", "111122223333", "b", way, "r-abcd")
    rows = {row[0]: row for row in table.rows}
    assert rows["a role of the organization"][2] == "Allowed"
    outsider = rows["a role of another organization"]
    assert outsider[2] == "ExplicitlyDenied"
    assert (
        f"denied by the {layer}" in outsider[3] and "EnforceOrganizationIdentities" in outsider[3]
    )
    assert rows["CloudTrail, as itself"][1:3] == ["s3:PutObject", "Allowed"]


def test_the_bucket_statement_is_the_rcps_deny_narrowed_to_the_bucket():
    statement = perimeter.bucket_statement("o-ours123456", "b")
    (rcp,) = data_perimeter_rcp("o-ours123456")["Statement"]
    assert {k: v for k, v in statement.items() if k not in ("Action", "Resource")} == {
        k: v for k, v in rcp.items() if k not in ("Action", "Resource")
    }
    assert statement["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]
    parse_policy({"Version": "2012-10-17", "Statement": [statement]}, resource_policy=True)
    assert rcp_problems(str(perimeter.rcp(perimeter.PLANNED_ORG))) == []  # AWS would take it


def test_a_way_it_does_not_know_is_refused():
    with pytest.raises(ValueError, match="choose one of bucket policy, rcp"):
        perimeter.proof("o-ours123456", "111122223333", "b", "scp")
