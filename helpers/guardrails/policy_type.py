"""The SERVICE_CONTROL_POLICY type on the organization's root: whether it is enabled, and
enabling it (AWS then attaches FullAWSAccess everywhere)."""

from __future__ import annotations

import time

from helpers.kit import Kit, KitError

from .plan import ROOT, SCP, Plan

RESOURCE = "policy type SERVICE_CONTROL_POLICY on the root"
ENABLE_WAIT_SECONDS = 120


def scp_enabled(kit: Kit) -> bool:
    """Whether the root has the SCP type ENABLED (not PENDING_ENABLE)."""
    root = kit.management.client("organizations").list_roots()["Roots"][0]
    return any(t["Type"] == SCP and t["Status"] == "ENABLED" for t in root.get("PolicyTypes", []))


def ensure_policy_type(kit: Kit, plan: Plan, poll_seconds: float = 1.0) -> None:
    """Enable the SERVICE_CONTROL_POLICY type on the root, and wait until AWS says ENABLED."""
    root = plan.ous.get(ROOT)
    if plan.enabled:
        kit.keep(RESOURCE, "enabled")
        return
    if root is None:
        kit.plan("enable", RESOURCE, "once the organization exists")
        return
    kit.plan("enable", RESOURCE, "FullAWSAccess is attached everywhere")
    if not kit.apply:
        return
    kit.management.client("organizations").enable_policy_type(RootId=root, PolicyType=SCP)
    deadline = time.monotonic() + ENABLE_WAIT_SECONDS
    while not scp_enabled(kit):  # AWS answers PENDING_ENABLE for a moment
        if time.monotonic() > deadline:
            raise KitError(
                "the SCP policy type is still not enabled after two minutes; run again",
                resource=RESOURCE,
                next_step="run the step again",
            )
        time.sleep(poll_seconds)
