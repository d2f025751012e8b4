"""Step 09: the scorecard. Each goal of the brief, checked against the live organization with
read calls only, with its evidence and, when it is not met, the fix.

- `scan`: the organization read once (accounts, OU tree, SCPs and their targets), and in each
  member account only what differs per account, several accounts at a time;
- `goals`: each goal's row, from the scan and from the owning steps run in plan mode;
- `views`: the table, scorecard.json for the runbook, and the organization's picture.
"""

from .goals import (
    FAILED,
    GOALS,
    MET,
    SCALE_LIMIT,
    WARNING,
    Row,
    access,
    communication_paths,
    cost_allocation,
    isolation,
    regions,
    scale,
    scorecard,
    trail,
)
from .scan import Live, Scan, cross_account_attachment, live, scan_accounts
from .views import RECORD, picture, record, table

__all__ = [
    "FAILED",
    "GOALS",
    "MET",
    "RECORD",
    "SCALE_LIMIT",
    "WARNING",
    "Live",
    "Row",
    "Scan",
    "access",
    "communication_paths",
    "cost_allocation",
    "cross_account_attachment",
    "isolation",
    "live",
    "picture",
    "record",
    "regions",
    "scale",
    "scan_accounts",
    "scorecard",
    "table",
    "trail",
]
