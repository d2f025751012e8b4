"""Helpers written for the lessons: the data perimeter's documents and the evaluator's
reading of them (offline)."""

from __future__ import annotations

from helpers import perimeter
from helpers.policy import parse_policy


def test_the_perimeter_keeps_other_organizations_out_and_lets_services_write():
    rows = {row[0]: row for row in perimeter.proof("o-ours", "111122223333", "b").rows}
    assert rows["a role of the organization"][2] == "Allowed"
    outsider = rows["a role of another organization"]
    assert outsider[2] == "ExplicitlyDenied" and perimeter.SID in outsider[3]
    assert rows["CloudTrail, as itself"][1:3] == ["s3:PutObject", "Allowed"]


def test_the_rcp_is_the_same_statement_for_the_services_rcps_cover():
    document = perimeter.rcp("o-ours").body
    parse_policy(document, resource_policy=True)  # valid grammar, Principal allowed
    (statement,) = document["Statement"]
    assert statement == perimeter.statement("o-ours", list(perimeter.RCP_ACTIONS))
    assert statement["Principal"] == "*" and statement["Effect"] == "Deny"
    assert '"aws:PrincipalOrgID": "o-ours"' in str(perimeter.rcp("o-ours"))
