"""Step 08: take a breath. Before the organization grows, look at what is already in it.

The review reads the management account and every active member account (through the
kit's access role) in every allowed region, with read calls only, and returns *review
items*: each with its evidence (account, resource, what) and its fix. They are not
failures: the scorecard shows each check as a row, ✅ or ⚠️, beside the goals.

The checks, picked by the config's `review.checks`:
- iam: policies that grant more than least privilege, as cloudsplaining judges them
- network: security groups that open an admin port (`review.admin_ports`) or every port to
  0.0.0.0/0 or ::/0
- volumes: unencrypted EBS volumes, and regions where EBS encryption by default is off
- buckets: buckets without default encryption, or whose public access neither the bucket's
  nor the account's Block Public Access settings block
- backup: regions where an account holds data (volumes, buckets) but no AWS Backup plan
- tags: resources without the tag keys the team requires (`review.required_tags`)
- budget: accounts that no AWS Budgets budget watches

Left out: the kit's own resources (the trail's bucket, the roles the config names, anything
tagged managed-by=org-kit or kit-path: the scorecard checks them against the config) and
AWS's (service-linked and Identity Center roles, default security groups).

Modules: `model` (checks, items, settings), `scope` (one account's resources, read once),
`iam`, `network`, `encryption` (volumes, buckets), `upkeep` (backup, tags, budget), `run`
(the accounts and the checks in threads), `views` (tables and the scorecard's rows), `kept`
(step 08's review kept in its run folder, so the same run's scorecard does not read it again).
"""

from helpers.review.encryption import check_buckets, check_volumes
from helpers.review.iam import AWS_ROLE_PATHS, IAM_FIXES, PRINCIPALS, check_iam, risks
from helpers.review.kept import keep, of_this_run
from helpers.review.model import CHECKS, MET, REVIEW_ITEM, Check, Finding, Review, Settings
from helpers.review.network import PORT_NAMES, WORLD, check_network, opened
from helpers.review.run import DENIED, RUNS, THREADS, accounts, kit_buckets, kit_roles, review
from helpers.review.scope import Resource, Scope
from helpers.review.upkeep import (
    BUDGETS_REGION,
    budgets,
    check_backup,
    check_budget,
    check_tags,
    watches,
)
from helpers.review.views import (
    SHOWN,
    checks_table,
    findings_table,
    rows,
    scorecard_rows,
    show_review,
    summary,
)

__all__ = [
    "AWS_ROLE_PATHS",
    "BUDGETS_REGION",
    "CHECKS",
    "DENIED",
    "IAM_FIXES",
    "MET",
    "PORT_NAMES",
    "PRINCIPALS",
    "REVIEW_ITEM",
    "RUNS",
    "SHOWN",
    "THREADS",
    "WORLD",
    "Check",
    "Finding",
    "Resource",
    "Review",
    "Scope",
    "Settings",
    "accounts",
    "budgets",
    "check_backup",
    "check_budget",
    "check_buckets",
    "check_iam",
    "check_network",
    "check_tags",
    "check_volumes",
    "checks_table",
    "findings_table",
    "keep",
    "kit_buckets",
    "kit_roles",
    "of_this_run",
    "opened",
    "review",
    "risks",
    "rows",
    "scorecard_rows",
    "show_review",
    "summary",
    "watches",
]
