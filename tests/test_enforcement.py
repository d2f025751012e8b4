"""Sandbox enforcement over HTTP through boto3: SCPs, trust policies, identity and resource
policies, each denial in its service's shape and AWS's wording.

The wording follows the IAM User Guide, "Troubleshoot access denied error messages": "User:
ARN is not authorized to perform: ACTION [on resource: ARN] with an explicit deny in a
service control policy" / "because no identity-based policy allows the ACTION action"; EC2
answers UnauthorizedOperation with an "Encoded authorization failure message" (EC2 API
reference, "Error codes"), decoded by sts:DecodeAuthorizationMessage.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError

from helpers import scp_documents
from helpers.policy import GLOBAL_SERVICES
from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, ORIGINAL_ACCOUNT_ID, SANDBOX_REGION, Sandbox
from helpers.targets import KitSession, Target
from tests.conftest import SESSION_SETTINGS, creation_settled

DENIED_REGION, ALLOWED_REGION = "us-west-2", "eu-west-1"
REGIONS_SCP = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyOutsideAllowedRegions",
            "Effect": "Deny",
            "NotAction": sorted(f"{service}:*" for service in GLOBAL_SERVICES | {"sts"}),
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]}
            },
        }
    ],
}
SCP_DENY = "with an explicit deny in a service control policy"


@dataclass
class Org:
    """A small organization: root > OU Workloads > account dev, the region SCP on the OU."""

    target: Target
    management: KitSession
    root: str
    ou: str
    dev: str
    scp: str

    def member(self, account_id: str | None = None) -> KitSession:
        """A session in a member account through its OrganizationAccountAccessRole."""
        return self.target.assume(self.management, account_id or self.dev)

    def outside(self) -> KitSession:
        """The original account's own credentials (team-admin, outside the organization)."""
        session = self.target.outside_account(ORIGINAL_ACCOUNT_ID, None)
        assert session is not None
        return session


def build_org(sandbox: Sandbox) -> Org:
    """Reset the sandbox and build the organization with direct calls."""
    sandbox.configure(**SESSION_SETTINGS)
    sandbox.reset()
    target = Target.sandbox(sandbox.url, SANDBOX_REGION)
    management = target.management()
    orgs = management.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    ou = orgs.create_organizational_unit(ParentId=root, Name="Workloads")
    ou_id = ou["OrganizationalUnit"]["Id"]
    request = orgs.create_account(AccountName="dev", Email="dev@example.com")
    status = creation_settled(orgs, request["CreateAccountStatus"]["Id"])
    dev = status["AccountId"]
    orgs.move_account(AccountId=dev, SourceParentId=root, DestinationParentId=ou_id)
    policy = orgs.create_policy(
        Name="allowed-regions",
        Description="Only the approved regions, global services exempted",
        Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps(REGIONS_SCP),
    )["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(PolicyId=policy, TargetId=ou_id)
    return Org(target, management, root, ou_id, dev, policy)


@pytest.fixture(scope="module")
def org(sandbox: Sandbox) -> Iterator[Org]:
    """One organization for this module's tests (each adds only resources of its own)."""
    yield build_org(sandbox)


def error_of(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response["Error"]


def create_bucket(session: KitSession, region: str, name: str) -> dict:
    return session.client("s3", region_name=region).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": region}
    )


# The region allow-list SCP --------------------------------------------------------------


def test_a_member_cannot_create_a_bucket_in_a_denied_region(org: Org) -> None:
    error = error_of(create_bucket, org.member(), DENIED_REGION, "dev-west-2")
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (
        f"User: arn:aws:sts::{org.dev}:assumed-role/OrganizationAccountAccessRole/org-kit is "
        'not authorized to perform: s3:CreateBucket on resource: "arn:aws:s3:::dev-west-2" '
        f"{SCP_DENY}"
    )


def test_a_member_cannot_list_queues_in_a_denied_region(org: Org) -> None:
    sqs = org.member().client("sqs", region_name=DENIED_REGION)
    error = error_of(sqs.list_queues)
    assert error["Code"] == "AccessDenied"
    assert "sqs:ListQueues" in error["Message"] and error["Message"].endswith(SCP_DENY)


def test_the_same_calls_succeed_in_an_allowed_region(org: Org) -> None:
    member = org.member()
    create_bucket(member, ALLOWED_REGION, "dev-west-1")
    member.client("sqs", region_name=ALLOWED_REGION).list_queues()
    assert "dev-west-1" in [b["Name"] for b in member.client("s3").list_buckets()["Buckets"]]


def test_global_services_are_exempted(org: Org) -> None:
    iam = org.member().client("iam", region_name=DENIED_REGION)
    names = [role["RoleName"] for role in iam.list_roles()["Roles"]]
    assert "OrganizationAccountAccessRole" in names


def test_ec2_denies_with_an_encoded_message_that_sts_decodes(org: Org) -> None:
    member = org.member()
    ec2 = member.client("ec2", region_name=DENIED_REGION)
    error = error_of(ec2.run_instances, ImageId="ami-12345678", MinCount=1, MaxCount=1)
    assert error["Code"] == "UnauthorizedOperation"
    assert error["Message"].startswith("You are not authorized to perform this operation.")
    assert SCP_DENY in error["Message"]
    encoded = error["Message"].rsplit("Encoded authorization failure message: ", 1)[1]
    decoded = member.client("sts").decode_authorization_message(EncodedMessage=encoded)
    message = json.loads(decoded["DecodedMessage"])
    assert message["allowed"] is False and message["explicitDeny"] is True
    assert message["context"]["action"] == "ec2:RunInstances"
    assert message["context"]["principal"]["arn"].endswith("OrganizationAccountAccessRole/org-kit")
    assert [s["Sid"] for s in message["matchedStatements"]["items"]] == [
        "DenyOutsideAllowedRegions"
    ]
    garbage = error_of(member.client("sts").decode_authorization_message, EncodedMessage="xyz")
    assert garbage["Code"] == "InvalidAuthorizationMessageException"


def test_a_rest_json_service_denies_with_access_denied_exception(org: Org) -> None:
    guardduty = org.member().client("guardduty", region_name=DENIED_REGION)
    error = error_of(guardduty.list_detectors)
    assert error["Code"] == "AccessDeniedException"
    assert "guardduty:ListDetectors" in error["Message"] and SCP_DENY in error["Message"]


def test_the_management_account_is_not_affected(org: Org) -> None:
    bucket = create_bucket(org.management, DENIED_REGION, "management-west-2")
    assert bucket["Location"].endswith("management-west-2")
    queues = org.management.client("sqs", region_name=DENIED_REGION).list_queues()
    assert queues["ResponseMetadata"]["HTTPStatusCode"] == 200
    ec2 = org.management.client("ec2", region_name=DENIED_REGION)
    [instance] = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"]
    assert instance["Placement"]["AvailabilityZone"].startswith(DENIED_REGION)


def test_an_account_outside_the_organization_is_not_affected(org: Org) -> None:
    bucket = create_bucket(org.outside(), DENIED_REGION, "original-west-2")
    assert bucket["Location"].endswith("original-west-2")


# sts:AssumeRole ------------------------------------------------------------------------


def make_role(session: KitSession, name: str, trusted: str, policy: dict | None = None) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}
        ],
    }
    iam = session.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if policy:
        iam.put_role_policy(
            RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy)
        )
    return arn


def assume(session: KitSession, arn: str) -> dict:
    return session.client("sts").assume_role(RoleArn=arn, RoleSessionName="tester")


def test_assume_role_into_a_missing_role_is_denied(org: Org) -> None:
    arn = f"arn:aws:iam::{ORIGINAL_ACCOUNT_ID}:role/no-such-role"
    error = error_of(assume, org.member(), arn)
    assert error["Code"] == "AccessDenied"
    assert error["Message"].endswith(
        f"is not authorized to perform: sts:AssumeRole on resource: {arn}"
    )


def test_assume_role_needs_a_trust_policy_naming_the_callers_account(org: Org) -> None:
    wrong = make_role(org.outside(), "trusts-someone-else", "111122223333")
    right = make_role(org.outside(), "trusts-dev", org.dev)
    assert error_of(assume, org.member(), wrong)["Code"] == "AccessDenied"
    credentials = assume(org.member(), right)["Credentials"]
    assert credentials["AccessKeyId"]
    # the management account is no exception to trust policies
    assert error_of(assume, org.management, wrong)["Code"] == "AccessDenied"


def test_across_accounts_the_callers_identity_policy_must_allow_assume_role(org: Org) -> None:
    iam = org.member().client("iam")
    iam.create_user(UserName="no-policies")
    key = iam.create_access_key(UserName="no-policies")["AccessKey"]
    user = org.target._session(
        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    arn = make_role(org.outside(), "trusts-dev-users", org.dev)
    error = error_of(assume, user, arn)
    assert error["Code"] == "AccessDenied"
    assert error["Message"].endswith(
        "because no identity-based policy allows the sts:AssumeRole action"
    )


# identity policies within an account ---------------------------------------------------


def role_session(org: Org, name: str, policy: dict) -> KitSession:
    """A session of a new role in dev, trusted by dev, with one inline policy."""
    arn = make_role(org.member(), name, org.dev, policy)
    c = assume(org.member(), arn)["Credentials"]
    return org.target._session(
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
    )


def test_a_roles_own_policy_limits_it_where_scps_allow(org: Org) -> None:
    reader = role_session(
        org,
        "bucket-reader",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
        },
    )
    reader.client("s3", region_name=ALLOWED_REGION).list_buckets()
    error = error_of(reader.client("sqs", region_name=ALLOWED_REGION).list_queues)
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (
        f"User: arn:aws:sts::{org.dev}:assumed-role/bucket-reader/tester is not authorized to "
        "perform: sqs:ListQueues because no identity-based policy allows the sqs:ListQueues action"
    )


def test_an_explicit_deny_in_an_identity_policy_is_named(org: Org) -> None:
    denied = role_session(
        org,
        "no-s3",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
            ],
        },
    )
    error = error_of(denied.client("s3").list_buckets)
    assert error["Message"].endswith("with an explicit deny in an identity-based policy")


# resource policies across accounts ------------------------------------------------------


def test_cross_account_s3_needs_the_bucket_policy_too(org: Org) -> None:
    owner = org.outside().client("s3")
    owner.create_bucket(
        Bucket="shared-data", CreateBucketConfiguration={"LocationConstraint": SANDBOX_REGION}
    )
    reader = org.member().client("s3")
    error = error_of(reader.put_object, Bucket="shared-data", Key="a.txt", Body=b"x")
    assert error["Code"] == "AccessDenied"
    assert error["Message"].endswith(
        "because no resource-based policy allows the s3:PutObject action"
    )
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{org.dev}:root"},
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::shared-data/*",
            }
        ],
    }
    owner.put_bucket_policy(Bucket="shared-data", Policy=json.dumps(grant))
    reader.put_object(Bucket="shared-data", Key="a.txt", Body=b"x")
    assert owner.get_object(Bucket="shared-data", Key="a.txt")["Body"].read() == b"x"
    assert error_of(reader.get_object, Bucket="shared-data", Key="a.txt")["Code"] == "AccessDenied"


def test_cross_account_sqs_needs_the_queue_policy_too(org: Org) -> None:
    owner = org.outside().client("sqs")
    url = owner.create_queue(QueueName="orders")["QueueUrl"]
    sender = org.member().client("sqs")
    error = error_of(sender.send_message, QueueUrl=url, MessageBody="hello")
    assert error["Code"] == "AccessDenied"
    assert "no resource-based policy allows the sqs:SendMessage action" in error["Message"]
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": org.dev},
                "Action": "sqs:SendMessage",
                "Resource": f"arn:aws:sqs:{SANDBOX_REGION}:{ORIGINAL_ACCOUNT_ID}:orders",
            }
        ],
    }
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(grant)})
    sender.send_message(QueueUrl=url, MessageBody="hello")
    received = owner.receive_message(QueueUrl=url)["Messages"]
    assert [m["Body"] for m in received] == ["hello"]


def test_management_credentials_still_reach_member_accounts(org: Org) -> None:
    assert MANAGEMENT_ACCOUNT_ID != org.dev
    identity = org.member().client("sts").get_caller_identity()
    assert identity["Account"] == org.dev


# The data perimeter: aws:PrincipalOrgID, aws:ResourceOrgID and RCPs --------------------
# (IAM User Guide, "AWS global condition context keys"; Organizations User Guide, "Resource
# control policies (RCPs)": they limit what anyone may do to a member account's resources)

RCP = "RESOURCE_CONTROL_POLICY"
RCP_DENY = "with an explicit deny in a resource control policy"


def organization_id(org: Org) -> str:
    return org.management.client("organizations").describe_organization()["Organization"]["Id"]


def shared_bucket(session: KitSession, name: str, readers: list[str], *extra: dict) -> None:
    """A bucket in `session`'s account, readable by `readers` (account ids), holding a.txt."""
    s3 = session.client("s3")
    create_bucket(session, SANDBOX_REGION, name)
    s3.put_object(Bucket=name, Key="a.txt", Body=b"x")
    read = {
        "Effect": "Allow",
        "Principal": {"AWS": readers},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{name}/*",
    }
    policy = {"Version": "2012-10-17", "Statement": [read, *extra]}
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))


def read(session: KitSession, bucket: str) -> bytes:
    return session.client("s3").get_object(Bucket=bucket, Key="a.txt")["Body"].read()


AttachRcp = Callable[[str, dict, str], None]


@pytest.fixture
def attach_rcp(org: Org) -> Iterator[AttachRcp]:
    """attach(name, document, target): an RCP created and attached (the RCP type enabled
    first); every attachment is undone after the test."""
    orgs = org.management.client("organizations")
    root = orgs.list_roots()["Roots"][0]
    if not any(t["Type"] == RCP for t in root["PolicyTypes"]):
        orgs.enable_policy_type(RootId=org.root, PolicyType=RCP)
    attached: list[tuple[str, str]] = []

    def attach(name: str, document: dict, target: str) -> None:
        policy = orgs.create_policy(
            Name=name, Description=name, Type=RCP, Content=scp_documents.content(document)
        )["Policy"]["PolicySummary"]["Id"]
        orgs.attach_policy(PolicyId=policy, TargetId=target)
        attached.append((policy, target))

    yield attach
    for policy, target in attached:
        orgs.detach_policy(PolicyId=policy, TargetId=target)


def perimeter(org: Org) -> dict:
    """The kit's data-perimeter RCP for this organization."""
    return scp_documents.data_perimeter_rcp(organization_id(org))


def test_a_bucket_policy_on_aws_principal_org_id_keeps_outsiders_out(org: Org) -> None:
    outside_org = {
        "Sid": "OrganizationOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::dev-org-only", "arn:aws:s3:::dev-org-only/*"],
        "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": organization_id(org)}},
    }
    readers = [ORIGINAL_ACCOUNT_ID, MANAGEMENT_ACCOUNT_ID]
    shared_bucket(org.member(), "dev-org-only", readers, outside_org)
    assert read(org.management, "dev-org-only") == b"x"  # in the organization
    error = error_of(read, org.outside(), "dev-org-only")
    assert error["Code"] == "AccessDenied"
    assert error["Message"].endswith("with an explicit deny in a resource-based policy")


def test_an_identity_policy_on_aws_resource_org_id_keeps_writes_inside(org: Org) -> None:
    org.outside().client("s3").create_bucket(
        Bucket="outside-drop", CreateBucketConfiguration={"LocationConstraint": SANDBOX_REGION}
    )
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": org.dev},
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::outside-drop/*",
            }
        ],
    }
    org.outside().client("s3").put_bucket_policy(Bucket="outside-drop", Policy=json.dumps(grant))
    create_bucket(org.member(), ALLOWED_REGION, "dev-drop")
    writer = role_session(
        org,
        "writes-inside",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {
                    "Effect": "Deny",
                    "Action": "s3:PutObject",
                    "Resource": "*",
                    "Condition": {
                        "StringNotEqualsIfExists": {"aws:ResourceOrgID": organization_id(org)}
                    },
                },
            ],
        },
    ).client("s3")
    writer.put_object(Bucket="dev-drop", Key="a.txt", Body=b"x")
    error = error_of(writer.put_object, Bucket="outside-drop", Key="a.txt", Body=b"x")
    assert error["Message"].endswith("with an explicit deny in an identity-based policy")


def test_an_rcp_keeps_outsiders_from_a_member_bucket_its_policy_opens(
    org: Org, attach_rcp: AttachRcp
) -> None:
    shared_bucket(org.member(), "dev-shared", [ORIGINAL_ACCOUNT_ID, MANAGEMENT_ACCOUNT_ID])
    assert read(org.outside(), "dev-shared") == b"x"  # the RCP type alone changes nothing
    attach_rcp("perimeter-on-workloads", perimeter(org), org.ou)
    error = error_of(read, org.outside(), "dev-shared")
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (
        f"User: arn:aws:iam::{ORIGINAL_ACCOUNT_ID}:user/team-admin is not authorized to "
        f'perform: s3:GetObject on resource: "arn:aws:s3:::dev-shared/a.txt" {RCP_DENY}'
    )
    assert read(org.management, "dev-shared") == b"x"  # the organization's own pass
    assert read(org.member(), "dev-shared") == b"x"


def test_an_rcp_limits_sqs_and_assume_role_on_member_resources(
    org: Org, attach_rcp: AttachRcp
) -> None:
    sqs = org.member().client("sqs")
    url = sqs.create_queue(QueueName="dev-inbox")["QueueUrl"]
    arn = f"arn:aws:sqs:{SANDBOX_REGION}:{org.dev}:dev-inbox"
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ORIGINAL_ACCOUNT_ID},
                "Action": "sqs:SendMessage",
                "Resource": arn,
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(grant)})
    role = make_role(org.member(), "trusts-the-original", ORIGINAL_ACCOUNT_ID)
    outside_sqs = org.outside().client("sqs")
    outside_sqs.send_message(QueueUrl=url, MessageBody="before")
    assert assume(org.outside(), role)["Credentials"]["AccessKeyId"]
    attach_rcp("perimeter-for-queues-and-roles", perimeter(org), org.ou)
    error = error_of(outside_sqs.send_message, QueueUrl=url, MessageBody="after")
    assert error["Code"] == "AccessDenied" and error["Message"].endswith(RCP_DENY)
    error = error_of(assume, org.outside(), role)
    assert error["Message"].endswith(f"sts:AssumeRole on resource: {role} {RCP_DENY}")


def test_rcps_leave_the_management_accounts_resources_alone(
    org: Org, attach_rcp: AttachRcp
) -> None:
    shared_bucket(org.management, "management-shared", [ORIGINAL_ACCOUNT_ID])
    attach_rcp("perimeter-on-the-root", perimeter(org), org.root)
    assert read(org.outside(), "management-shared") == b"x"
