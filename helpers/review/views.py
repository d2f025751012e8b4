"""The review shown: the checks, the items found, and the rows the scorecard takes from it."""

from __future__ import annotations

from helpers.kit import Kit
from helpers.review.kept import keep, of_this_run
from helpers.review.model import CHECKS, MET, REVIEW_ITEM, Review
from helpers.review.run import review
from helpers.tables import Table

SHOWN = 5  # findings a scorecard row names before "and N more"


def checks_table(kit: Kit) -> Table:
    """The checks, whether the config has them on, and what each looks for."""
    on = kit.config.review.checks
    return Table(
        ["check", "on", "looks for"],
        [[key, "yes" if key in on else "no", check.goal] for key, check in CHECKS.items()],
    )


def findings_table(result: Review) -> Table:
    return Table(
        ["check", "account", "resource", "what", "fix"],
        [[f.check, f.account, f.resource, f.what, f.fix] for f in result.findings],
    )


def show_review(kit: Kit) -> Review:
    """Review every account, show the items found and count them; the review, for the summary
    (and kept for this run's scorecard)."""
    result = review(kit)
    keep(kit, result)
    kit.show("Review items", findings_table(result))
    print(f"{len(result.findings)} review item(s) in {len(result.accounts)} account(s)")
    return result


def rows(kit: Kit, result: Review) -> list[dict]:
    """One scorecard row per enabled check: ✅ with what it read, or ⚠️ with its findings."""
    made = []
    for key in kit.config.review.checks:
        check, found = CHECKS[key], result.of(key)
        row = {"key": f"review-{key}", "goal": f"Review: {check.goal}"}
        if not found:
            evidence = f"{check.clean}, in {len(result.accounts)} account(s)"
            made.append(row | {"status": MET, "evidence": evidence, "fix": ""})
            continue
        named = [f"{f.account}: {f.resource}: {f.what}" for f in found]
        evidence = f"{len(found)} review item(s): " + "; ".join(named[:SHOWN])
        if len(named) > SHOWN:
            evidence += f"; and {len(named) - SHOWN} more (step 08 lists them all)"
        fix = f"{check.fix} (step 08 gives each item's own fix)"
        made.append(row | {"status": REVIEW_ITEM, "evidence": evidence, "fix": fix})
    return made


def scorecard_rows(kit: Kit) -> list[dict]:
    """The review as scorecard rows: step 08's of this run, else read now. Each a dict with
    the scorecard Row's fields (key, goal, status, evidence, fix); ✅ or ⚠️, never ❌."""
    return rows(kit, of_this_run(kit) or review(kit))


def summary(kit: Kit, result: Review) -> Table:
    """The rows the scorecard shows for the review."""
    return Table(
        ["check", "status", "evidence"],
        [[r["goal"], r["status"], r["evidence"]] for r in rows(kit, result)],
    )
