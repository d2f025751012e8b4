"""All API calls recorded (step 05): the organization trail and its bucket in the
log-archive account."""

from collections.abc import Iterator
from typing import Annotated

from pydantic import AfterValidator, Field

from .checks import Issue, Sections
from .fields import AccountName, BucketName, Section, fail, text


def _retention(value: int) -> int:
    if value < 1:
        fail(
            "{value} days would keep no log at all; give the days to keep each log, "
            "at least 1 (e.g. 365)",
            value=str(value),
        )
    return value


TrailName = Annotated[
    str,
    text(
        r"(?!\d{1,3}(\.\d{1,3}){3}$)(?!.*[._-]{2})[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]",
        "3 to 128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, "
        "no two of '._-' in a row, not an IP address (CloudTrail's trail names)",
    ),
]
RetentionDays = Annotated[int, Field(strict=True), AfterValidator(_retention)]


class Trail(Section):
    """The organization trail: one trail in the management account records every account's
    API calls into a bucket in the log-archive account."""

    name: TrailName = "org-trail"
    log_archive_account: AccountName
    bucket_name: BucketName | None = None  # default: derived from the org and account ids
    retention_days: RetentionDays = 365
    close_log_archive: bool = False  # teardown keeps the account, and the logs, unless true


def check(sections: Sections) -> Iterator[Issue]:
    trail = sections.whole("trail")
    if trail is not None:
        archive = [("trail.log_archive_account", trail.log_archive_account)]
        why = "the logs live in a member account of their own, "
        yield from sections.unknown_accounts(archive, why)
