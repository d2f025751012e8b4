"""Step 04 as the notebook shows it: the declared paths (a table and a picture), the kit's
own roles, and the proof both ways."""

from __future__ import annotations

from helpers.accounts import account_ids
from helpers.kit import Kit
from helpers.paths.declared import Grant, section
from helpers.paths.proof import Attempt, outside_the_paths, prove
from helpers.pictures import Arrow, Box, Picture, graph
from helpers.tables import Table

MECHANISMS = {"bucket": "bucket policy", "queue": "queue policy", "role": "role + sts:AssumeRole"}


def paths_table(found: list[Grant]) -> Table:
    rows = [
        [
            g.path.name,
            g.path.consumer.account
            + (f" ({g.path.consumer.role})" if g.path.consumer.role else ""),
            f"{g.path.provider.account}: {g.resource}",
            ", ".join(g.path.actions),
            MECHANISMS[g.kind],
        ]
        for g in found
    ]
    return Table(["path", "consumer", "provider", "actions", "granted by"], rows)


def kit_roles_table(kit: Kit) -> Table:
    rows = [[r.role, r.assumed_from, r.purpose] for r in section(kit).kit_roles]
    return Table(["the kit's role", "assumed from", "why"], rows)


def picture(kit: Kit, found: list[Grant]) -> Picture:
    """Accounts as boxes, one arrow per declared path (consumer -> provider)."""
    ids = account_ids(kit)
    names = list(
        dict.fromkeys(n for g in found for n in (g.path.consumer.account, g.path.provider.account))
    )
    boxes = [Box(n, n, [ids.get(n) or "(planned)"]) for n in names]
    arrows = [
        Arrow(g.path.consumer.account, g.path.provider.account, g.path.name)  # details: table
        for g in found
    ]
    return graph(boxes, arrows)


def show_paths(kit: Kit, found: list[Grant]) -> None:
    """The declared paths as a table and as a picture, then the kit's own roles."""
    kit.show("The declared paths", paths_table(found))
    kit.show("Who may call whom: one arrow per path", picture(kit, found))
    kit.show("The kit's own roles across accounts", kit_roles_table(kit))


def attempts_table(attempts: list[Attempt]) -> Table:
    rows = [
        [
            a.path,
            a.who.split(":")[4] + " " + a.who.rsplit(":", 1)[-1],
            a.action,
            a.resource,
            a.outcome if a.allowed else a.outcome.split(":")[0],
        ]
        for a in attempts
    ]
    return Table(["path", "caller", "action", "resource", "answer"], rows)


def show_proof(kit: Kit, found: list[Grant]) -> list[Attempt]:
    """Each path from its consumer's side, shown; a path that does not work yet becomes a
    to-do. Nothing is tried while the step only plans (the grants are not there yet)."""
    if not kit.apply:
        return []
    works = prove(kit, found)
    kit.show("Each path from the consumer's side", attempts_table(works))
    for attempt in works:
        if not attempt.allowed:
            kit.ask(f"path {attempt.path} does not work yet: {attempt.outcome}")
    return works


def show_outside(kit: Kit, found: list[Grant]) -> list[Attempt]:
    """The calls outside the declared paths, shown with the explainer's reason for each
    refusal (nothing is tried while the step only plans)."""
    if not kit.apply:
        return []
    refused = outside_the_paths(kit, found)
    kit.show("Calls outside the declared paths", attempts_table(refused))
    for attempt in refused:
        if attempt.decision is not None:
            kit.show(f"Why: {attempt.path}, {attempt.action}", attempt.decision.text())
    return refused
