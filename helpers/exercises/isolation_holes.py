"""Exercise: in the single account, find the holes in the hand-made walls between dev and
prod (a new dev role the bucket policy forgot, a rule that lets dev traffic into prod), and
close them without locking prod out."""

from __future__ import annotations

import json
from typing import Any

from helpers.exercises.framework import (
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.exercises.state import seeded
from helpers.kit import Kit
from helpers.policy import Policies, Policy, Request, ResourcePolicy, evaluate

NEW_ROLE = "dev-reports"
PORT = 8080


def _group_ids(ec2) -> dict[str, str]:
    groups = ec2.describe_security_groups()["SecurityGroups"]
    return {g["GroupName"]: g["GroupId"] for g in groups}


def setup(kit: Kit) -> dict[str, Any]:
    """The seeded original account, plus two things done in a hurry: a new dev role as broad
    as the old ones (the prod bucket policy names only dev-app), and a rule that lets the
    dev load balancer reach the prod web tier, "just to test"."""
    seed = seeded(kit)
    facts = {"original": seed["original_account_id"], **seed["resources"]}
    dev, prod = facts["dev"], facts["prod"]
    own = kit.outside(facts["original"])
    iam = own.client("iam")
    trust = iam.get_role(RoleName=dev["role"])["Role"]["AssumeRolePolicyDocument"]
    iam.create_role(
        RoleName=NEW_ROLE,
        AssumeRolePolicyDocument=json.dumps(trust),
        Tags=[{"Key": "env", "Value": "dev"}, {"Key": "owner", "Value": "data-team"}],
    )
    broad = iam.get_role_policy(RoleName=dev["role"], PolicyName="app-data")["PolicyDocument"]
    iam.put_role_policy(RoleName=NEW_ROLE, PolicyName="app-data", PolicyDocument=json.dumps(broad))
    ec2 = own.client("ec2")
    ids = _group_ids(ec2)
    ec2.authorize_security_group_ingress(
        GroupId=ids[prod["security_groups"][1]],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": PORT,
                "ToPort": PORT,
                "UserIdGroupPairs": [{"GroupId": ids[dev["security_groups"][0]]}],
            }
        ],
    )
    return facts


def _prod_object(facts: dict[str, Any]) -> str:
    return f"arn:aws:s3:::{facts['prod']['bucket']}/orders/2024-06.csv"


def _reaches_prod_data(iam, facts: dict[str, Any], bucket_policy: dict, role: str) -> bool:
    """Whether `role` may read a prod object, by the kit's evaluator over its policies, its
    tags (aws:PrincipalTag/...) and the prod bucket's policy."""
    names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    identity = tuple(
        Policy(name, iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
        for name in names
    )
    tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role)["Tags"]}
    original = facts["original"]
    request = Request(
        f"arn:aws:iam::{original}:role/{role}",
        "s3:GetObject",
        _prod_object(facts),
        context={f"aws:PrincipalTag/{key}": value for key, value in tags.items()},
    )
    resource = ResourcePolicy("the prod bucket policy", bucket_policy, original)
    return evaluate(request, Policies(identity=identity, resource=resource)).allowed


def _sources(ec2, group_name: str) -> set[str]:
    """The names of the groups a security group lets in."""
    names = {v: k for k, v in _group_ids(ec2).items()}
    [group] = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [group_name]}]
    )["SecurityGroups"]
    return {
        names.get(pair["GroupId"], pair["GroupId"])
        for rule in group["IpPermissions"]
        for pair in rule.get("UserIdGroupPairs", [])
    }


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    dev, prod, prod_object = facts["dev"], facts["prod"], _prod_object(facts)
    own = kit.outside(facts["original"])
    iam, ec2 = own.client("iam"), own.client("ec2")
    policy = json.loads(own.client("s3").get_bucket_policy(Bucket=prod["bucket"])["Policy"])
    dev_roles = [dev["role"], NEW_ROLE]
    leaks = [r for r in dev_roles if _reaches_prod_data(iam, facts, policy, r)]
    web, dev_alb = prod["security_groups"][1], dev["security_groups"][0]
    heard = _sources(ec2, web)
    if leaks == [NEW_ROLE] and dev_alb in heard and values.all_blank():
        return not_attempted(f"{NEW_ROLE} still reads prod's data and {web} still hears dev")
    if values["role_into_prod"] != NEW_ROLE:
        named = values.get("role_into_prod")
        why = (
            "is the one role the bucket policy's KeepDevOut statement already names"
            if named == dev["role"]
            else "is not the dev role that reaches prod's data"
        )
        return incorrect(
            f"role_into_prod is {named!r}: it {why}; compare the dev roles "
            "with the principals the bucket policy denies"
        )
    if values["group_open_to_dev"] != web:
        return incorrect(
            f"group_open_to_dev is {values.get('group_open_to_dev')!r}: look for the prod "
            "security group whose rule lets a dev group in (the controls table says 'only "
            "from ...')"
        )
    if leaks:
        return incorrect(f"{', '.join(leaks)} may still read {prod_object}")
    if not _reaches_prod_data(iam, facts, policy, prod["role"]):
        return incorrect(f"{prod['role']} may no longer read {prod_object}: prod is locked out")
    if dev_alb in heard:
        return incorrect(f"{web} still accepts tcp {PORT} from {dev_alb}")
    if prod["security_groups"][0] not in heard:
        return incorrect(f"{web} no longer accepts its own load balancer: the shop is down")
    return correct(
        f"no dev role reads prod's data and {web} hears only prod's load balancer. Each new "
        "role and each new rule needs the same care again; in accounts of their own, dev "
        "would reach prod through nothing but a declared path"
    )


EXERCISE = Definition(
    name="00_isolation_holes",
    title="One account: find the holes in the hand-made walls",
    teaches=("00_single_account",),
    minutes=20,
    answers=("role_into_prod", "group_open_to_dev"),
    setup=setup,
    check=check,
    hints=(
        "single_account.survey(own) lists the resources by env tag and the controls that keep "
        "dev and prod apart. Which dev roles exist, and which of them does the prod bucket "
        "policy deny? Which prod security group lets in more than prod?",
        "The bucket policy names one role. Instead of naming the next one too, deny every "
        "principal tagged env=dev: Principal '*' with a Condition on aws:PrincipalTag/env.",
        "put_bucket_policy(Bucket='acme-prod-data', Policy=...) with that Deny statement, and "
        "ec2.revoke_security_group_ingress(GroupId=<prod-web>, IpPermissions=[{'IpProtocol': "
        "'tcp', 'FromPort': 8080, 'ToPort': 8080, 'UserIdGroupPairs': [{'GroupId': "
        "<dev-alb>}]}]).",
    ),
)
