"""Step 04 against the session's journey organization (built by the runbook, run twice):
every declared path works from the consumer's side, nothing else crosses, resource
policies keep their other statements, and a removed path loses exactly its grant."""

from __future__ import annotations

import json
from functools import partial

import pytest
from botocore.exceptions import ClientError

from helpers import paths, stacksets
from helpers.accounts import account_ids
from helpers.kit import Kit
from tests.conftest import make_kit as shared_make_kit

STEP = "04_test"
BUCKET = "acme-prod-exports"


make_kit = partial(shared_make_kit, step=STEP)


def writes(kit: Kit) -> int:
    return kit.recorder.totals()["write"]


def code(error: pytest.ExceptionInfo) -> str:
    return error.value.response["Error"]["Code"]


@pytest.fixture
def kit(journey, tmp_path) -> Kit:
    return make_kit(journey["url"], tmp_path)


def test_the_runbook_ran_step_04_twice_and_wrote_nothing_the_second_time(journey):
    (first, _), (second, _) = journey["runs"]
    step = {s["step"]: s for s in second["steps"]}["04_access_between_accounts"]
    assert step["status"] == "ok" and step["calls"]["write"] == 0
    step = {s["step"]: s for s in first["steps"]}["04_access_between_accounts"]
    assert step["calls"]["write"] > 0


def test_every_declared_path_works_from_the_consumers_side(kit):
    found = paths.grants(kit)
    attempts = paths.prove(kit, found)
    assert [a.path for a in attempts] == [p.name for p in kit.config.cross_account.paths]
    assert [a.outcome for a in attempts] == ["allowed"] * 3
    assert writes(kit) == 0
    ids = account_ids(kit)
    # The writes the paths allow, too: the old shop sends an order to prod's queue ...
    queue = next(g for g in found if g.kind == "queue")
    url = kit.account(ids["prod"]).client("sqs").get_queue_url(QueueName="orders")["QueueUrl"]
    sent = kit.account(ids["original"]).client("sqs").send_message(QueueUrl=url, MessageBody="1")
    assert sent["MessageId"]
    assert queue.principal == f"arn:aws:iam::{ids['original']}:root"
    # ... and prod, through the migration role, lists the shop's data in the original account.
    role = next(g for g in found if g.kind == "role")
    credentials = (
        kit.account(ids["prod"])
        .client("sts")
        .assume_role(RoleArn=role.arn, RoleSessionName="migration")["Credentials"]
    )
    migration = kit.target._session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    listed = migration.client("s3").list_objects_v2(Bucket="acme-prod-data")
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as denied:  # the role allows exactly the path's actions
        migration.client("s3").put_object(Bucket="acme-prod-data", Key="x", Body=b"x")
    assert code(denied) == "AccessDenied"


def test_calls_outside_the_paths_are_denied_and_explained(kit):
    attempts = paths.outside_the_paths(kit, paths.grants(kit))
    assert len(attempts) == 4
    for attempt in attempts:
        assert attempt.outcome.startswith("AccessDenied"), attempt
        assert not attempt.decision.allowed
    texts = [a.decision.text() for a in attempts]
    assert "queue policy of orders' does not allow this principal" in texts[0]
    assert f"bucket policy of {BUCKET}' does not allow this principal" in texts[1]
    assert "s3:prefix not met" in texts[2]  # dev, listing outside anonymised/
    assert "trust policy of role shop-data-migration' does not allow" in texts[3]


def test_the_grants_are_the_smallest_that_work(kit):
    ids = account_ids(kit)
    s3 = kit.account(ids["prod"]).client("s3")
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    objects = by_sid["KitPathAnonymisedSamplesForDev"]
    assert objects["Principal"] == {"AWS": f"arn:aws:iam::{ids['dev']}:root"}
    assert objects["Action"] == ["s3:GetObject"]
    assert objects["Resource"] == f"arn:aws:s3:::{BUCKET}/anonymised/*"
    listing = by_sid["KitPathAnonymisedSamplesForDevBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": "anonymised/*"}}
    iam = kit.account("444455556666").client("iam")
    role = iam.get_role(RoleName="shop-data-migration")["Role"]
    assert role["Path"] == paths.ROLE_PATH
    principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"AWS": f"arn:aws:iam::{ids['prod']}:root"}
    inline = iam.get_role_policy(
        RoleName="shop-data-migration", PolicyName="KitPathShopDataMigration"
    )
    assert inline["PolicyDocument"]["Statement"][0]["Action"] == ["s3:ListBucket", "s3:GetObject"]


def test_other_statements_are_kept_and_a_rerun_writes_nothing(journey, tmp_path):
    kit = make_kit(journey["url"], tmp_path)
    s3 = kit.account(account_ids(kit)["prod"]).client("s3")
    original = s3.get_bucket_policy(Bucket=BUCKET)["Policy"]
    policy = json.loads(original)
    unrelated = {
        "Sid": "DenyPlainHttp",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    policy["Statement"] = [unrelated] + [
        s for s in policy["Statement"] if s["Sid"] != "KitPathAnonymisedSamplesForDev"
    ]  # someone's statement added, one of the kit's lost
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))
    try:
        repaired = make_kit(journey["url"], tmp_path)
        paths.ensure_paths(repaired)
        assert [c.resource for c in repaired.changes] == [
            f"bucket {BUCKET} (anonymised/*) (account prod): policy"
        ]
        assert "1 other statement(s) kept" in repaired.changes[0].detail
        after = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
        assert unrelated in after
        assert {s["Sid"] for s in after} >= {"KitPathAnonymisedSamplesForDev", "DenyPlainHttp"}
        again = make_kit(journey["url"], tmp_path)
        paths.ensure_paths(again)
        assert writes(again) == 0 and again.changes == []
    finally:
        s3.put_bucket_policy(Bucket=BUCKET, Policy=original)


def test_removing_a_path_removes_exactly_its_grant(journey, tmp_path):
    def without_samples_and_migration(data: dict) -> None:
        section = data["cross_account"]
        section["paths"] = section["paths"][:1]
        section["remove_unlisted_paths"] = True

    kit = make_kit(journey["url"], tmp_path)
    ids = account_ids(kit)
    s3 = kit.account(ids["prod"]).client("s3")
    unrelated = {
        "Sid": "ReadForAuditors",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ids['log-archive']}:root"},
        "Action": "s3:GetBucketPolicy",
        "Resource": f"arn:aws:s3:::{BUCKET}",
    }
    before = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    s3.put_bucket_policy(
        Bucket=BUCKET, Policy=json.dumps({**before, "Statement": [*before["Statement"], unrelated]})
    )
    try:
        pruned = make_kit(journey["url"], tmp_path, True, without_samples_and_migration)
        paths.ensure_paths(pruned)
        removed = sorted((c.action, c.resource) for c in pruned.changes)
        assert removed == [
            ("remove", f"bucket {BUCKET} (account prod): policy"),
            ("remove", "role shop-data-migration (account original)"),
        ]
        assert json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"] == [unrelated]
        iam = kit.account(ids["original"]).client("iam")
        with pytest.raises(ClientError) as gone:
            iam.get_role(RoleName="shop-data-migration")
        assert code(gone) == "NoSuchEntity"
        queue = paths.prove(pruned, paths.grants(pruned))
        assert [a.outcome for a in queue] == ["allowed"]  # the listed path is untouched
    finally:
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(before))
        paths.ensure_paths(make_kit(journey["url"], tmp_path))  # the journey's paths again
    restored = make_kit(journey["url"], tmp_path)
    assert [a.outcome for a in paths.prove(restored, paths.grants(restored))] == ["allowed"] * 3


def test_a_missing_resource_is_asked_for_not_created(journey, tmp_path):
    def queue_elsewhere(data: dict) -> None:
        data["cross_account"]["paths"][0]["provider"]["queue"] = "invoices"

    kit = make_kit(journey["url"], tmp_path, True, queue_elsewhere)
    paths.ensure_paths(kit)
    assert writes(kit) == 0
    assert [t for t in kit.todo if t.startswith("create queue invoices (account prod)")]


def test_plan_before_the_organization_exists_writes_nothing(clean_sandbox, tmp_path):
    kit = make_kit(clean_sandbox.url, tmp_path, apply=False)
    paths.ensure_demo_resources(kit)
    paths.ensure_paths(kit)
    stacksets.ensure_baseline(kit, account_ids(kit))
    assert writes(kit) == 0
    planned = [(c.action, c.resource) for c in kit.changes]
    assert ("grant", "path orders-from-the-old-shop: queue orders") in planned
    assert ("deploy", "stack set org-baseline-roles to OU Workloads") in planned
    assert ("activate", "trusted access for CloudFormation StackSets") in planned
