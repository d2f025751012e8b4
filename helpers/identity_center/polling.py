"""Identity Center's asynchronous requests (provisioning, assignments), polled until each ends."""

from __future__ import annotations

import time
from collections.abc import Callable

from helpers.kit import KitError


def wait(describe: Callable[[str], dict], started: list[tuple[str, dict]]) -> None:
    """Poll asynchronous requests until none is IN_PROGRESS; FAILED ones raise together."""
    pending = {status["RequestId"]: (label, status) for label, status in started}
    failures: list[tuple[str, str]] = []
    delay = 0.2
    while pending:
        for request_id, (label, status) in list(pending.items()):
            if status["Status"] == "IN_PROGRESS":
                continue
            del pending[request_id]
            if status["Status"] == "FAILED":
                failures.append((label, status.get("FailureReason", "no reason given")))
        if not pending:
            break
        time.sleep(delay)
        delay = min(delay * 1.5, 5.0)
        pending = {rid: (label, describe(rid)) for rid, (label, _) in pending.items()}
    if failures:
        raise KitError(
            "Identity Center refused: " + "; ".join(f"{label}: {why}" for label, why in failures),
            resource=", ".join(label for label, _ in failures),
            next_step="fix what Identity Center names, then run this step again",
        )
