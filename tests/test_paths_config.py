"""The cross_account section of the desired-state file: bad paths are refused, naming the
field, before the runbook makes a single call."""

from __future__ import annotations

import pytest
import yaml

from helpers.config import parse_config
from tests.conftest import refused_before_any_call
from tests.test_config import errors_after, example


def path_at(index: int, **values):
    """Change one path of the example: `consumer_account=...` sets consumer.account."""

    def change(data: dict) -> None:
        path = data["cross_account"]["paths"][index]
        for key, value in values.items():
            side, _, field = key.partition("_")
            if side in ("consumer", "provider") and field:
                path[side][field] = value
            else:
                path[key] = value

    return change


def test_the_example_declares_three_paths_and_the_kits_roles():
    section = parse_config(yaml.safe_dump(example())).cross_account
    assert [p.provider.kind() for p in section.paths] == ["queue", "bucket", "role"]
    assert [r.role for r in section.kit_roles] == ["OrganizationAccountAccessRole", "org-audit"]
    assert section.baseline.ous == ["Security", "Workloads"]
    assert section.remove_unlisted_paths is False


def _drop(data: dict, index: int, *keys: str) -> None:
    for key in keys:
        data["cross_account"]["paths"][index]["provider"].pop(key, None)


BAD = [
    ("unknown consumer", path_at(0, consumer_account="staging"), "paths[0].consumer.account"),
    ("unknown provider account", path_at(1, provider_account="qa"), "paths[1].provider.account"),
    ("management is no provider", path_at(1, provider_account="management"),
     "paths[1].provider.account"),
    ("consumer is the provider", path_at(1, consumer_account="prod"), "paths[1].consumer.account"),
    ("sqs action on a bucket", path_at(1, actions=["s3:GetObject", "sqs:SendMessage"]),
     "paths[1].actions[1]"),
    ("s3 action on a queue", path_at(0, actions=["s3:GetObject"]), "paths[0].actions[0]"),
    ("wildcard action", path_at(0, actions=["*"]), "paths[0].actions[0]"),
    ("service wildcard", path_at(1, actions=["s3:*"]), "paths[1].actions[0]"),
    ("partial wildcard", path_at(2, actions=["s3:Get*"]), "paths[2].actions[0]"),
    ("not an action", path_at(2, actions=["read the bucket"]), "paths[2].actions[0]"),
    ("no actions", path_at(2, actions=[]), "paths[2].actions"),
    ("two resources", path_at(0, provider_bucket="acme-orders"), "paths[0].provider"),
    ("no resource", lambda d: _drop(d, 0, "queue"), "paths[0].provider"),
    ("prefix without bucket", path_at(0, provider_prefix="x/"), "paths[0].provider.prefix"),
    ("role without resources", lambda d: _drop(d, 2, "resources"), "paths[2].provider.resources"),
    ("resources on a queue", path_at(0, provider_resources=["arn:aws:sqs:eu-central-1:1:x"]),
     "paths[0].provider.resources"),
    ("bad bucket name", path_at(1, provider_bucket="Acme_Exports"), "paths[1].provider.bucket"),
    ("duplicate name", path_at(1, name="orders-from-the-old-shop"), "paths[1].name"),
    ("path role is a kit role", path_at(2, provider_role="org-audit"), "paths[2].provider.role"),
    ("unknown key", path_at(0, via="vpc-peering"), "paths[0].via"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "path"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_paths_name_their_field(change, path):
    errors = errors_after(change)
    assert [e for e in errors if e.startswith(f"cross_account.{path}: ")], errors


def test_messages_say_what_is_wrong():
    (wildcard,) = errors_after(path_at(0, actions=["*"]))
    assert "is a wildcard" in wildcard
    (service,) = errors_after(path_at(0, actions=["s3:GetObject"]))
    assert "not a sqs action" in service
    (same,) = errors_after(path_at(1, consumer_account="prod"))
    assert "crosses an account boundary" in same
    (unknown,) = errors_after(path_at(0, consumer_account="staging"))
    assert "expected one of: log-archive, dev, prod, original" in unknown


def test_kit_roles_and_baseline_are_checked():
    def baseline_role_unlisted(data: dict) -> None:
        data["cross_account"]["kit_roles"].pop()

    errors = errors_after(baseline_role_unlisted)
    assert [e for e in errors if e.startswith("cross_account.baseline.audit_role: ")], errors

    def unknown_ou(data: dict) -> None:
        data["cross_account"]["baseline"]["ous"] = ["Sandbox"]

    assert [e for e in errors_after(unknown_ou) if e.startswith("cross_account.baseline.ous[0]")]

    def unknown_assumer(data: dict) -> None:
        data["cross_account"]["kit_roles"][1]["assumed_from"] = "auditors"

    errors = errors_after(unknown_assumer)
    assert [e for e in errors if e.startswith("cross_account.kit_roles[1].assumed_from: ")]


@pytest.mark.parametrize(
    "change",
    [
        path_at(0, consumer_account="staging"),
        path_at(1, actions=["sqs:SendMessage"]),
        path_at(0, actions=["*"]),
        path_at(2, consumer_account="original"),
    ],
    ids=["unknown account", "other service", "wildcard", "consumer is provider"],
)
def test_runbook_refuses_them_before_any_call(sandbox, tmp_path, change):
    data = example()
    change(data)
    errors = refused_before_any_call(sandbox.url, tmp_path, data)
    assert [e for e in errors if e.startswith("cross_account.paths[")]


def test_the_baseline_template_must_be_shipped():
    def missing(data: dict) -> None:
        data["cross_account"]["baseline"]["template"] = "guardrails.yaml"

    (error,) = errors_after(missing)
    assert error.startswith("cross_account.baseline.template: 'guardrails.yaml' is not a file")
