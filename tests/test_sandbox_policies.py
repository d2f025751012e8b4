"""Service control policies checked as AWS checks them: documents, attachments, counts."""

from __future__ import annotations

import itertools
import json

import pytest
from botocore.exceptions import ClientError

from helpers.sandbox.policy_checks import MAX_SCP_CHARACTERS

SCP = "SERVICE_CONTROL_POLICY"
FULL_ACCESS = "p-FullAWSAccess"
_names = itertools.count()


def _document(sid: str = "Deny") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": sid, "Effect": "Deny", "Action": "s3:*", "Resource": "*"}],
        }
    )


def _error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    return error.value.response


@pytest.fixture(scope="module")
def org(sandbox, aws):
    """An organization with SCPs enabled on its root, shared by this module's tests."""
    sandbox.reset()
    client = aws("organizations")
    client.create_organization(FeatureSet="ALL")
    root_id = client.list_roots()["Roots"][0]["Id"]
    client.enable_policy_type(RootId=root_id, PolicyType=SCP)
    return client


@pytest.fixture
def ou(org) -> str:
    """A new OU under the root (FullAWSAccess attached, as everywhere)."""
    root_id = org.list_roots()["Roots"][0]["Id"]
    return org.create_organizational_unit(ParentId=root_id, Name=f"ou-{next(_names)}")[
        "OrganizationalUnit"
    ]["Id"]


def _scp(org, content: str | None = None) -> str:
    return org.create_policy(
        Name=f"scp-{next(_names)}", Description="", Type=SCP, Content=content or _document()
    )["Policy"]["PolicySummary"]["Id"]


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps(["a list"]),
        json.dumps({"Version": "2012-10-17"}),
        json.dumps({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}),
        json.dumps({"Statement": {"Effect": "Deny", "Resource": "*"}}),
        json.dumps(
            {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
        ),
    ],
)
def test_a_malformed_scp_is_refused(org, content):
    error = _error(org.create_policy, Name="bad", Description="", Type=SCP, Content=content)
    assert error["Error"]["Code"] == "MalformedPolicyDocumentException"


def test_an_scp_may_hold_5120_characters_and_no_more(org):
    padding = 5120 - len(_document(""))
    assert len(_document("x" * padding)) == 5120
    policy_id = _scp(org, _document("x" * padding))
    error = _error(
        org.create_policy,
        Name="long",
        Description="",
        Type=SCP,
        Content=_document("x" * (padding + 1)),
    )
    assert error["Error"]["Code"] == "ConstraintViolationException"
    assert error["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"
    error = _error(org.update_policy, PolicyId=policy_id, Content=_document("x" * (padding + 1)))
    assert error["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"
    error = _error(org.update_policy, PolicyId=policy_id, Content="{")
    assert error["Error"]["Code"] == "MalformedPolicyDocumentException"
    org.update_policy(PolicyId=policy_id, Content=_document("shorter"), Name="renamed")
    assert org.describe_policy(PolicyId=policy_id)["Policy"]["Content"] == _document("shorter")


def test_other_policy_types_are_not_held_to_scp_rules(org):
    tag_policy = json.dumps({"tags": {"env": {"tag_key": {"@@assign": "env"}}}})
    created = org.create_policy(Name="tags", Description="", Type="TAG_POLICY", Content=tag_policy)
    assert created["Policy"]["Content"] == tag_policy


def test_the_same_policy_cannot_be_attached_twice(org, ou):
    policy_id = _scp(org)
    org.attach_policy(PolicyId=policy_id, TargetId=ou)
    error = _error(org.attach_policy, PolicyId=policy_id, TargetId=ou)
    assert error["Error"]["Code"] == "DuplicatePolicyAttachmentException"


def test_a_target_holds_at_most_five_scps(org, ou):
    for _ in range(4):  # FullAWSAccess is the first
        org.attach_policy(PolicyId=_scp(org), TargetId=ou)
    error = _error(org.attach_policy, PolicyId=_scp(org), TargetId=ou)
    assert error["Error"]["Code"] == "ConstraintViolationException"
    assert error["Reason"] == "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
    attached = org.list_policies_for_target(TargetId=ou, Filter=SCP)["Policies"]
    assert len(attached) == 5


def test_the_last_scp_cannot_be_detached(org, ou):
    error = _error(org.detach_policy, PolicyId=FULL_ACCESS, TargetId=ou)
    assert error["Error"]["Code"] == "ConstraintViolationException"
    assert error["Reason"] == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
    policy_id = _scp(org)
    org.attach_policy(PolicyId=policy_id, TargetId=ou)
    org.detach_policy(PolicyId=FULL_ACCESS, TargetId=ou)
    attached = org.list_policies_for_target(TargetId=ou, Filter=SCP)["Policies"]
    assert [policy["Id"] for policy in attached] == [policy_id]
    error = _error(org.detach_policy, PolicyId=FULL_ACCESS, TargetId=ou)
    assert error["Error"]["Code"] == "PolicyNotAttachedException"


def test_scps_attach_only_while_the_policy_type_is_enabled(org, ou):
    root_id = org.list_roots()["Roots"][0]["Id"]
    policy_id = _scp(org)
    org.disable_policy_type(RootId=root_id, PolicyType=SCP)
    try:
        error = _error(org.attach_policy, PolicyId=policy_id, TargetId=ou)
    finally:
        org.enable_policy_type(RootId=root_id, PolicyType=SCP)
    assert error["Error"]["Code"] == "PolicyTypeNotEnabledException"
    org.attach_policy(PolicyId=policy_id, TargetId=ou)


# Resource control policies ("RCP syntax", "RCP evaluation" and the quotas page of the
# Organizations User Guide): moto knows the type; the sandbox adds AWS's checks.

RCP = "RESOURCE_CONTROL_POLICY"
RCP_FULL_ACCESS = "p-RCPFullAWSAccess"


def _rcp_document(sid: str = "Deny", **statement) -> str:
    deny = {"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [{**deny, **statement}]})


def _rcp(org, content: str | None = None) -> str:
    return org.create_policy(
        Name=f"rcp-{next(_names)}", Description="", Type=RCP, Content=content or _rcp_document()
    )["Policy"]["PolicySummary"]["Id"]


@pytest.fixture
def rcps_enabled(org):
    """The RCP policy type enabled on the root (the first RCP test enables it itself)."""
    root = org.list_roots()["Roots"][0]
    if not any(t["Type"] == RCP for t in root["PolicyTypes"]):
        org.enable_policy_type(RootId=root["Id"], PolicyType=RCP)
    return org


def test_rcps_attach_only_once_the_type_is_enabled(org, ou):
    policy_id = _rcp(org)
    error = _error(org.attach_policy, PolicyId=policy_id, TargetId=ou)
    assert error["Error"]["Code"] == "PolicyTypeNotEnabledException"
    root_id = org.list_roots()["Roots"][0]["Id"]
    root = org.enable_policy_type(RootId=root_id, PolicyType=RCP)["Root"]
    assert {"Type": RCP, "Status": "ENABLED"} in root["PolicyTypes"]
    org.attach_policy(PolicyId=policy_id, TargetId=ou)
    attached = org.list_policies_for_target(TargetId=ou, Filter=RCP)["Policies"]
    assert [p["Id"] for p in attached] == [RCP_FULL_ACCESS, policy_id]
    assert {p["Name"] for p in org.list_policies(Filter=RCP)["Policies"]} >= {"RCPFullAWSAccess"}


@pytest.mark.parametrize(
    ("content", "names"),
    [
        ("not json", "not valid JSON"),
        (_rcp_document(Effect="Allow"), "may only Deny"),
        (_rcp_document(Principal={"AWS": "*"}), 'Principal must be "*"'),
        (_rcp_document(Action="*"), 'Action "*" is refused'),
        (
            json.dumps({"Statement": json.loads(_rcp_document())["Statement"]}),
            '"Version": "2012-10-17"',
        ),
        (
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Deny", "Principal": "*", "NotAction": "s3:*", "Resource": "*"}
                    ],
                }
            ),
            "NotAction",
        ),
    ],
)
def test_a_malformed_rcp_is_refused(org, content, names):
    error = _error(org.create_policy, Name="bad-rcp", Description="", Type=RCP, Content=content)
    assert error["Error"]["Code"] == "MalformedPolicyDocumentException"
    assert names in error["Error"]["Message"]


def test_an_rcp_is_held_to_the_size_limit_on_update_too(org):
    policy_id = _rcp(org)
    long = _rcp_document("x" * MAX_SCP_CHARACTERS)
    error = _error(org.update_policy, PolicyId=policy_id, Content=long)
    assert error["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"
    error = _error(org.update_policy, PolicyId=policy_id, Content=_rcp_document(Effect="Allow"))
    assert error["Error"]["Code"] == "MalformedPolicyDocumentException"


def test_rcp_full_access_cannot_be_detached(rcps_enabled, ou):
    policy_id = _rcp(rcps_enabled)
    rcps_enabled.attach_policy(PolicyId=policy_id, TargetId=ou)
    error = _error(rcps_enabled.detach_policy, PolicyId=RCP_FULL_ACCESS, TargetId=ou)
    assert error["Error"]["Code"] == "ConstraintViolationException"
    rcps_enabled.detach_policy(PolicyId=policy_id, TargetId=ou)  # one's own RCPs detach
    attached = rcps_enabled.list_policies_for_target(TargetId=ou, Filter=RCP)["Policies"]
    assert [p["Id"] for p in attached] == [RCP_FULL_ACCESS]


def test_a_target_holds_at_most_five_rcps(rcps_enabled, ou):
    for _ in range(4):  # RCPFullAWSAccess is the first
        rcps_enabled.attach_policy(PolicyId=_rcp(rcps_enabled), TargetId=ou)
    error = _error(rcps_enabled.attach_policy, PolicyId=_rcp(rcps_enabled), TargetId=ou)
    assert error["Reason"] == "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
    assert "(5 RCPs)" in error["Error"]["Message"]
