"""Write calls a member account tries, each behind its own button (refused, and why)."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from helpers import audit_trail, guardrails
from helpers.kit import Kit
from helpers.widgets.base import button, html, through


def _attempt_button(description: str, attempt: Callable[[], str]) -> w.VBox:
    """A red button that makes one refused write call and prints AWS's answer."""
    red, out = button(description, "ban", "danger"), w.Output()
    red.on_click(through(out, lambda: print(attempt())))
    return w.VBox([red, out])


def stop_trail(kit: Kit, where: audit_trail.Where, member: tuple[str, str] | None) -> w.Widget:
    """A button that asks CloudTrail, as the member account, to stop the organization trail
    (helpers.audit_trail.try_to_stop): a write call, made only on a click."""
    if not kit.apply or member is None:
        return w.HTML(html("No member account to try from while this step only plans."))
    name, account_id = member
    return _attempt_button(
        f"Stop the trail as {name}", lambda: audit_trail.try_to_stop(kit, account_id, where)
    )


def create_user(kit: Kit, account: tuple[str, str] | None) -> w.Widget:
    """A button that asks IAM, as the account's administrator role, to create an IAM user
    (helpers.guardrails.try_to_create_user): a write call, made only on a click."""
    if account is None:
        return w.HTML(html("No member account under the guardrails yet: nothing to try."))
    name, account_id = account
    return _attempt_button(
        f"Create an IAM user in {name}", lambda: guardrails.try_to_create_user(kit, account_id)
    )
