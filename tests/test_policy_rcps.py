"""Resource control policies (RCPs) and the organization keys of the data perimeter, one
case per documented rule.

Sources (AWS Organizations User Guide): "Resource control policies (RCPs)" (the services
that support them, their effects on permissions, the resources and entities they do not
restrict), "RCP evaluation" (RCPFullAWSAccess everywhere, a Deny anywhere on the path
denies); the IAM User Guide's "How AWS enforcement code logic evaluates requests to allow
or deny access" (RCPs apply to the resources of the account they are attached to) and "AWS
global condition context keys" (aws:PrincipalOrgID, aws:ResourceOrgID,
aws:PrincipalIsAWSService). The data perimeter is the kit's own RCP,
`helpers.scp_documents.data_perimeter_rcp`.
"""

from __future__ import annotations

from typing import Any

import pytest

from helpers.policy import Policies, Request, ResourceControlPolicy, ScpLevel, evaluate
from helpers.scp_documents import data_perimeter_rcp
from tests.test_policy_layers import (
    ACCOUNT,
    ADMIN,
    ASSUME,
    BUCKET,
    DENY_S3,
    MANAGEMENT,
    OBJECT,
    ORG,
    OTHER,
    OTHER_SESSION,
    SESSION,
    TARGET_ROLE,
    Case,
    assert_decided,
    levels,
    pol,
    res,
    st,
    trust,
)

OU_LEVEL = "OU Workloads (ou-abcd-12345678)"
RCP_FULL = ResourceControlPolicy(
    "RCPFullAWSAccess",
    {"Version": "2012-10-17", "Statement": [st("Allow", Principal="*")]},
)
PERIMETER = ResourceControlPolicy("org-data-perimeter", data_perimeter_rcp(ORG))
NO_BUCKET_DELETES = ResourceControlPolicy(
    "no-bucket-deletes",
    {"Version": "2012-10-17", "Statement": [st("Deny", "s3:DeleteBucket", Principal="*")]},
)
NO_EC2 = ResourceControlPolicy(
    "no-ec2", {"Version": "2012-10-17", "Statement": [st("Deny", "ec2:*", Principal="*")]}
)
NO_KMS = ResourceControlPolicy(
    "no-kms", {"Version": "2012-10-17", "Statement": [st("Deny", "kms:*", Principal="*")]}
)
OUTSIDER_BUCKET = res("bucket", st("Allow", "s3:GetObject", OBJECT, Principal={"AWS": OTHER}))
TRAIL_BUCKET = res(
    "trail-bucket",
    st("Allow", "s3:PutObject", OBJECT, Principal={"Service": "cloudtrail.amazonaws.com"}),
)
OWN_ORG_ONLY = pol(
    "writes-stay-in-the-organization",
    st("Deny", "s3:PutObject", Sid="OwnOrganization",
       Condition={"StringNotEqualsIfExists": {"aws:ResourceOrgID": ORG}}),
)  # fmt: skip
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def rcps(ou: tuple[ResourceControlPolicy, ...] = (RCP_FULL,)) -> tuple[ScpLevel, ...]:
    """RCPFullAWSAccess at the root and the account, `ou` at the OU: the resource's path."""
    return (
        ScpLevel("root", "r-abcd", (RCP_FULL,)),
        ScpLevel("ou", "ou-abcd-12345678", ou, "Workloads"),
        ScpLevel("account", ACCOUNT, (RCP_FULL,)),
    )


def member_resource(principal: str = OTHER_SESSION, **extra: Any) -> Request:
    """A request on a bucket object of the member account ACCOUNT, in organization ORG."""
    extra.setdefault("resource_organization", ORG)
    return Request(principal, extra.pop("action", "s3:GetObject"),
                   extra.pop("resource", OBJECT), "eu-west-1", **extra)  # fmt: skip


RCP = ("rcp", "rcp", "rcp")
SCP = ("scp", "scp", "scp")
# fmt: off
CASES = [
    Case("RCPFullAWSAccess at every level: RCPs pass, the other layers decide",
         member_resource(), Policies((ADMIN,), resource=OUTSIDER_BUCKET, rcps=rcps()),
         "Allowed", (*RCP, "identity", "resource")),
    Case("an RCP Deny on the resource's OU keeps a principal outside the organization out, "
         "though the bucket policy grants it",
         member_resource(), Policies((ADMIN,), resource=OUTSIDER_BUCKET,
                                     rcps=rcps((RCP_FULL, PERIMETER))),
         "ExplicitlyDenied", ("rcp",), OU_LEVEL),
    Case("the data perimeter lets a principal of the organization in",
         member_resource(organization=ORG),
         Policies((ADMIN,), resource=OUTSIDER_BUCKET, rcps=rcps((RCP_FULL, PERIMETER))),
         "Allowed", (*RCP, "identity", "resource")),
    Case("RCPs limit the root user of an outside account too",
         member_resource(f"arn:aws:iam::{OTHER}:root"),
         Policies(resource=OUTSIDER_BUCKET, rcps=rcps((RCP_FULL, PERIMETER))),
         "ExplicitlyDenied", ("rcp",)),
    Case("RCPs limit the resource's own account: its roles may not do what an RCP denies",
         member_resource(SESSION, organization=ORG, action="s3:DeleteBucket",
                         resource=BUCKET),
         Policies((ADMIN,), rcps=rcps((RCP_FULL, NO_BUCKET_DELETES))),
         "ExplicitlyDenied", ("rcp",), OU_LEVEL),
    Case("the data perimeter lets AWS services through (aws:PrincipalIsAWSService)",
         member_resource("cloudtrail.amazonaws.com", action="s3:PutObject"),
         Policies(resource=TRAIL_BUCKET, rcps=rcps((RCP_FULL, PERIMETER))),
         "Allowed", (*RCP, "resource")),
    Case("the data perimeter keeps outsiders from assuming a member's role its trust names",
         member_resource(action="sts:AssumeRole", resource=TARGET_ROLE),
         Policies((ASSUME,), resource=trust({"AWS": f"arn:aws:iam::{OTHER}:root"}),
                  rcps=rcps((RCP_FULL, PERIMETER))),
         "ExplicitlyDenied", ("rcp",)),
    Case("RCPs never apply to the management account's resources",
         member_resource(resource_management_account=True),
         Policies((ADMIN,), resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                      Principal={"AWS": OTHER}),
                                         account=MANAGEMENT),
                  rcps=rcps((RCP_FULL, PERIMETER))),
         "Allowed", ("identity", "resource")),
    Case("RCPs never apply to calls by service-linked roles",
         member_resource(SESSION, organization=ORG, service_linked_role=True,
                         action="s3:DeleteBucket", resource=BUCKET),
         Policies((ADMIN,), rcps=rcps((RCP_FULL, NO_BUCKET_DELETES))),
         "Allowed", ("identity",)),
    Case("RCPs apply only to the services that support them (not EC2)",
         member_resource(SESSION, organization=ORG, action="ec2:RunInstances",
                         resource=f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/*"),
         Policies((ADMIN,), rcps=rcps((RCP_FULL, NO_EC2))),
         "Allowed", ("identity",)),
    Case("RCPs apply only to actions on a resource: s3:ListAllMyBuckets names none",
         member_resource(SESSION, organization=ORG, action="s3:ListAllMyBuckets",
                         resource="*"),
         Policies((ADMIN,), rcps=rcps((RCP_FULL, NO_BUCKET_DELETES, PERIMETER))),
         "Allowed", ("identity",)),
    Case("RCPs do not restrict kms:RetireGrant",
         member_resource(SESSION, organization=ORG, action="kms:RetireGrant", resource=KEY),
         Policies((ADMIN,), rcps=rcps((RCP_FULL, NO_KMS))),
         "Allowed", ("identity",)),
    Case("an RCP service's other actions on the same key are restricted",
         member_resource(SESSION, organization=ORG, action="kms:Decrypt", resource=KEY),
         Policies((ADMIN,), rcps=rcps((RCP_FULL, NO_KMS))),
         "ExplicitlyDenied", ("rcp",)),
    Case("RCPs do not reach resources of accounts outside the organization",
         member_resource(SESSION, organization=ORG, resource_organization=None),
         Policies((ADMIN,), resource=res("bucket", st("Allow", "s3:GetObject", OBJECT,
                                                      Principal={"AWS": ACCOUNT}),
                                         account=OTHER),
                  rcps=rcps((RCP_FULL, PERIMETER))),
         "Allowed", ("identity", "resource")),
    Case("an RCP and an SCP that both deny are both reported, the RCP first",
         member_resource(SESSION, organization=ORG, action="s3:DeleteBucket",
                         resource=BUCKET),
         Policies((ADMIN,), levels(ou=(pol("FullAWSAccess", st("Allow")), DENY_S3)),
                  rcps=rcps((RCP_FULL, NO_BUCKET_DELETES))),
         "ExplicitlyDenied", ("rcp", "scp")),
    # aws:ResourceOrgID: the organization of the account that owns the resource
    Case("aws:ResourceOrgID: a Deny of writes outside the organization denies a bucket of "
         "an account outside it",
         member_resource(SESSION, organization=ORG, resource_organization=None,
                         action="s3:PutObject"),
         Policies((ADMIN, OWN_ORG_ONLY), resource=res("bucket", st(
             "Allow", "s3:PutObject", OBJECT, Principal={"AWS": ACCOUNT}), account=OTHER)),
         "ExplicitlyDenied", ("identity",)),
    Case("aws:ResourceOrgID: the same Deny lets a bucket of another member account through",
         member_resource(SESSION, organization=ORG, action="s3:PutObject"),
         Policies((ADMIN, OWN_ORG_ONLY), resource=res("bucket", st(
             "Allow", "s3:PutObject", OBJECT, Principal={"AWS": ACCOUNT}), account=OTHER)),
         "Allowed", ("identity", "resource")),
    Case("aws:ResourceOrgID of a resource in the caller's own account is its organization",
         member_resource(SESSION, organization=ORG, resource_organization=None,
                         action="s3:PutObject"),
         Policies((ADMIN, OWN_ORG_ONLY)), "Allowed", ("identity",)),
]
# fmt: on


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_rcps(case: Case) -> None:
    assert_decided(case)


def test_the_table_has_every_outcome_and_unique_rules() -> None:
    assert {case.decision for case in CASES} == {"Allowed", "ExplicitlyDenied"}
    assert len({case.rule for case in CASES}) == len(CASES)


def test_a_step_says_why_rcps_do_not_apply() -> None:
    request = member_resource(resource_management_account=True)
    decision = evaluate(request, Policies((ADMIN,), resource=OUTSIDER_BUCKET, rcps=rcps()))
    [step] = [step for step in decision.steps if step.kind == "rcp"]
    assert (step.said, step.detail) == (
        "not applied",
        "RCPs never apply to resources of the management account",
    )


def test_an_rcp_denial_names_the_policy_the_level_and_the_statement() -> None:
    request = member_resource()
    decision = evaluate(request, Policies((ADMIN,), resource=OUTSIDER_BUCKET,
                                          rcps=rcps((RCP_FULL, PERIMETER))))  # fmt: skip
    assert decision.reasons() == [
        "denied by the RCP 'org-data-perimeter' attached to OU Workloads (ou-abcd-12345678): "
        "explicit Deny, statement EnforceOrganizationIdentities"
    ]
    labels = [step.label for step in decision.steps if step.kind == "rcp"]
    assert labels == [
        "RCPs at the root r-abcd",
        "RCPs at OU Workloads (ou-abcd-12345678)",
        f"RCPs at account {ACCOUNT}",
    ]


def test_the_deciding_rcp_level_without_an_allow_is_named() -> None:
    # AWS never lets it happen (RCPFullAWSAccess cannot be detached), but a level with no
    # Allow would deny implicitly, like an SCP level.
    ou = ScpLevel("ou", "ou-abcd-12345678", (PERIMETER,), "Workloads")
    bare = (ScpLevel("root", "r-abcd", (RCP_FULL,)), ou)
    decision = evaluate(member_resource(organization=ORG),
                        Policies((ADMIN,), resource=OUTSIDER_BUCKET, rcps=bare))  # fmt: skip
    assert decision.decision == "ImplicitlyDenied"
    assert decision.reasons() == [
        "no RCP attached to OU Workloads (ou-abcd-12345678) allows s3:GetObject"
    ]
