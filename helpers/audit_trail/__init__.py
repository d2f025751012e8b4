"""Step 05: one organization trail records every account's API calls into a bucket in the
log-archive account.

The trail lives in the management account, the only place members cannot reach; the logs
live in the log-archive account, away from the people who run the management account and
the workloads. Each function is "make it so": read, compare, change only the difference.

- `where`: the organization, the log-archive account and the bucket's name;
- `policy`: CloudTrail's statements in the bucket policy; `bucket`: the bucket and its settings;
- `trail`: trusted access, the organization trail and its logging, and the whole step;
- `proof`: the trail from a member account; `views`: the evidence shown.
"""

from helpers.audit_trail.bucket import (
    BLOCK_ALL,
    LIFECYCLE_RULE,
    RECOVERY_DAYS,
    ensure_bucket,
    lifecycle_rule,
)
from helpers.audit_trail.policy import (
    ACL_CHECK,
    ORGANIZATION_WRITE,
    OUR_STATEMENTS,
    WRITE,
    bucket_policy_statements,
    merged_policy,
    policy_table,
)
from helpers.audit_trail.proof import a_member, member_view, try_to_stop
from helpers.audit_trail.trail import (
    TRAIL_SETTINGS,
    ensure_audit_trail,
    ensure_trail,
    ensure_trusted_access,
    own_trails,
)
from helpers.audit_trail.views import destinations, picture, show_evidence, status
from helpers.audit_trail.where import SERVICE, Where, locate, trail_config

__all__ = [
    "ACL_CHECK",
    "BLOCK_ALL",
    "LIFECYCLE_RULE",
    "ORGANIZATION_WRITE",
    "OUR_STATEMENTS",
    "RECOVERY_DAYS",
    "SERVICE",
    "TRAIL_SETTINGS",
    "WRITE",
    "Where",
    "a_member",
    "bucket_policy_statements",
    "destinations",
    "ensure_audit_trail",
    "ensure_bucket",
    "ensure_trail",
    "ensure_trusted_access",
    "lifecycle_rule",
    "locate",
    "member_view",
    "merged_policy",
    "own_trails",
    "picture",
    "policy_table",
    "show_evidence",
    "status",
    "trail_config",
    "try_to_stop",
]
