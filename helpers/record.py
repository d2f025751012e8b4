"""A step's record: what the kit writes to `<run_dir>/<step>/step.json` and the runbook reads.

While a step runs in a kernel the kit writes it after every cell (status "running"), and
`kit.finish()` writes the last one ("ok", or "planned" when nothing was applied). So a step
that fails or is stopped still leaves the calls it made, its changes and its to-dos.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

FILE = "step.json"
STATUSES = ("running", "ok", "planned")


@dataclass(frozen=True)
class Change:
    """A change a step makes (or would make): action, resource and a detail."""

    action: str
    resource: str
    detail: str = ""


@dataclass(frozen=True)
class Exhibit:
    """What the report shows under `title`: kind "svg" (markup), "table" ({"columns",
    "rows"}) or "text"."""

    kind: str
    title: str
    body: object


@dataclass
class Calls:
    """The step's AWS calls: totals by kind, one row per operation and account, and the
    calls started but not answered when the record was written (with their seconds)."""

    read: int = 0
    write: int = 0
    operations: list[dict] = field(default_factory=list)
    in_flight: list[dict] = field(default_factory=list)
    last: dict | None = None  # the last call started: service, operation, account


@dataclass
class StepRecord:
    step: str
    status: str
    calls: Calls = field(default_factory=Calls)
    changes: list[Change] = field(default_factory=list)
    exhibits: list[Exhibit] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)  # what only a person can do

    def write(self, run_dir: Path) -> Path:
        """Write `<run_dir>/<step>/step.json` at once (a reader never sees half a file)."""
        path = Path(run_dir) / self.step / FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(asdict(self), indent=1, default=str))
        os.replace(partial, path)
        return path

    @classmethod
    def read(cls, path: Path) -> StepRecord:
        """A step.json, checked; FileNotFoundError if there is none, ValueError (saying what
        is wrong) if it is not a step's record."""
        data = json.loads(Path(path).read_text())
        try:
            if data["status"] not in STATUSES:
                raise ValueError(f"status {data['status']!r} is not one of {STATUSES}")
            calls = data["calls"]
            return cls(
                step=str(data.get("step", Path(path).parent.name)),
                status=data["status"],
                calls=Calls(
                    read=int(calls["read"]),
                    write=int(calls["write"]),
                    operations=list(calls.get("operations", [])),
                    in_flight=list(calls.get("in_flight", [])),
                    last=calls.get("last"),
                ),
                changes=[
                    Change(*(str(c.get(k, "")) for k in ("action", "resource", "detail")))
                    for c in data.get("changes", [])
                ],
                exhibits=[
                    Exhibit(str(e.get("kind", "")), str(e.get("title", "")), e.get("body"))
                    for e in data.get("exhibits", [])
                ],
                todo=[str(t) for t in data.get("todo", [])],
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise ValueError(f"missing or malformed field: {e!r}") from e


def call_name(call: dict) -> str:
    """`organizations.CreateAccount (account 123456789012)`."""
    return f"{call['service']}.{call['operation']} (account {call['account']})"
