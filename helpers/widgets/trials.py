"""Try as: act as someone in an account, make a call for real, and see a denial explained."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
from botocore.exceptions import ClientError
from IPython.display import display

from helpers import accounts
from helpers.aws import error_code, or_none, paginate
from helpers.kit import Kit
from helpers.policy import explain_access
from helpers.targets import ACCESS_ROLE, KitSession
from helpers.widgets.base import DENIALS, button, changed, through

SERVICE_LINKED_PATH = "/aws-service-role/"
OTHER_REGIONS = ("us-east-1", "us-west-2", "ap-southeast-1")
"""Regions offered besides the config's, to see a region guardrail at work."""


@dataclass(frozen=True)
class Trial:
    """An action to try: how to call it and the resource it acts on."""

    action: str
    note: str
    call: Callable[[KitSession, str, str], Any]
    resource: Callable[[str, str], str]
    writes: bool = False

    @property
    def service(self) -> str:
        return self.action.split(":", 1)[0]


def _bucket(account_id: str, region: str) -> str:
    return f"try-as-{account_id}-{region}"


def _create_bucket(session: KitSession, account_id: str, region: str) -> Any:
    where = {} if region == "us-east-1" else {"LocationConstraint": region}
    s3 = session.client("s3", region_name=region)
    return s3.create_bucket(Bucket=_bucket(account_id, region), CreateBucketConfiguration=where)


TRIALS = {
    t.action: t
    for t in (
        Trial(
            "s3:ListAllMyBuckets",
            "list the buckets",
            lambda s, a, r: s.client("s3", region_name=r).list_buckets()["Buckets"],
            lambda a, r: "*",
        ),
        Trial(
            "ec2:DescribeVpcs",
            "list the VPCs of the region",
            lambda s, a, r: s.client("ec2", region_name=r).describe_vpcs()["Vpcs"],
            lambda a, r: "*",
        ),
        Trial(
            "s3:CreateBucket",
            "creates a bucket",
            _create_bucket,
            lambda a, r: f"arn:aws:s3:::{_bucket(a, r)}",
            writes=True,
        ),
        Trial(
            "iam:CreateUser",
            "creates an IAM user",
            lambda s, a, r: s.client("iam").create_user(UserName="try-as-user")["User"],
            lambda a, r: f"arn:aws:iam::{a}:user/try-as-user",
            writes=True,
        ),
    )
}

OWN = "own credentials"


def _accounts(kit: Kit) -> dict[str, str]:
    """Label -> account id: the management account and the organization's active accounts,
    or the accounts outside it the config names (before step 02)."""
    management = kit.config.management_account
    labels = {f"{management.name} ({management.id})": management.id}
    for account in accounts.members(kit).values():
        if accounts.state(account) == "ACTIVE" and account["Id"] != management.id:
            labels[f"{account['Name']} ({account['Id']})"] = account["Id"]
    for account in kit.config.accounts:
        if account.invite and account.id not in labels.values():
            labels[f"{account.name} ({account.id}, outside the organization)"] = account.id
    return labels


def _profile(kit: Kit, account_id: str) -> str | None:
    return next((a.profile for a in kit.config.accounts if a.id == account_id), None)


def _principals(kit: Kit, account_id: str) -> dict[str, str]:
    """Label -> who to act as in the account: "" (the kit's way in: the management
    account's credentials or the access role), a role's name, or OWN."""
    labels: dict[str, str] = {}
    if account_id == kit.config.management_account.id:
        return {"the management account's kit credentials": ""}
    if _in_organization(kit, account_id):
        labels[f"role {ACCESS_ROLE} (from the management account)"] = ""
    if kit.outside(account_id, _profile(kit, account_id)) is not None:
        labels["the account's own credentials"] = OWN
    if "" in labels.values():
        for role in paginate(kit.account(account_id).client("iam"), "list_roles", "Roles"):
            name = role["RoleName"]
            if name != ACCESS_ROLE and not role["Path"].startswith(SERVICE_LINKED_PATH):
                labels[f"role {name}"] = name
    return labels


def _in_organization(kit: Kit, account_id: str) -> bool:
    orgs = kit.management.client("organizations")
    missing = ("AccountNotFoundException", "AWSOrganizationsNotInUseException")
    return or_none(orgs.describe_account, *missing, AccountId=account_id) is not None


def _explain(
    kit: Kit, error: ClientError, principal: str, action: str, resource: str, region: str
) -> None:
    print(f"Denied ({error_code(error)}): {error.response['Error']['Message']}")
    print("Why, layer by layer, read from the organization as it is now:")
    display(explain_access(kit, principal, action, resource, region))


def try_one(kit: Kit, account_id: str, who: str, action: str, region: str) -> None:
    """Act as `who` in the account (see `_principals`), call `action` in `region` for real
    and print what AWS answered; explain a denial. A role is assumed from the kit's session
    in the same account, so its trust policy decides, and a refusal is explained too."""
    trial = TRIALS[action]
    if trial.writes and not kit.apply:
        print(f"{action} {trial.note}, and this notebook only plans (apply = False).")
        return
    if who == OWN:
        session = kit.outside(account_id, _profile(kit, account_id))
        if session is None:
            print("The account's own credentials are gone (step 03 retires the old keys): pick")
            print(f"another way in, such as role {ACCESS_ROLE}.")
            return
    else:
        session = kit.account(account_id)
        if who:
            caller = session.client("sts").get_caller_identity()["Arn"]
            try:
                assumed = kit.target.assume(session, account_id, who)
            except ClientError as error:
                if error_code(error) not in DENIALS:
                    raise
                role = f"arn:aws:iam::{account_id}:role/{who}"
                _explain(kit, error, caller, "sts:AssumeRole", role, region)
                return
            session = kit.recorder.attach(assumed, account_id)
    caller = session.client("sts").get_caller_identity()["Arn"]
    print(f"As {caller}, in {region}: {action}")
    try:
        result = trial.call(session, account_id, region)
    except ClientError as error:
        if error_code(error) not in DENIALS:
            print(f"Not a denial: AWS answered {error_code(error)}: {error}")
            return
        _explain(kit, error, caller, action, trial.resource(account_id, region), region)
        return
    found = f", {len(result)} found" if isinstance(result, list) else ""
    print(f"Allowed: {trial.note}{found}.")
    changed(kit)


def _first_choice(kit: Kit, labels: dict[str, str]) -> str:
    """The account the try-as widget starts with: the team's original (invited) account,
    where the hand-made isolation lives, else the first member account."""
    invited = {a.id for a in kit.config.invited_accounts()}
    ids = list(labels.values())
    return next((i for i in ids if i in invited), ids[min(1, len(ids) - 1)])


def regions(kit: Kit) -> list[str]:
    return list(
        dict.fromkeys([kit.config.home_region, *kit.config.allowed_regions, *OTHER_REGIONS])
    )


def try_as(kit: Kit) -> w.VBox:
    """Pick an account, who to be there, an action and a region; "Run it for real" makes
    the call against the target and shows what AWS answered, with the explanation of a
    denial (helpers.policy.explain_access)."""
    out = w.Output()
    wide = w.Layout(width="460px")
    account = w.Dropdown(description="account", layout=wide)
    who = w.Dropdown(description="as", layout=wide)
    action = w.Dropdown(
        description="action",
        options=[(f"{t.action} ({t.note})", t.action) for t in TRIALS.values()],
        layout=wide,
    )
    region = w.Dropdown(description="region", options=regions(kit), layout=wide)
    run = button("Run it for real", "play", "warning")

    def load_principals(_: Any = None) -> None:
        choices = list(_principals(kit, account.value).items())
        who.options = choices
        who.value = choices[0][1] if choices else None  # the kit's own way in, when there is one

    def run_it() -> None:
        if who.value is None:
            print(f"Nobody to act as in account {account.value}: the kit has no way in yet.")
            return
        try_one(kit, account.value, who.value, action.value, region.value)

    labels = _accounts(kit)
    account.options = list(labels.items())
    account.value = _first_choice(kit, labels)
    load_principals()
    account.observe(through(out, load_principals), names="value")
    run.on_click(through(out, run_it))
    return w.VBox([w.HBox([account, who]), w.HBox([action, region]), run, out])
