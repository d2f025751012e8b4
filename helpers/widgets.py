"""Widgets for the workshop: pick, try and see, over the helper calls papermill runs anyway.

Each function takes the step's `Kit` and returns one widget, so a notebook cell is one
call (`widgets.try_as(kit)`). Callbacks write through an `Output` widget, so errors show
under the widget; anything that changes AWS waits for an explicit button. Under papermill
a widget is built and displayed, with the same read calls as in JupyterLab, and nothing
else happens: nobody clicks.

What a widget shows before anyone clicks (a tree, a table) goes into an `HTML` widget,
never into an `Output`: nbclient mimics an Output widget by sending its state back to the
kernel over the shell channel, which can leave papermill waiting forever for the cell's
reply (jupyter/nbclient#312; seen here as a runbook run hanging in step 02).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any

import ipywidgets as w
from botocore.exceptions import BotoCoreError, ClientError
from IPython import get_ipython
from IPython.display import display

from helpers import audit_trail, costs, guardrails, identity_center, organization, quiz
from helpers.kit import Kit, KitError
from helpers.policy import explain_access
from helpers.tables import Table
from helpers.targets import ACCESS_ROLE, KitSession

DENIALS = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
"""The error codes of a denial, as S3, IAM and STS, JSON services and EC2 word it."""
SERVICE_LINKED_PATH = "/aws-service-role/"
OTHER_REGIONS = ("us-east-1", "us-west-2", "ap-southeast-1")
"""Regions offered besides the config's, to see a region guardrail at work."""


# --- the organization tree, refreshed after each change ------------------------------------


@dataclass
class _Watch:
    """A kit's trees and the number of write calls the kit had made when they were drawn."""

    kit: Kit
    writes: int
    redraws: list[Callable[[], None]] = field(default_factory=list)

    def refresh_if_changed(self, *_: Any) -> None:
        writes = self.kit.recorder.totals()["write"]
        if writes != self.writes:
            self.writes = writes
            for redraw in self.redraws:
                redraw()


_WATCHES: dict[int, _Watch] = {}


def _watch(kit: Kit) -> _Watch:
    """The kit's watch; the first one hooks IPython so trees follow every cell that wrote."""
    if id(kit) not in _WATCHES:
        watch = _Watch(kit, kit.recorder.totals()["write"])
        _WATCHES[id(kit)] = watch
        shell = get_ipython()
        if shell is not None:
            shell.events.register("post_run_cell", watch.refresh_if_changed)
    return _WATCHES[id(kit)]


def changed(kit: Kit) -> None:
    """Redraw the kit's trees if it made write calls since they were drawn (widgets call it
    after an action; IPython after each cell)."""
    _watch(kit).refresh_if_changed()


def _button(description: str, icon: str, style: str = "") -> w.Button:
    return w.Button(description=description, icon=icon, button_style=style)


def html(item: Any) -> str:
    """A picture, table or explanation as HTML; anything else as escaped text."""
    if hasattr(item, "_repr_svg_"):
        return item._repr_svg_()
    if hasattr(item, "_repr_html_"):
        return item._repr_html_()
    return f"<pre>{escape(str(item))}</pre>"


def _through(out: w.Output, action: Callable[[], None]) -> Callable[..., None]:
    """A callback that runs `action` with its output in `out`. Whatever goes wrong shows there
    as its message and what to do, never as a traceback: every widget's callbacks go
    through here."""

    def callback(*_: Any) -> None:
        with out:
            out.clear_output()
            try:
                action()
            except Exception as error:  # a workshop widget explains; it never raises
                out.append_stdout(f"{problem(error)}\n")

    return callback


def problem(error: Exception) -> str:
    """An error as a learner can act on it: what went wrong, and what to do."""
    again = "run this notebook again from the top, then try once more"
    if isinstance(error, KitError):
        return f"Not done: {error}"
    if isinstance(error, ClientError):
        answer = error.response["Error"]
        return (
            f"AWS answered {answer['Code']}: {answer['Message']}. If the sandbox was reset or "
            f"a step before this one has not run, {again}."
        )
    if isinstance(error, BotoCoreError):
        return f"No answer from AWS ({error}). If the sandbox stopped, start it and {again}."
    return (
        f"Something went wrong: {type(error).__name__}: {error}. Please {again}; if it happens "
        "again, tell the facilitator what you picked and clicked."
    )


def organization_tree(kit: Kit) -> w.VBox:
    """The organization as it is now, drawn again after each cell or widget that changed
    something, and on Refresh (for changes made from another notebook)."""
    picture, out = w.HTML(), w.Output()
    refresh = _button("Refresh", "refresh")

    def draw() -> None:
        if organization.describe(kit.management) is None:
            picture.value = html("No organization yet: step 01 creates it.")
        else:
            picture.value = html(organization.picture(kit.management))

    refresh.on_click(_through(out, draw))
    _watch(kit).redraws.append(draw)
    draw()
    return w.VBox([refresh, out, picture])


# --- try as: a call for real, and the explanation of a denial -----------------------------


@dataclass(frozen=True)
class Trial:
    """An action to try: how to call it and the resource it acts on."""

    action: str
    note: str
    call: Callable[[KitSession, str, str], Any]
    resource: Callable[[str, str], str]
    writes: bool = False

    @property
    def service(self) -> str:
        return self.action.split(":", 1)[0]


def _bucket(account_id: str, region: str) -> str:
    return f"try-as-{account_id}-{region}"


def _create_bucket(session: KitSession, account_id: str, region: str) -> Any:
    where = {} if region == "us-east-1" else {"LocationConstraint": region}
    s3 = session.client("s3", region_name=region)
    return s3.create_bucket(Bucket=_bucket(account_id, region), CreateBucketConfiguration=where)


TRIALS = {
    t.action: t
    for t in (
        Trial(
            "s3:ListAllMyBuckets",
            "list the buckets",
            lambda s, a, r: s.client("s3", region_name=r).list_buckets()["Buckets"],
            lambda a, r: "*",
        ),
        Trial(
            "ec2:DescribeVpcs",
            "list the VPCs of the region",
            lambda s, a, r: s.client("ec2", region_name=r).describe_vpcs()["Vpcs"],
            lambda a, r: "*",
        ),
        Trial(
            "s3:CreateBucket",
            "creates a bucket",
            _create_bucket,
            lambda a, r: f"arn:aws:s3:::{_bucket(a, r)}",
            writes=True,
        ),
        Trial(
            "iam:CreateUser",
            "creates an IAM user",
            lambda s, a, r: s.client("iam").create_user(UserName="try-as-user")["User"],
            lambda a, r: f"arn:aws:iam::{a}:user/try-as-user",
            writes=True,
        ),
    )
}

OWN = "own credentials"


def _accounts(kit: Kit) -> dict[str, str]:
    """Label -> account id: the management account and the organization's active accounts,
    or the accounts outside it the config names (before step 02)."""
    management = kit.config.management_account
    labels = {f"{management.name} ({management.id})": management.id}
    if organization.describe(kit.management) is not None:
        pages = kit.management.client("organizations").get_paginator("list_accounts").paginate()
        for account in (a for page in pages for a in page["Accounts"]):
            if account["Status"] == "ACTIVE" and account["Id"] != management.id:
                labels[f"{account['Name']} ({account['Id']})"] = account["Id"]
    for account in kit.config.accounts:
        if account.invite and account.id not in labels.values():
            labels[f"{account.name} ({account.id}, outside the organization)"] = account.id
    return labels


def _profile(kit: Kit, account_id: str) -> str | None:
    return next((a.profile for a in kit.config.accounts if a.id == account_id), None)


def _principals(kit: Kit, account_id: str) -> dict[str, str]:
    """Label -> who to act as in the account: "" (the kit's way in: the management
    account's credentials or the access role), a role's name, or OWN."""
    labels: dict[str, str] = {}
    if account_id == kit.config.management_account.id:
        return {"the management account's kit credentials": ""}
    if _in_organization(kit, account_id):
        labels[f"role {ACCESS_ROLE} (from the management account)"] = ""
    if kit.outside(account_id, _profile(kit, account_id)) is not None:
        labels["the account's own credentials"] = OWN
    if "" in labels.values():
        pages = kit.account(account_id).client("iam").get_paginator("list_roles").paginate()
        for role in (r for page in pages for r in page["Roles"]):
            name = role["RoleName"]
            if name != ACCESS_ROLE and not role["Path"].startswith(SERVICE_LINKED_PATH):
                labels[f"role {name}"] = name
    return labels


def _in_organization(kit: Kit, account_id: str) -> bool:
    orgs = kit.management.client("organizations")
    try:
        orgs.describe_account(AccountId=account_id)
    except (
        orgs.exceptions.AccountNotFoundException,
        orgs.exceptions.AWSOrganizationsNotInUseException,
    ):
        return False
    return True


def _explain(
    kit: Kit, error: ClientError, principal: str, action: str, resource: str, region: str
) -> None:
    print(f"Denied ({error.response['Error']['Code']}): {error.response['Error']['Message']}")
    print("Why, layer by layer, read from the organization as it is now:")
    display(explain_access(kit, principal, action, resource, region))


def try_one(kit: Kit, account_id: str, who: str, action: str, region: str) -> None:
    """Act as `who` in the account (see `_principals`), call `action` in `region` for real
    and print what AWS answered; explain a denial. A role is assumed from the kit's session
    in the same account, so its trust policy decides, and a refusal is explained too."""
    trial = TRIALS[action]
    if trial.writes and not kit.apply:
        print(f"{action} {trial.note}, and this notebook only plans (apply = False).")
        return
    if who == OWN:
        session = kit.outside(account_id, _profile(kit, account_id))
        if session is None:
            print("The account's own credentials are gone (step 03 retires the old keys): pick")
            print(f"another way in, such as role {ACCESS_ROLE}.")
            return
    else:
        session = kit.account(account_id)
        if who:
            caller = session.client("sts").get_caller_identity()["Arn"]
            try:
                assumed = kit.target.assume(session, account_id, who)
            except ClientError as error:
                if error.response["Error"]["Code"] not in DENIALS:
                    raise
                role = f"arn:aws:iam::{account_id}:role/{who}"
                _explain(kit, error, caller, "sts:AssumeRole", role, region)
                return
            session = kit.recorder.attach(assumed, account_id)
    caller = session.client("sts").get_caller_identity()["Arn"]
    print(f"As {caller}, in {region}: {action}")
    try:
        result = trial.call(session, account_id, region)
    except ClientError as error:
        if error.response["Error"]["Code"] not in DENIALS:
            print(f"Not a denial: AWS answered {error.response['Error']['Code']}: {error}")
            return
        _explain(kit, error, caller, action, trial.resource(account_id, region), region)
        return
    found = f", {len(result)} found" if isinstance(result, list) else ""
    print(f"Allowed: {trial.note}{found}.")
    changed(kit)


def _first_choice(kit: Kit, accounts: dict[str, str]) -> str:
    """The account the try-as widget starts with: the team's original (invited) account,
    where the hand-made isolation lives, else the first member account."""
    invited = {a.id for a in kit.config.invited_accounts()}
    ids = list(accounts.values())
    return next((i for i in ids if i in invited), ids[min(1, len(ids) - 1)])


def _regions(kit: Kit) -> list[str]:
    return list(
        dict.fromkeys([kit.config.home_region, *kit.config.allowed_regions, *OTHER_REGIONS])
    )


def try_as(kit: Kit) -> w.VBox:
    """Pick an account, who to be there, an action and a region; "Run it for real" makes
    the call against the target and shows what AWS answered, with the explanation of a
    denial (helpers.policy.explain_access)."""
    out = w.Output()
    wide = w.Layout(width="460px")
    account = w.Dropdown(description="account", layout=wide)
    who = w.Dropdown(description="as", layout=wide)
    action = w.Dropdown(
        description="action",
        options=[(f"{t.action} ({t.note})", t.action) for t in TRIALS.values()],
        layout=wide,
    )
    region = w.Dropdown(description="region", options=_regions(kit), layout=wide)
    run = _button("Run it for real", "play", "warning")

    def load_principals(_: Any = None) -> None:
        choices = list(_principals(kit, account.value).items())
        who.options = choices
        who.value = choices[0][1] if choices else None  # the kit's own way in, when there is one

    def run_it() -> None:
        if who.value is None:
            print(f"Nobody to act as in account {account.value}: the kit has no way in yet.")
            return
        try_one(kit, account.value, who.value, action.value, region.value)

    accounts = _accounts(kit)
    account.options = list(accounts.items())
    account.value = _first_choice(kit, accounts)
    load_principals()
    account.observe(_through(out, load_principals), names="value")
    run.on_click(_through(out, run_it))
    return w.VBox([w.HBox([account, who]), w.HBox([action, region]), run, out])


# --- the access matrix: users x accounts x permission sets ---------------------------------


def _directory(kit: Kit) -> identity_center.Directory:
    """Identity Center as it is, read without changing anything: the config's users, groups
    and permission sets with their ids (None for those not there yet)."""
    config = identity_center.section(kit)
    instance = identity_center.find_instance(kit)
    directory = identity_center.Directory(instance, accounts=identity_center.account_ids(kit))
    users, groups, sets = {}, {}, {}
    if instance is not None:
        store, sso = kit.management.client("identitystore"), kit.management.client("sso-admin")
        pages = store.get_paginator("list_users").paginate(IdentityStoreId=instance.store_id)
        users = {u["UserName"].casefold(): u["UserId"] for page in pages for u in page["Users"]}
        pages = store.get_paginator("list_groups").paginate(IdentityStoreId=instance.store_id)
        groups = {
            g["DisplayName"].casefold(): g["GroupId"] for page in pages for g in page["Groups"]
        }
        pages = sso.get_paginator("list_permission_sets").paginate(InstanceArn=instance.arn)
        for arn in (a for page in pages for a in page["PermissionSets"]):
            described = sso.describe_permission_set(InstanceArn=instance.arn, PermissionSetArn=arn)
            sets[described["PermissionSet"]["Name"]] = arn
    directory.users = {u.user_name: users.get(u.user_name.casefold()) for u in config.users}
    directory.groups = {g.name: groups.get(g.name.casefold()) for g in config.groups}
    directory.permission_sets = {p.name: sets.get(p.name) for p in config.permission_sets}
    return directory


def matrix(reaches: dict[str, list[identity_center.Access]], permission_set: str = "") -> Table:
    """One row per user, one column per account: the permission sets offered there."""
    accounts = sorted({a.account for accesses in reaches.values() for a in accesses})
    rows = []
    for user, accesses in reaches.items():
        offered = {
            a.account: [p for p in a.permission_sets if not permission_set or p == permission_set]
            for a in accesses
        }
        rows.append([user, *(", ".join(offered.get(name, [])) or "-" for name in accounts)])
    return Table(["user", *accounts], rows)


def access_matrix(kit: Kit) -> w.VBox:
    """Who may enter which account with which permission set, as Identity Center holds it
    now (helpers.identity_center.reach); pick a permission set to see only it."""
    table, out = w.HTML(), w.Output()
    names = [p.name for p in identity_center.section(kit).permission_sets]
    choices = [("every permission set", ""), *((name, name) for name in names)]
    only = w.Dropdown(description="show", options=choices)
    refresh = _button("Refresh", "refresh")
    reaches: dict[str, list[identity_center.Access]] = {}

    def draw(_: Any = None) -> None:
        table.value = html(matrix(reaches, only.value))

    def load() -> None:
        reaches.clear()
        try:
            reaches.update(identity_center.reach(kit, _directory(kit)))
        except KitError as error:
            table.value = html(error)
            return
        draw()

    refresh.on_click(_through(out, load))
    only.observe(_through(out, draw), names="value")
    load()
    return w.VBox([w.HBox([only, refresh]), out, table])


# --- the region guardrail: tick regions, see the proof matrix, then apply ------------------


def region_guardrail(kit: Kit) -> w.VBox:
    """Tick the allowed regions and see, before anything is attached, which requests of
    step 06's proof matrix (helpers.scp_proof, through the evaluator) each account would
    allow or deny; "Apply these regions" attaches the guardrails with them
    (helpers.guardrails.apply, refused unless the proof passes). The runbook puts the
    config's allowed_regions back on its next run: the config is the desired state."""
    matrix_pane, out = w.HTML(), w.Output()
    plan = guardrails.prepare(kit)
    if plan is None:
        matrix_pane.value = html("The config has no guardrails section: step 06 leaves SCPs alone.")
        return w.VBox([matrix_pane])
    ticks = {
        region: w.Checkbox(value=region in plan.intent.allowed_regions, description=region)
        for region in _regions(kit)
    }
    apply = _button("Apply these regions", "shield", "danger")

    def ticked() -> guardrails.Plan:
        regions = tuple(r for r, box in ticks.items() if box.value)
        wanted = replace(plan.intent, allowed_regions=regions, region_allow_list=bool(regions))
        return replace(plan, intent=wanted, scps=guardrails.desired(plan.section, wanted))

    def show() -> None:
        proven = guardrails.proof(kit, ticked())
        refused = [f"<p>Would be refused: {escape(p)}</p>" for p in proven.problems()]
        matrix_pane.value = "".join(refused) + html(proven.table())

    def apply_them() -> None:
        chosen = ticked()
        guardrails.validate(chosen)
        if not kit.apply:
            print("This notebook only plans (apply = False): nothing was attached.")
            return
        guardrails.apply(kit, chosen, guardrails.proof(kit, chosen))
        print(f"Applied: only {', '.join(chosen.intent.allowed_regions)} (and global services).")
        changed(kit)

    for box in ticks.values():
        box.observe(_through(out, show), names="value")
    apply.on_click(_through(out, apply_them))
    show()
    return w.VBox([w.HBox(list(ticks.values())), apply, out, matrix_pane])


# --- the cost chart --------------------------------------------------------------------------


def cost_chart(kit: Kit) -> w.VBox:
    """The cost per account and month (helpers.costs.cost_per_account), as a chart or a
    table; Refresh asks Cost Explorer again."""
    pane, out = w.HTML(), w.Output()
    view = w.ToggleButtons(options=["chart", "table"])
    refresh = _button("Refresh", "refresh")
    found: list[costs.Costs] = []

    def draw(_: Any = None) -> None:
        figures = found[0]
        shown = costs.chart(figures) if view.value == "chart" else costs.table(figures)
        pane.value = (html(figures.note) if figures.note else "") + (
            html(shown) if figures.amounts else ""
        )

    def load() -> None:
        found[:] = [costs.cost_per_account(kit)]
        draw()

    view.observe(_through(out, draw), names="value")
    refresh.on_click(_through(out, load))
    load()
    return w.VBox([w.HBox([view, refresh]), out, pane])


# --- checks of understanding: a question, and a prediction the real call settles ------------


_MARKS = {quiz.RIGHT: "✅ Right", quiz.WRONG: "❌ Not quite", quiz.SKIPPED: "Not answered yet"}


def _outcome(outcome: quiz.Outcome) -> str:
    return f"<p><b>{_MARKS[outcome.status]}</b>: {escape(outcome.feedback)}</p>"


def question(
    kit: Kit, text: str, options: list[str], right: str, why: str, answer: str | None = None
) -> w.VBox:
    """A question with its options; Check says right or wrong, and why (helpers.quiz). The
    `answer` literal answers it from the cell; None (papermill) records it as skipped."""
    asked = quiz.Question(text, tuple(options), right, why)
    picked = w.RadioButtons(options=asked.options, value=answer, layout=w.Layout(width="auto"))
    check, out, feedback = _button("Check", "check"), w.Output(), w.HTML()

    def show(answer: str | None) -> None:
        feedback.value = _outcome(quiz.ask(kit, asked, answer))

    check.on_click(_through(out, lambda: show(picked.value)))
    show(answer)
    return w.VBox([w.HTML(f"<b>{escape(text)}</b>"), picked, check, out, feedback])


def predict(
    kit: Kit,
    text: str,
    probe: Callable[[], quiz.Answer],
    verdict: str | None = None,
    layer: str | None = None,
) -> w.VBox:
    """Predict, then run: pick Allowed or Denied (and, for a denial, the layer that says
    no), then "Ask AWS" makes the real call (`probe`, read calls only) and compares. The
    `verdict` and `layer` literals predict from the cell; None (papermill) records the
    prediction as skipped and makes no call."""
    quiz.Prediction(text, verdict, layer)  # refuses a literal it cannot read, before any call
    said = w.ToggleButtons(options=[quiz.ALLOWED, quiz.DENIED], value=verdict)
    layers = [(quiz.LAYERS[key], key) for key in quiz.CHOICES]
    which = w.RadioButtons(
        options=layers, value=layer, description="said no:", layout=w.Layout(width="auto")
    )
    ask, out, feedback = _button("Ask AWS", "question", "info"), w.Output(), w.HTML()

    def run() -> None:
        denied = said.value == quiz.DENIED
        guess = quiz.Prediction(text, said.value, which.value if denied else None)
        real = probe() if guess.verdict else None
        feedback.value = _outcome(quiz.settle(kit, guess, real)) + (
            f"<pre>{escape(real.detail)}</pre>" if real and real.detail else ""
        )

    ask.on_click(_through(out, run))
    run()
    return w.VBox([w.HTML(f"<b>Predict: {escape(text)}</b>"), said, which, ask, out, feedback])


def probe_as(kit: Kit, account: str, who: str, action: str, region: str = "") -> Callable:
    """The real call a prediction waits for: a read `action` of TRIALS as `who` ("" for the
    kit's way in, or a role the kit's session there assumes) in the config's `account`, in
    `region` (the home region by default). Nothing is called until the probe is."""
    trial = TRIALS[action]
    if trial.writes:
        raise ValueError(f"{action} {trial.note}: a prediction asks only read calls")

    def call() -> quiz.Answer:
        account_id = identity_center.account_ids(kit).get(account)
        if account_id is None:
            raise KitError(f"account {account} does not exist yet: run step 02 first")
        where = region or kit.config.home_region
        session = kit.account(account_id)
        caller = session.client("sts").get_caller_identity()["Arn"]
        if who:
            role = f"arn:aws:iam::{account_id}:role/{who}"
            try:
                assumed = kit.target.assume(session, account_id, who)
            except ClientError as error:
                return _denial(kit, error, caller, "sts:AssumeRole", role, where)
            session = kit.recorder.attach(assumed, account_id)
            caller = session.client("sts").get_caller_identity()["Arn"]
        try:
            trial.call(session, account_id, where)
        except ClientError as error:
            return _denial(kit, error, caller, action, trial.resource(account_id, where), where)
        return quiz.Answer.of(True, detail=f"As {caller}: {trial.note}.")

    return call


def _denial(
    kit: Kit, error: ClientError, caller: str, action: str, resource: str, region: str
) -> quiz.Answer:
    """A refused call as a prediction's answer, with the layers the explainer names."""
    if error.response["Error"]["Code"] not in DENIALS:
        raise error
    decision = explain_access(kit, caller, action, resource, region)
    return quiz.Answer.of(False, decision, error.response["Error"]["Message"])


# --- write calls a member account tries, each behind its own button -------------------------


def _attempt_button(description: str, attempt: Callable[[], str]) -> w.VBox:
    """A red button that makes one refused write call and prints AWS's answer."""
    button, out = _button(description, "ban", "danger"), w.Output()
    button.on_click(_through(out, lambda: print(attempt())))
    return w.VBox([button, out])


def stop_trail(kit: Kit, where: audit_trail.Where, member: tuple[str, str] | None) -> w.Widget:
    """A button that asks CloudTrail, as the member account, to stop the organization trail
    (helpers.audit_trail.try_to_stop): a write call, made only on a click."""
    if not kit.apply or member is None:
        return w.HTML(html("No member account to try from while this step only plans."))
    name, account_id = member
    return _attempt_button(
        f"Stop the trail as {name}", lambda: audit_trail.try_to_stop(kit, account_id, where)
    )


def create_user(kit: Kit, account: tuple[str, str] | None) -> w.Widget:
    """A button that asks IAM, as the account's administrator role, to create an IAM user
    (helpers.guardrails.try_to_create_user): a write call, made only on a click."""
    if account is None:
        return w.HTML(html("No member account under the guardrails yet: nothing to try."))
    name, account_id = account
    return _attempt_button(
        f"Create an IAM user in {name}", lambda: guardrails.try_to_create_user(kit, account_id)
    )
