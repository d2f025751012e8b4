"""The trail section of the desired-state file: bad values are refused, naming the field,
before the runbook makes a single call."""

from __future__ import annotations

import pytest
import yaml

from helpers.config import parse_config
from tests.conftest import refused_before_any_call
from tests.test_config import errors_after, example


def set_trail(**values):
    def change(data: dict) -> None:
        data["trail"].update(values)

    return change


def test_the_example_names_the_log_archive_account_and_defaults():
    trail = parse_config(yaml.safe_dump(example())).trail
    assert trail.log_archive_account == "log-archive"
    assert trail.bucket_name is None  # derived from the organization and account ids
    assert trail.retention_days == 365
    data = example()
    data["trail"] = {"log_archive_account": "log-archive"}
    assert parse_config(yaml.safe_dump(data)).trail.name == "org-trail"


BAD = [
    ("archive not in accounts", set_trail(log_archive_account="logs"), "trail.log_archive_account"),
    ("archive is the management account", set_trail(log_archive_account="management"),
     "trail.log_archive_account"),
    ("archive missing", lambda d: d["trail"].pop("log_archive_account"),
     "trail.log_archive_account"),
    ("bucket upper case", set_trail(bucket_name="Org-Trail-Logs"), "trail.bucket_name"),
    ("bucket underscore", set_trail(bucket_name="org_trail_logs"), "trail.bucket_name"),
    ("bucket too short", set_trail(bucket_name="ab"), "trail.bucket_name"),
    ("bucket too long", set_trail(bucket_name="a" * 64), "trail.bucket_name"),
    ("bucket ends with a dash", set_trail(bucket_name="org-trail-"), "trail.bucket_name"),
    ("bucket two periods", set_trail(bucket_name="org..trail"), "trail.bucket_name"),
    ("bucket IP address", set_trail(bucket_name="192.168.5.4"), "trail.bucket_name"),
    ("bucket reserved prefix", set_trail(bucket_name="xn--logs"), "trail.bucket_name"),
    ("bucket reserved suffix", set_trail(bucket_name="logs-s3alias"), "trail.bucket_name"),
    ("retention zero", set_trail(retention_days=0), "trail.retention_days"),
    ("retention negative", set_trail(retention_days=-30), "trail.retention_days"),
    ("retention text", set_trail(retention_days="a year"), "trail.retention_days"),
    ("retention true", set_trail(retention_days=True), "trail.retention_days"),
    ("trail name adjacent dashes", set_trail(name="org--trail"), "trail.name"),
    ("trail name too short", set_trail(name="ab"), "trail.name"),
    ("unknown key", set_trail(bucket="logs"), "trail.bucket"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "path"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_trail_values_name_their_field(change, path):
    errors = errors_after(change)
    assert [e for e in errors if e.startswith(f"{path}: ")], errors


def test_messages_say_what_is_expected():
    (archive,) = errors_after(set_trail(log_archive_account="logs"))
    assert "expected one of: log-archive, dev, prod, original" in archive
    (bucket,) = errors_after(set_trail(bucket_name="Org_Logs"))
    assert "only lowercase letters, digits, '.' and '-'" in bucket
    (days,) = errors_after(set_trail(retention_days=0))
    assert "at least 1" in days


@pytest.mark.parametrize(
    "change",
    [
        set_trail(log_archive_account="logs"),
        set_trail(bucket_name="Org_Logs"),
        set_trail(retention_days=-1),
    ],
    ids=["archive", "bucket", "retention"],
)
def test_runbook_refuses_them_before_any_call(sandbox, tmp_path, change):
    data = example()
    change(data)
    errors = refused_before_any_call(sandbox.url, tmp_path, data)
    assert [e for e in errors if e.startswith("trail.")]
