"""Step 03 helpers against the in-process sandbox: plan, apply, change, unlisted, no instance."""

from __future__ import annotations

from functools import partial

import pytest
from botocore.stub import Stubber

from helpers import identity_center as ic
from helpers.kit import Kit, KitError
from helpers.sandbox import MANAGEMENT_ACCOUNT_ID
from tests.conftest import make_kit as shared_make_kit
from tests.conftest import requests_received

EXPECTED = {
    "alice": {"dev": ("AdministratorAccess",), "prod": ("ReadOnlyAccess",),
              "original": ("ReadOnlyAccess",)},
    "bob": {"dev": ("AdministratorAccess",), "prod": ("ReadOnlyAccess",),
            "original": ("ReadOnlyAccess",)},
    "carol": {name: ("AdministratorAccess",)
              for name in ("management", "log-archive", "dev", "prod", "original")},
}  # fmt: skip


def only_management(data: dict) -> None:
    """Assignments in the management account only: no member account needs creating."""
    data["identity_center"]["assignments"] = [
        {"group": "administrators", "permission_set": "AdministratorAccess",
         "accounts": ["management"]},
        {"user": "alice", "permission_set": "ReadOnlyAccess", "accounts": ["management"]},
    ]  # fmt: skip


make_kit = partial(shared_make_kit, step="03_test")


def writes(kit: Kit) -> int:
    return kit.recorder.totals()["write"]


def seen(reaches: dict[str, list[ic.Access]]) -> dict[str, dict[str, tuple[str, ...]]]:
    return {
        user: {a.account: a.permission_sets for a in access} for user, access in reaches.items()
    }


def test_plan_on_a_fresh_sandbox_writes_nothing_and_lists_everything(clean_sandbox, tmp_path):
    before = requests_received(clean_sandbox.url)
    kit = make_kit(clean_sandbox, tmp_path, False)
    directory = ic.ensure_identity_center(kit)
    assert writes(kit) == 0
    assert sum(kit.recorder.totals().values()) == requests_received(clean_sandbox.url) - before
    changes = {(c.action, c.resource) for c in kit.changes}
    assert ("create", "user alice") in changes and ("create", "group developers") in changes
    assert ("create", "permission set ReadOnlyAccess") in changes
    assert ("add", "member carol of group administrators") in changes
    assigned = [c for c in kit.changes if c.action == "assign"]
    assert len(assigned) == 8  # dev, prod, original for developers; five for administrators
    assert seen(ic.reach(kit, directory)) == EXPECTED  # from the config while only planned
    assert ic.write_cli_configs(kit, directory, ic.reach(kit, directory)).keys() == EXPECTED.keys()


def test_apply_then_nothing_left_to_do(clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox, tmp_path, True, only_management)
    directory = ic.ensure_identity_center(kit)
    assert writes(kit) > 0
    assert seen(ic.reach(kit, directory)) == {
        "alice": {"management": ("ReadOnlyAccess",)},
        "bob": {},
        "carol": {"management": ("AdministratorAccess",)},
    }
    again = make_kit(clean_sandbox, tmp_path, True, only_management)
    ic.ensure_identity_center(again)
    assert writes(again) == 0 and again.changes == []


def test_changed_permission_set_and_user_are_updated_and_provisioned_again(clean_sandbox, tmp_path):
    ic.ensure_identity_center(make_kit(clean_sandbox, tmp_path, True, only_management))

    def change(data: dict) -> None:
        read_only = data["identity_center"]["permission_sets"][1]
        read_only["session_duration"] = "PT2H"
        del read_only["inline_policy"]
        read_only["managed_policies"].append("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")
        data["identity_center"]["users"][0]["display_name"] = "Alice Martin-Roy"
        data["identity_center"]["groups"][0]["description"] = "Builders"

    plan = make_kit(clean_sandbox, tmp_path, False, only_management, change)
    ic.ensure_identity_center(plan)
    planned = {(c.action, c.resource, c.detail) for c in plan.changes}
    assert writes(plan) == 0
    assert ("provision", "permission set ReadOnlyAccess", "to 1 account(s)") in planned

    kit = make_kit(clean_sandbox, tmp_path, True, only_management, change)
    directory = ic.ensure_identity_center(kit)
    done = {(c.action, c.resource) for c in kit.changes}
    assert done == {
        ("update", "permission set ReadOnlyAccess"),
        ("attach", "permission set ReadOnlyAccess"),
        ("delete", "permission set ReadOnlyAccess"),
        ("provision", "permission set ReadOnlyAccess"),
        ("update", "user alice"),
        ("update", "group developers"),
    }
    sso = kit.management.client("sso-admin")
    ids = {
        "InstanceArn": directory.instance.arn,
        "PermissionSetArn": directory.permission_sets["ReadOnlyAccess"],
    }
    outdated = sso.list_accounts_for_provisioned_permission_set(
        **ids, ProvisioningStatus=ic.OUTDATED
    )
    assert outdated["AccountIds"] == []
    assert sso.describe_permission_set(**ids)["PermissionSet"]["SessionDuration"] == "PT2H"
    store = kit.management.client("identitystore")
    user = store.describe_user(
        IdentityStoreId=directory.instance.store_id, UserId=directory.users["alice"]
    )
    assert (user["DisplayName"], user["Name"]["FamilyName"]) == ("Alice Martin-Roy", "Martin-Roy")

    again = make_kit(clean_sandbox, tmp_path, True, only_management, change)
    ic.ensure_identity_center(again)
    assert writes(again) == 0


def test_unlisted_assignment_is_reported_and_removed_only_when_asked(clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox, tmp_path, True, only_management)
    directory = ic.ensure_identity_center(kit)
    sso = kit.management.client("sso-admin")
    extra = sso.create_account_assignment(
        InstanceArn=directory.instance.arn,
        TargetId=MANAGEMENT_ACCOUNT_ID,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=directory.permission_sets["AdministratorAccess"],
        PrincipalType="USER",
        PrincipalId=directory.users["bob"],
    )["AccountAssignmentCreationStatus"]
    sso.describe_account_assignment_creation_status(
        InstanceArn=directory.instance.arn, AccountAssignmentCreationRequestId=extra["RequestId"]
    )
    kept = make_kit(clean_sandbox, tmp_path, True, only_management)
    found = ic.ensure_identity_center(kept).unlisted
    assert [g.label for g in found] == ["user bob: AdministratorAccess in management"]
    assert writes(kept) == 0
    assert ic.unlisted_table(found).rows == [["user bob", "AdministratorAccess", "management"]]

    def remove(data: dict) -> None:
        data["identity_center"]["remove_unlisted_assignments"] = True

    removing = make_kit(clean_sandbox, tmp_path, True, only_management, remove)
    ic.ensure_identity_center(removing)
    assert [(c.action, c.resource) for c in removing.changes] == [
        ("unassign", "user bob: AdministratorAccess in management")
    ]
    assert seen(ic.reach(removing, ic.ensure_identity_center(removing)))["bob"] == {}


@pytest.mark.parametrize("apply", [True, False])
def test_no_instance_says_how_to_enable_it(clean_sandbox, tmp_path, apply):
    kit = make_kit(clean_sandbox, tmp_path, apply)
    # An unrecorded management session: the recorder's hooks expect a real HTTP exchange.
    unrecorded = kit.target.management()
    kit._sessions[(MANAGEMENT_ACCOUNT_ID, "")] = unrecorded
    with Stubber(unrecorded.client("sso-admin")) as stub:
        stub.add_response("list_instances", {"Instances": []})
        if apply:
            with pytest.raises(KitError) as raised:
                ic.find_instance(kit)
            advice = str(raised.value)
        else:
            assert ic.find_instance(kit) is None
            (advice,) = kit.todo
    assert "not enabled in eu-central-1" in advice and "choose Enable" in advice
    assert "organization instance" in advice


def test_external_users_are_looked_up_never_created(clean_sandbox, tmp_path):
    def external(data: dict) -> None:
        data["identity_center"]["identity_source"] = "external"
        for group in data["identity_center"]["groups"]:
            del group["members"]

    kit = make_kit(clean_sandbox, tmp_path, True, only_management, external)
    instance = ic.find_instance(kit)
    assert ic.ensure_users(kit, instance) == {"alice": None, "bob": None, "carol": None}
    assert ic.ensure_groups(kit, instance) == {"developers": None, "administrators": None}
    assert writes(kit) == 0
    assert any("provision user alice from your identity provider" in t for t in kit.todo)


def test_without_the_section_identity_center_is_left_alone(clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox, tmp_path, True, lambda data: data.pop("identity_center"))
    directory = ic.ensure_identity_center(kit)
    assert directory.instance is None and kit.changes == [] and kit.todo == []
    assert kit.recorder.totals()["write"] == 0
