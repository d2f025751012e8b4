"""A pure, offline evaluator of AWS's policy evaluation logic, explaining every decision.

>>> from helpers.policy import Policies, Policy, Request, evaluate
>>> admin = Policy("admin", {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
>>> evaluate(Request("arn:aws:iam::111122223333:user/alice", "s3:ListBuckets"),
...          Policies(identity=(admin,))).decision
'Allowed'

The package imports no AWS SDK: only `helpers.policy.live` reads live inputs with boto3,
and `explain_access` is loaded from it on first use.
"""

from typing import Any

from .context import GLOBAL_SERVICES, RCP_SERVICES, Context, requested_region
from .evaluate import evaluate
from .explain import Cause, Decision, LayerKind, Step, Verdict
from .grammar import PolicyError, Statement, parse_policy
from .model import (
    Caller,
    Policies,
    Policy,
    Request,
    ResourceControlPolicy,
    ResourcePolicy,
    ScpLevel,
)

__all__ = [
    "GLOBAL_SERVICES",
    "RCP_SERVICES",
    "Caller",
    "Cause",
    "Context",
    "Decision",
    "LayerKind",
    "Policies",
    "Policy",
    "PolicyError",
    "Request",
    "ResourceControlPolicy",
    "ResourcePolicy",
    "ScpLevel",
    "Statement",
    "Step",
    "Verdict",
    "evaluate",
    "explain_access",
    "parse_policy",
    "requested_region",
]


def __getattr__(name: str) -> Any:
    """`explain_access`, imported from the live-inputs module (and boto3) when first asked."""
    if name == "explain_access":
        from .live import explain_access

        return explain_access
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
