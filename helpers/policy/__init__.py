"""A pure, offline evaluator of AWS's policy evaluation logic, explaining every decision.

>>> from helpers.policy import Policies, Policy, Request, evaluate
>>> admin = Policy("admin", {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
>>> evaluate(Request("arn:aws:iam::111122223333:user/alice", "s3:ListBuckets"),
...          Policies(identity=(admin,))).decision
'Allowed'
"""

from .context import GLOBAL_SERVICES, Context, requested_region
from .evaluate import evaluate
from .explain import Cause, Decision, LayerKind, Step, Verdict
from .grammar import PolicyError, Statement, parse_policy
from .live import explain_access
from .model import Caller, Policies, Policy, Request, ResourcePolicy, ScpLevel

__all__ = [
    "GLOBAL_SERVICES",
    "Caller",
    "Cause",
    "Context",
    "Decision",
    "LayerKind",
    "Policies",
    "Policy",
    "PolicyError",
    "Request",
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
