"""What each step builds on, checked as the step opens to apply (`helpers.kit.open_step`).

Run out of order (`run --only 03` on a fresh sandbox, notebook 02 opened in the lab before
01), a step would stop at its first call with an error that says nothing useful, or start
building on what is not there. Instead it stops at once, after a few read calls, and names
the step to run first. A plan needs nothing: planning step 03 before step 01 has run is how
`runbook plan` shows the whole journey on a fresh sandbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from helpers.accounts import members, state
from helpers.kit import Kit, KitError
from helpers.organization import describe


@dataclass(frozen=True)
class Need:
    """Something a step builds on: the step that makes it, and what is missing (None: there)."""

    step: str
    missing: Callable[[Kit], str | None]


def _organization(kit: Kit) -> str | None:
    return None if describe(kit.management) else "the organization"


def _accounts(kit: Kit) -> str | None:
    """The accounts step 02 creates (invited ones join when their owners accept)."""
    active = {a["Email"].lower() for a in members(kit).values() if state(a) == "ACTIVE"}
    missing = [a.name for a in kit.config.created_accounts() if a.email.lower() not in active]
    if not missing:
        return None
    return f"account{'s' if len(missing) > 1 else ''} {', '.join(missing)} in the organization"


ORGANIZATION = Need("01", _organization)
ACCOUNTS = Need("02", _accounts)
NEEDS: dict[str, tuple[Need, ...]] = {
    "02": (ORGANIZATION,),
    "03": (ORGANIZATION, ACCOUNTS),
    "04": (ORGANIZATION, ACCOUNTS),
    "05": (ORGANIZATION, ACCOUNTS),
    "06": (ORGANIZATION, ACCOUNTS),
    "07": (ORGANIZATION, ACCOUNTS),
    "08": (ORGANIZATION, ACCOUNTS),
    "09": (ORGANIZATION,),
}
"""Step number -> what it builds on, earliest first. Steps 00 and 01 start from nothing;
step 10 (the clean-up) undoes what it finds, and says so when there is nothing."""


def checked(kit: Kit) -> Kit:
    """The kit, once what its step builds on is there; KitError naming the step to run first
    when it is not. A kit that only plans is never refused."""
    number = kit.step[:2]
    for need in NEEDS.get(number, ()) if kit.apply else ():
        missing = need.missing(kit)
        if missing:
            raise KitError(
                f"step {number} needs {missing}: run step {need.step} first",
                resource=missing,
                next_step=f"run step {need.step} first",
            )
    return kit
