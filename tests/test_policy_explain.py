"""The explanation: the text and the HTML table name the layer, the OU, the policy and the
statement that decided, in plain English."""

from __future__ import annotations

from helpers.policy import Policies, Policy, Request, ResourcePolicy, ScpLevel, evaluate

ACCOUNT = "111122223333"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/Dev/alice"
OU = "OU Workloads (ou-abcd-12345678)"
FULL = Policy("FullAWSAccess", {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
ADMIN = Policy("admin", {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
REGIONS = Policy(
    "region-allow-list",
    {
        "Statement": {
            "Sid": "DenyOutsideRegions",
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}},
        }
    },
)
EU_ONLY = Policy(
    "eu-only",
    {
        "Statement": {
            "Sid": "AllowEU",
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        }
    },
)


def scps(*ou: Policy) -> tuple[ScpLevel, ...]:
    return (
        ScpLevel("root", "r-abcd", (FULL,)),
        ScpLevel("ou", "ou-abcd-12345678", ou, "Workloads"),
        ScpLevel("account", ACCOUNT, (FULL,)),
    )


def run_instances(region: str, policies: Policies, **extra) -> Request:
    request = Request(SESSION, "ec2:RunInstances", "*", region, organization="o-abc", **extra)
    return evaluate(request, policies)


def test_an_scp_deny_names_the_policy_the_ou_and_the_statement() -> None:
    decision = run_instances("eu-west-3", Policies((ADMIN,), scps(FULL, REGIONS)))
    assert decision.reasons() == [
        "denied by the SCP 'region-allow-list' attached to OU Workloads (ou-abcd-12345678): "
        "explicit Deny, statement DenyOutsideRegions"
    ]
    (cause,) = decision.deciding
    assert (cause.kind, cause.level, cause.policy, cause.sid) == (
        "scp",
        OU,
        "region-allow-list",
        "DenyOutsideRegions",
    )
    assert cause.statement == REGIONS.document["Statement"]
    assert str(decision).startswith("ExplicitlyDenied: " + SESSION)
    assert "SCPs at OU Workloads (ou-abcd-12345678) [Deny]" in decision.text()


def test_an_scp_level_without_allow_is_named_with_the_condition_it_missed() -> None:
    decision = run_instances("us-west-2", Policies((ADMIN,), scps(EU_ONLY)))
    assert decision.decision == "ImplicitlyDenied"
    assert decision.reasons() == [
        "no SCP attached to OU Workloads (ou-abcd-12345678) allows ec2:RunInstances"
    ]
    step = next(s for s in decision.steps if s.level == OU)
    assert step.said == "no Allow"
    assert "'eu-only' AllowEU: StringEquals aws:RequestedRegion not met" in step.detail


def test_every_layer_has_a_step_in_order() -> None:
    decision = run_instances("eu-west-1", Policies((ADMIN,), scps(FULL), boundary=ADMIN))
    assert decision.allowed
    assert [step.label for step in decision.steps] == [
        "SCPs at the root r-abcd",
        "SCPs at OU Workloads (ou-abcd-12345678)",
        f"SCPs at account {ACCOUNT}",
        "identity policies",
        "permissions boundary",
    ]
    assert "allowed by the identity policy 'admin', statement #0" in decision.text()


def test_a_layer_that_does_not_apply_says_why() -> None:
    decision = run_instances(
        "eu-west-3", Policies((ADMIN,), scps(REGIONS)), management_account=True
    )
    assert decision.allowed
    assert decision.steps[0].said == "not applied"
    assert "management account" in decision.steps[0].detail


def test_a_boundary_that_does_not_allow_is_named() -> None:
    boundary = Policy(
        "s3-only", {"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
    )
    decision = evaluate(Request(SESSION, "ec2:RunInstances"), Policies((ADMIN,), boundary=boundary))
    assert decision.reasons() == [
        "the permissions boundary 's3-only' does not allow ec2:RunInstances"
    ]


def test_a_missing_trust_policy_is_explained() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/Deploy"
    decision = evaluate(Request(SESSION, "sts:AssumeRole", role), Policies((ADMIN,)))
    assert decision.reasons() == [
        "no trust policy of the role allows this principal to call sts:AssumeRole"
    ]


def test_a_resource_grant_names_how_the_principal_was_named() -> None:
    bucket = ResourcePolicy(
        "bucket-policy",
        {
            "Statement": {
                "Sid": "TeamRead",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Dev"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
            }
        },
        ACCOUNT,
    )
    decision = evaluate(
        Request(SESSION, "s3:GetObject", "arn:aws:s3:::b/k"), Policies(resource=bucket)
    )
    assert decision.reasons() == [
        "allowed by the resource-based policy 'bucket-policy', statement TeamRead"
    ]
    assert decision.deciding[0].grant == "principal"


def test_html_is_a_table_with_escaped_text_and_bold_deciding_rows() -> None:
    decision = run_instances("eu-west-3", Policies((ADMIN,), scps(FULL, REGIONS)))
    page = decision._repr_html_()
    assert "<table>" in page and "<th>Layer</th>" in page
    assert "&#x27;region-allow-list&#x27;" in page
    assert '<tr style="font-weight:bold"><td>SCPs at OU Workloads' in page
    assert "<td>identity policies</td>" in page
    assert "DenyOutsideRegions" in page.split("<table>")[0]


def test_an_scp_level_is_structured_and_named_in_words() -> None:
    level = ScpLevel.of("ORGANIZATIONAL_UNIT", "ou-abcd-12345678", "Workloads", (FULL,))
    assert (level.kind, level.target_id, level.name) == ("ou", "ou-abcd-12345678", "Workloads")
    assert level.label == OU
    assert ScpLevel.of("ROOT", "r-abcd", "Root", ()).label == "the root r-abcd"
    assert ScpLevel.of("ACCOUNT", ACCOUNT, "dev", ()).label == f"account dev ({ACCOUNT})"


def test_a_deciding_scp_names_its_level_and_the_levels_id() -> None:
    (cause,) = run_instances("eu-west-3", Policies((ADMIN,), scps(FULL, REGIONS))).deciding
    assert (cause.level, cause.target) == (OU, "ou-abcd-12345678")
