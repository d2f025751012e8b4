"""Step 04: declared communication paths between accounts, each granted with the smallest
policy that works.

A path to a bucket (or a prefix in it) or a queue is a statement in that resource's policy
naming the consumer; a path to a role is an IAM role in the provider's account whose trust
policy names the consumer and whose one inline policy allows exactly the path's actions.
The kit's statements carry a Sid starting with "KitPath"; its roles live under the IAM path
/kit-path/. Statements and roles that are not the kit's are never touched.

declared: the paths resolved against the organization; documents: their policy documents
(pure); granting: making (and pruning) the grants; demo: the example's resources where the
target is a demonstration; proof: the calls both ways; views: tables and the picture.
"""

from __future__ import annotations

from helpers.paths.declared import ROLE_PATH, Grant, grants, section
from helpers.paths.demo import ensure_demo_resources
from helpers.paths.documents import (
    OBJECT_ACTIONS,
    SID_PREFIX,
    bucket_statements,
    merged,
    ours,
    queue_statements,
    role_permissions,
    role_trust,
    sid,
    statements_of,
)
from helpers.paths.granting import Place, ensure_paths, prune
from helpers.paths.proof import Attempt, consumer_session, outside_the_paths, probe, prove
from helpers.paths.views import (
    MECHANISMS,
    attempts_table,
    kit_roles_table,
    paths_table,
    picture,
    show_outside,
    show_paths,
    show_proof,
)

__all__ = [
    "MECHANISMS",
    "OBJECT_ACTIONS",
    "ROLE_PATH",
    "SID_PREFIX",
    "Attempt",
    "Grant",
    "Place",
    "attempts_table",
    "bucket_statements",
    "consumer_session",
    "ensure_demo_resources",
    "ensure_paths",
    "grants",
    "kit_roles_table",
    "merged",
    "ours",
    "outside_the_paths",
    "paths_table",
    "picture",
    "probe",
    "prove",
    "prune",
    "queue_statements",
    "role_permissions",
    "role_trust",
    "section",
    "show_outside",
    "show_paths",
    "show_proof",
    "sid",
    "statements_of",
]
