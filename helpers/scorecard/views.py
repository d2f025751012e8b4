"""Showing the scorecard: its table, its record for the runbook, and the organization's
picture as it stands."""

from __future__ import annotations

import json
from dataclasses import asdict

from helpers import audit_trail, paths
from helpers.accounts import state
from helpers.kit import Kit
from helpers.organization import picture as organization_picture
from helpers.pictures import Picture
from helpers.tables import Table

from .goals import FAILED, Row
from .scan import ACTIVE, live

RECORD = "scorecard.json"  # in the step's folder: the rows, for `run --fail-on-scorecard`


def table(rows: list[Row]) -> Table:
    return Table(
        ["goal", "met", "evidence", "fix"], [[r.goal, r.status, r.evidence, r.fix] for r in rows]
    )


def record(kit: Kit, rows: list[Row]) -> None:
    """Write the rows to scorecard.json in the step's folder (the runbook reads it)."""
    body = {
        "rows": [asdict(r) for r in rows],
        "failed": [r.key for r in rows if r.status == FAILED],
    }
    (kit.step_dir / RECORD).write_text(json.dumps(body, indent=1, ensure_ascii=False))


def picture(kit: Kit) -> Picture | None:
    """The organization as it stands: OUs and accounts, the SCPs at each node, the trail, the
    log bucket and the declared paths (None while there is no organization)."""
    found = live(kit)
    if found.org is None:
        return None
    notes: dict[str, list[str]] = {}
    if found.scp_enabled:
        for node in [found.root_id, *found.parents]:
            if node != found.management_id:
                names = [p.name for p in found.scps.get(node, ())]
                notes.setdefault(node, []).append("SCP: " + ", ".join(names))
    for account_id, entry in found.accounts.items():
        if state(entry) != ACTIVE:
            notes.setdefault(account_id, []).append(state(entry))
    if kit.config.trail is not None:
        where = audit_trail.locate(kit.planning())
        notes.setdefault(found.management_id, []).append(f"trail {where.name}")
        if where.archive_id:
            notes.setdefault(where.archive_id, []).append(f"logs: {where.bucket}")
    for grant in (g for g in paths.grants(kit, found.ids) if g.ready):
        notes.setdefault(grant.consumer_id, []).append(
            f"→ {grant.path.provider.account}: {grant.resource}"
        )
    return organization_picture(kit.management, notes)
