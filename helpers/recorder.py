"""Count every AWS API call a session makes, through botocore's event hooks."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from threading import Lock

import boto3

READ_PREFIXES = ("Describe", "Get", "List", "Lookup", "Search")
READ_OPERATIONS = {("sts", "AssumeRole"), ("sts", "GetCallerIdentity")}


def kind_of(service: str, operation: str) -> str:
    """'read' for Describe*/Get*/List*/Lookup*/Search* and the two STS reads, else 'write'."""
    if operation.startswith(READ_PREFIXES) or (service, operation) in READ_OPERATIONS:
        return "read"
    return "write"


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    account: str

    @property
    def kind(self) -> str:
        return kind_of(self.service, self.operation)


class Recorder:
    """Counts calls per (service, operation, account) and the seconds they took, and knows
    the calls in flight (started, not answered yet) and the last one started."""

    def __init__(self) -> None:
        self.counts: Counter[Call] = Counter()
        self.seconds: defaultdict[Call, float] = defaultdict(float)
        self.last: Call | None = None
        self._pending: dict[int, tuple[Call, float]] = {}
        self._lock = Lock()  # sessions in several threads may record at once

    def attach(self, session: boto3.Session, account: str) -> boto3.Session:
        """Record every call that clients of `session` make, as calls in `account`."""
        pending = self._pending

        def before(model, context, **_) -> None:
            call = Call(model.service_model.service_name, model.name, account)
            pending[id(context)] = (call, time.perf_counter())
            self.last = call

        def after(context, **_) -> None:
            call, started = pending.pop(id(context))
            with self._lock:
                self.counts[call] += 1
                self.seconds[call] += time.perf_counter() - started

        events = session.events
        events.register("before-call", before, unique_id=f"kit-recorder-before-{id(self)}")
        events.register("after-call", after, unique_id=f"kit-recorder-after-{id(self)}")
        events.register("after-call-error", after, unique_id=f"kit-recorder-error-{id(self)}")
        return session

    def totals(self) -> dict[str, int]:
        """Calls by kind: {'read': n, 'write': m}."""
        totals = {"read": 0, "write": 0}
        for call, count in self.counts.items():
            totals[call.kind] += count
        return totals

    def in_flight(self) -> list[dict]:
        """The calls started and not answered yet, with the seconds they have waited."""
        now = time.perf_counter()
        return [
            {**asdict(call), "seconds": round(now - started, 2)}
            for call, started in list(self._pending.values())
        ]

    def operations(self) -> list[dict]:
        """One row per (service, operation, account), most frequent first."""
        return [
            {
                "service": call.service,
                "operation": call.operation,
                "kind": call.kind,
                "account": call.account,
                "count": count,
                "seconds": round(self.seconds[call], 4),
            }
            for call, count in self.counts.most_common()
        ]
