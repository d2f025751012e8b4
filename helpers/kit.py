"""The small context a step hands to the helpers: config, target, plan or apply, and a record.

A notebook opens its step with `open_step(...)`, passes the `Kit` to helpers, and ends with
`kit.finish()`. The step's record (`helpers.record.StepRecord`) goes to
`<run_dir>/<step>/step.json` after every cell in a kernel, and once more from `finish()`.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from html import escape
from pathlib import Path

from helpers.config import OrgConfig, load_config
from helpers.record import Calls, Change, Exhibit, StepRecord
from helpers.recorder import Recorder
from helpers.tables import Table
from helpers.targets import ACCESS_ROLE, KitSession, Target, target_for

REPO = Path(__file__).resolve().parent.parent
WORKSHOP_RUNS = REPO / "runs" / "lab"  # where a step writes when no run_dir is given (the lab)


class KitError(Exception):
    """A problem the person running the kit must fix. The message says what to do; the fields
    carry the same for a program: AWS's error `code` (if any), the `resource` concerned and
    the `next_step` to take."""

    def __init__(self, message: str, *, code: str = "", resource: str = "", next_step: str = ""):
        super().__init__(message)
        self.code, self.resource, self.next_step = code, resource, next_step


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
        self.exhibits: list[Exhibit] = []
        self.todo: list[str] = []
        self.finished = False
        self._sessions: dict[tuple[str, str], KitSession] = {}

    @property
    def step_dir(self) -> Path:
        path = self.run_dir / self.step
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def names(self) -> dict[str, str]:
        """The kit's name for each account the config knows by id: the management account
        (`management_account.name`) and the invited ones. Pictures and tables show these,
        never AWS's name for them ("master", or what the invited account was called)."""
        config = self.config
        names = {account.id: account.name for account in config.accounts if account.id}
        return names | {config.management_account.id: config.management_account.name}

    def account_name(self, account_id: str, aws_name: str) -> str:
        """The one name the kit shows for an account (AWS's for those it created: its own)."""
        return self.names.get(account_id, aws_name)

    @property
    def management(self) -> KitSession:
        """The management account's session, recorded; it knows the kit's account names."""
        key = (self.config.management_account.id, "")
        if key not in self._sessions:
            session = self.recorder.attach(self.target.management(), key[0])
            session.names = self.names
            self._sessions[key] = session
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

    def plan(self, action: str, resource: str, detail: str = "") -> None:
        """Record a change the step makes (or, when planning, would make). Whether it is made
        now is `kit.apply`: `kit.plan(...)` then `if kit.apply: <the call>`."""
        self.changes.append(Change(action, resource, detail))

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
            self.exhibits.append(Exhibit("table", title, item.to_dict()))
        elif hasattr(item, "_repr_svg_"):
            self.exhibits.append(Exhibit("svg", title, item._repr_svg_()))
        else:
            self.exhibits.append(Exhibit("text", title, str(item)))
        display(HTML(f"<h4>{escape(title)}</h4>"), item)

    def record(self, status: str) -> StepRecord:
        """The step's record as it stands: "running" until `finish()`."""
        last = self.recorder.last
        calls = Calls(
            **self.recorder.totals(),
            operations=self.recorder.operations(),
            in_flight=self.recorder.in_flight(),
            last=None if last is None else asdict(last),
        )
        return StepRecord(self.step, status, calls, self.changes, self.exhibits, self.todo)

    def finish(self) -> Table:
        """Write step.json for the runbook and return the outcome table."""
        self.record("ok" if self.apply else "planned").write(self.run_dir)
        self.finished = True
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
    folder = Path(run_dir) if run_dir else WORKSHOP_RUNS
    kit = Kit(step, config, where, apply, folder)
    _record_after_every_cell(kit)
    from helpers.prerequisites import checked  # it imports this module: not at the top

    return checked(kit)


_open: list[Kit] = []  # the step open in this kernel, if any


def _record_after_every_cell(kit: Kit) -> None:
    """In a kernel, write the kit's record after each cell until `kit.finish()`: a step that
    fails or is stopped leaves what it did so far."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython else None
    if shell is None:  # plain Python: only finish() writes
        return
    _open[:] = [kit]
    if _after_cell not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _after_cell)


def _after_cell(result) -> None:
    for kit in _open:
        if not kit.finished:
            kit.record("running").write(kit.run_dir)
