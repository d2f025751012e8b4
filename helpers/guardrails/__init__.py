"""Step 06: guardrails with service control policies, few and simple, proven before attaching.

The step reads what is there (`prepare`), renders and checks the policies the config asks
for (`validate`, no call), proves them through the evaluator (`proof`), and only then
enables the SCP type, creates or updates the policies and attaches them (`apply`).
Policies the kit made carry the tag managed-by=org-kit; the kit never touches any other.

The modules, in the order of the step:
  expected     what the config means (Intent) and the requests that show it (probes)
  plan         what is there beside what is wanted (Plan), the levels once done, proof()
  render       the config's SCPs rendered, and checked as AWS would (validate)
  existing     the organization's SCPs read (existing_scps), and prepare()
  matrix       the proof matrix: every probe through the evaluator, offline
  policy_type  the SCP type enabled on the root
  attach       the policies created, updated, attached and (opt-in) detached: apply()
  denial       a real denial from a workload account, read and explained; the probes
  views        what the notebook shows, one call per cell
"""

from .attach import apply, ensure_attachments, ensure_policies
from .denial import (
    DENIAL,
    TRIES,
    Attempt,
    attempts,
    demo_account,
    explain,
    probe,
    read_denial,
    try_to_create_user,
    workload_account,
)
from .existing import existing_scps, prepare
from .expected import KIT_CALLS, Intent, Probe, probes
from .matrix import Proof, Reach, account_blind, prove
from .plan import (
    FULL_ACCESS_DOCUMENT,
    ROOT,
    SCP,
    TAG,
    Found,
    GuardrailError,
    Plan,
    Scp,
    proof,
)
from .policy_type import ENABLE_WAIT_SECONDS, ensure_policy_type, scp_enabled
from .render import baseline_roles, desired, intent, trail_bucket, validate
from .views import (
    attempts_table,
    ensure_guardrails,
    notes,
    policies_table,
    show_denial,
    show_picture,
    show_plan,
    show_proof,
)

__all__ = [
    "DENIAL",
    "ENABLE_WAIT_SECONDS",
    "FULL_ACCESS_DOCUMENT",
    "KIT_CALLS",
    "ROOT",
    "SCP",
    "TAG",
    "TRIES",
    "Attempt",
    "Found",
    "GuardrailError",
    "Intent",
    "Plan",
    "Probe",
    "Proof",
    "Reach",
    "Scp",
    "account_blind",
    "apply",
    "attempts",
    "attempts_table",
    "baseline_roles",
    "demo_account",
    "desired",
    "ensure_attachments",
    "ensure_guardrails",
    "ensure_policies",
    "ensure_policy_type",
    "existing_scps",
    "explain",
    "intent",
    "notes",
    "policies_table",
    "prepare",
    "probe",
    "probes",
    "proof",
    "prove",
    "read_denial",
    "scp_enabled",
    "show_denial",
    "show_picture",
    "show_plan",
    "show_proof",
    "trail_bucket",
    "try_to_create_user",
    "validate",
    "workload_account",
]
