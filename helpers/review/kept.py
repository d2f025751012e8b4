"""Step 08's review, kept in its run folder for the scorecard of the same run.

A runbook run gives every step the same fresh folder and runs step 09 right after step 08,
both read-only: the scorecard takes the review found there instead of reading every account
a second time (at 1,000 accounts, half of step 09's calls). Anywhere else (the workshop's
folder, where a learner may fix an item between the two notebooks, or a run without step
08) the scorecard reads the review now."""

from __future__ import annotations

import json
from dataclasses import asdict

from helpers.kit import WORKSHOP_RUNS, Kit
from helpers.review.model import Finding, Review

STEP = "08_review"
FILE = "review.json"


def keep(kit: Kit, result: Review) -> None:
    """Write step 08's review into its step folder (not in the workshop's folder)."""
    if kit.step == STEP and kit.run_dir != WORKSHOP_RUNS:
        (kit.step_dir / FILE).write_text(json.dumps(asdict(result), indent=1))


def of_this_run(kit: Kit) -> Review | None:
    """Step 08's review if it ran in this kit's run folder, else None (read it now); the
    workshop's folder never holds one (`keep`)."""
    path = kit.run_dir / STEP / FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    return Review(data["accounts"], [Finding(**f) for f in data["findings"]])
