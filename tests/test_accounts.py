"""Steps 01-02 helpers against the in-process sandbox: async creation, limits, plan, pending."""

from __future__ import annotations

import json
from functools import partial

import pytest

from helpers import accounts, organization
from helpers.kit import Kit, KitError
from helpers.targets import Target
from tests.conftest import make_kit as shared_make_kit

make_kit = partial(shared_make_kit, step="02_test")


def extra_accounts(n: int):
    def change(data: dict) -> None:
        data["accounts"] += [
            {"name": f"app{i}", "email": f"app{i}@example.com", "ou": "Workloads/Dev"}
            for i in range(n)
        ]

    return change


def writes(kit: Kit) -> int:
    return kit.recorder.totals()["write"]


def test_at_most_five_creations_are_in_flight(clean_sandbox, tmp_path):
    clean_sandbox.configure(create_account_seconds=0.4, account_quota=20)
    kit = make_kit(clean_sandbox, tmp_path, True, extra_accounts(5))
    organization.ensure_organization(kit)
    observer = (
        Target.sandbox(clean_sandbox.url, "eu-central-1").management().client("organizations")
    )
    in_flight = []

    def count(**_) -> None:
        statuses = observer.list_create_account_status(States=["IN_PROGRESS"])
        in_flight.append(len(statuses["CreateAccountStatuses"]))

    orgs = kit.management.client("organizations")
    orgs.meta.events.register("before-call.organizations.CreateAccount", count)
    ids = accounts.ensure_accounts(kit)
    assert len(in_flight) == 8  # log-archive, dev, prod and five apps
    assert max(in_flight) == accounts.MAX_IN_FLIGHT - 1  # never a sixth while five run
    assert all(ids.values()) and len(set(ids.values())) == 8


def test_a_creation_in_progress_is_waited_for_not_repeated(clean_sandbox, tmp_path):
    clean_sandbox.configure(create_account_seconds=0.5)
    kit = make_kit(clean_sandbox, tmp_path)
    organization.ensure_organization(kit)
    kit.management.client("organizations").create_account(
        AccountName="dev", Email="dev@example.com"
    )
    ids = accounts.ensure_accounts(kit)
    creates = [r for r in kit.recorder.operations() if r["operation"] == "CreateAccount"]
    assert creates[0]["count"] == 3  # the other three; dev was already on its way
    assert ids["dev"] is not None


def test_the_account_quota_fails_with_reason_and_advice(clean_sandbox, tmp_path):
    clean_sandbox.configure(account_quota=3)  # management + two more
    kit = make_kit(clean_sandbox, tmp_path)
    organization.ensure_organization(kit)
    with pytest.raises(KitError) as raised:
        accounts.ensure_accounts(kit)
    assert "ACCOUNT_LIMIT_EXCEEDED" in str(raised.value)
    assert "Service Quotas" in str(raised.value)
    assert str(raised.value).count("CreateAccount failed") == 1  # two of three were created


def test_plan_makes_no_write_and_lists_every_change(clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox, tmp_path, apply=False)
    assert organization.ensure_organization(kit) is None
    ous = accounts.ensure_ous(kit)
    created = accounts.ensure_accounts(kit)
    invited = accounts.ensure_invitations(kit)
    accounts.ensure_access_roles(kit)
    accounts.ensure_placement(kit, {**created, **invited}, ous)
    assert writes(kit) == 0
    planned = [(c.action, c.resource) for c in kit.changes]
    assert ("create", "organization") in planned
    assert ("create", "OU Workloads/Dev") in planned
    assert ("create", "account prod") in planned
    assert ("invite", "account original (444455556666)") in planned
    assert ("move", "account dev") in planned
    assert json.loads(json.dumps(kit.finish().to_dict()))["rows"][0][3] == "planned"


def test_an_invitation_without_the_accounts_credentials_waits_for_a_person(clean_sandbox, tmp_path):
    def stranger(data: dict) -> None:
        data["accounts"][3]["id"] = "999988887777"  # the sandbox holds no keys for it

    kit = make_kit(clean_sandbox, tmp_path, True, stranger)
    organization.ensure_organization(kit)
    invited = accounts.ensure_invitations(kit)
    assert invited == {"original": None}
    assert [c.action for c in kit.changes] == ["create", "invite"]
    assert "accept the invitation" in kit.todo[0]
    handshake = accounts.open_invitation(kit, "999988887777")
    assert handshake["State"] == "OPEN"
    again = make_kit(clean_sandbox, tmp_path, True, stranger)
    accounts.ensure_invitations(again)
    assert writes(again) == 0  # the open invitation is found, not sent twice


def test_the_wrong_credentials_are_refused_before_any_write(clean_sandbox, tmp_path):
    def other_management(data: dict) -> None:
        data["management_account"]["id"] = "210987654321"

    kit = make_kit(clean_sandbox, tmp_path, True, other_management)
    with pytest.raises(KitError, match="management_account.id"):
        organization.ensure_organization(kit)
    assert writes(kit) == 0


def test_recorder_of_a_kit_sees_assumed_role_calls(clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox, tmp_path)
    organization.ensure_organization(kit)
    accounts.ensure_accounts(kit)
    dev = accounts.members(kit)
    dev_id = next(i for i, a in dev.items() if a["Name"] == "dev")
    kit.account(dev_id).client("s3").list_buckets()
    calls = {(r["operation"], r["account"]) for r in kit.recorder.operations()}
    assert ("AssumeRole", "123456789012") in calls
    assert ("ListBuckets", dev_id) in calls


def test_a_closed_accounts_email_is_refused_before_any_creation(clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox, tmp_path)
    organization.ensure_organization(kit)
    orgs = kit.management.client("organizations")
    status = orgs.create_account(AccountName="dev", Email="dev@example.com")["CreateAccountStatus"]
    while status["State"] == "IN_PROGRESS":
        status = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])
        status = status["CreateAccountStatus"]
    orgs.close_account(AccountId=status["AccountId"])
    again = make_kit(clean_sandbox, tmp_path)
    with pytest.raises(KitError, match=f"account dev \\({status['AccountId']}\\) is "):
        accounts.ensure_accounts(again)
    assert writes(again) == 0  # log-archive and prod were not created either


@pytest.mark.parametrize(
    ("other_run_seconds", "advice"),
    [
        (30, "still in progress (another run of the kit?): wait until it finishes, then run again"),
        (0.1, "which request car-"),
    ],
    ids=["still-in-progress", "finished-meanwhile"],
)
def test_an_email_taken_by_the_kits_own_creation_says_wait_or_run_again(
    clean_sandbox, tmp_path, other_run_seconds, advice
):
    """Another run creates dev between this run's look-up and its CreateAccount: AWS answers
    EMAIL_ALREADY_EXISTS, and the advice is the kit's own request, not a new address."""
    kit = make_kit(clean_sandbox, tmp_path)
    organization.ensure_organization(kit)
    other_run = (
        Target.sandbox(clean_sandbox.url, "eu-central-1").management().client("organizations")
    )

    def another_run_first(params: dict, **_) -> None:
        if params["AccountName"] == "dev":
            clean_sandbox.configure(create_account_seconds=other_run_seconds)
            other_run.create_account(AccountName="dev", Email="dev@example.com")
            clean_sandbox.configure(create_account_seconds=0.3)

    orgs = kit.management.client("organizations")
    orgs.meta.events.register(
        "provide-client-params.organizations.CreateAccount", another_run_first
    )
    with pytest.raises(KitError) as raised:
        accounts.ensure_accounts(kit, poll_seconds=0.5)
    message = str(raised.value)
    assert message.startswith("account dev: CreateAccount failed with EMAIL_ALREADY_EXISTS: ")
    assert advice in message and "choose a new address" not in message
