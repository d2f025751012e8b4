"""The small context a step hands to the helpers: config, target, plan or apply, and a record.

A notebook opens its step with `open_step(...)`, passes the `Kit` to helpers, and ends with
`kit.finish()`, which writes `<run_dir>/<step>/step.json` for the runbook's report.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from html import escape
from pathlib import Path

from helpers.config import OrgConfig, load_config
from helpers.recorder import Recorder
from helpers.tables import Table
from helpers.targets import ACCESS_ROLE, KitSession, Target, target_for

REPO = Path(__file__).resolve().parent.parent


class KitError(Exception):
    """A problem the person running the kit must fix; the message says what to do."""


@dataclass(frozen=True)
class Change:
    action: str
    resource: str
    detail: str = ""


class Kit:
    """What one step knows and records: every call, every change, every exhibit."""

    def __init__(
        self, step: str, config: OrgConfig, target: Target, apply: bool, run_dir: Path
    ) -> None:
        self.step, self.config, self.target, self.apply = step, config, target, apply
        self.run_dir = run_dir
        self.recorder = Recorder()
        self.changes: list[Change] = []
        self.unchanged: list[Change] = []
        self.exhibits: list[dict] = []
        self.todo: list[str] = []
        self._sessions: dict[tuple[str, str], KitSession] = {}

    @property
    def step_dir(self) -> Path:
        path = self.run_dir / self.step
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def management(self) -> KitSession:
        """The management account's session, recorded."""
        key = (self.config.management_account.id, "")
        if key not in self._sessions:
            self._sessions[key] = self.recorder.attach(self.target.management(), key[0])
        return self._sessions[key]

    def account(self, account_id: str, role: str = ACCESS_ROLE) -> KitSession:
        """A recorded session in a member account, through `role` (assumed from management)."""
        if account_id == self.config.management_account.id:
            return self.management
        key = (account_id, role)
        if key not in self._sessions:
            session = self.target.assume(self.management, account_id, role)
            self._sessions[key] = self.recorder.attach(session, account_id)
        return self._sessions[key]

    def outside(self, account_id: str, profile: str | None = None) -> KitSession | None:
        """A recorded session with an account's own credentials (the invited account), if known."""
        key = (account_id, "own credentials")
        if key not in self._sessions:
            session = self.target.outside_account(account_id, profile)
            if session is None:
                return None
            self._sessions[key] = self.recorder.attach(session, account_id)
        return self._sessions[key]

    def planning(self) -> Kit:
        """A plan-mode twin of this step: the same config, target, recorder and sessions, and a
        record of its own. Running a step's helpers with it says what they would change now."""
        twin = Kit(self.step, self.config, self.target, False, self.run_dir)
        twin.recorder, twin._sessions = self.recorder, self._sessions
        return twin

    def change(self, action: str, resource: str, detail: str = "") -> bool:
        """Record a change the step makes (or would make); True when it should be applied now."""
        self.changes.append(Change(action, resource, detail))
        return self.apply

    def keep(self, resource: str, detail: str = "") -> None:
        """Record a resource that is already as the config wants it."""
        self.unchanged.append(Change("unchanged", resource, detail))

    def ask(self, what: str) -> None:
        """Record something only a person can do (for example accept an invitation)."""
        self.todo.append(what)

    def outcome(self) -> Table:
        """What this step changed (or would change) and what it left as it was."""
        done = "planned" if not self.apply else "done"
        rows = [[c.action, c.resource, c.detail, done] for c in self.changes]
        rows += [[c.action, c.resource, c.detail, ""] for c in self.unchanged]
        rows += [["to do by you", what, "", "waiting"] for what in self.todo]
        return Table(["action", "resource", "detail", "status"], rows)

    def show(self, title: str, item) -> None:
        """Display a picture or table in the notebook and hand it to the run's report."""
        from IPython.display import HTML, display

        if isinstance(item, Table):
            self.exhibits.append({"kind": "table", "title": title, "body": item.to_dict()})
        elif hasattr(item, "_repr_svg_"):
            self.exhibits.append({"kind": "svg", "title": title, "body": item._repr_svg_()})
        else:
            self.exhibits.append({"kind": "text", "title": title, "body": str(item)})
        display(HTML(f"<h4>{escape(title)}</h4>"), item)

    def finish(self) -> Table:
        """Write step.json for the runbook and return the outcome table."""
        record = {
            "step": self.step,
            "status": "ok" if self.apply else "planned",
            "calls": {**self.recorder.totals(), "operations": self.recorder.operations()},
            "changes": [asdict(c) for c in self.changes],
            "exhibits": self.exhibits,
            "todo": self.todo,
        }
        (self.step_dir / "step.json").write_text(json.dumps(record, indent=1, default=str))
        return self.outcome()


def open_step(
    step: str,
    config_path: str,
    target: str = "sandbox",
    endpoint_url: str = "",
    profile: str = "",
    apply: bool = True,
    run_dir: str = "",
) -> Kit:
    """Open a step from a notebook's parameters: load the config and connect to the target."""
    config = load_config(REPO / "notebooks" / config_path)
    where = target_for(target, config.home_region, endpoint_url, profile)
    folder = Path(run_dir) if run_dir else REPO / "runs" / "lab"
    from helpers.prerequisites import checked  # it imports this module: not at the top

    return checked(Kit(step, config, where, apply, folder))
