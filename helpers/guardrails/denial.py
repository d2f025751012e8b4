"""A real denial: read calls from a workload account under the guardrails, AWS's refusal
read from its message and explained layer by layer, and the calls a workshop makes on a
click (a prediction's probe, an IAM user the guardrail refuses)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from helpers import scp_documents as docs
from helpers.aws import error_code
from helpers.kit import Kit, KitError
from helpers.policy import Decision, explain_access
from helpers.quiz import Answer

from .existing import prepare
from .plan import ROOT, Plan

DENIED = ("AccessDenied", "AccessDeniedException")
DENIAL = re.compile(
    r"User: (?P<principal>\S+) is not authorized to perform: (?P<action>\S+)"
    r"(?: on resource: \"?(?P<resource>[^\"\s]+)\"?)?"
    r"(?: with an explicit deny in an? (?P<explicit>.+)| because no (?P<implicit>.+) allows .*)?$"
)
TRIES = {  # service: (operation, parameters), a read call a workload account makes
    "sqs": ("list_queues", {}),
    "iam": ("list_roles", {"MaxItems": 1}),
    "organizations": ("describe_organization", {}),
}


@dataclass(frozen=True)
class Attempt:
    """One real call from a member account, and AWS's answer."""

    account: str
    call: str
    region: str
    outcome: str
    message: str = ""

    @property
    def denied(self) -> bool:
        return self.outcome != "allowed"


def demo_account(kit: Kit, plan: Plan) -> tuple[str, str] | None:
    """A workload account (name, id) the region allow-list reaches, to try calls from: the
    first that exists, not the trail's log archive."""
    regions = next((s for s in plan.scps if s.name == docs.REGIONS), None)
    archive = kit.config.trail.log_archive_account if kit.config.trail else None
    for account in kit.config.accounts:
        account_id, path = plan.accounts.get(account.name), account.ou
        reached = regions and any(
            t == ROOT or path == t or path.startswith(f"{t}/") for t in regions.targets
        )
        if account_id and reached and account.name != archive:
            return account.name, account_id
    return None


def workload_account(kit: Kit, now: Plan | None) -> tuple[str, str] | None:
    """The workload account (name, id) to try calls from once the guardrails are applied."""
    return demo_account(kit, now) if now and kit.apply else None


def _try(name: str, session, service: str, region: str) -> Attempt:
    """One read call of TRIES from a session, and AWS's answer (a denial is an answer)."""
    operation, parameters = TRIES[service]
    client = session.client(service, region_name=region)
    action = f"{service}:{client.meta.method_to_api_mapping[operation]}"
    try:
        getattr(client, operation)(**parameters)
    except ClientError as error:
        if error_code(error) not in DENIED:
            raise
        return Attempt(name, action, region, error_code(error), error.response["Error"]["Message"])
    return Attempt(name, action, region, "allowed")


def attempts(kit: Kit, account: tuple[str, str], plan: Plan) -> list[Attempt]:
    """Read calls from the account's access role: in the home region, in a denied region,
    and global services called from the denied region. Read calls only: a re-run writes
    nothing."""
    name, account_id = account
    session = kit.account(account_id)
    home, denied = plan.intent.home_region, plan.intent.denied_region
    calls = [("sqs", home), ("sqs", denied), ("iam", denied), ("organizations", denied)]
    return [_try(name, session, service, region) for service, region in calls]


def read_denial(message: str) -> dict[str, str] | None:
    """The parts of an access-denied message: principal, action, resource, and which kind
    of policy said no ("service control policy" means an SCP: only the organization's
    administrators can change it)."""
    match = DENIAL.match(message)
    if match is None:
        return None
    parts = {k: v for k, v in match.groupdict().items() if v}
    parts["layer"] = parts.pop("explicit", None) or parts.pop("implicit", None) or "not said"
    return parts


def explain(kit: Kit, attempt: Attempt) -> Decision | None:
    """Why AWS refused a denied attempt, layer by layer (read calls only)."""
    parts = read_denial(attempt.message)
    if parts is None:
        return None
    return explain_access(
        kit, parts["principal"], parts["action"], parts.get("resource", "*"), attempt.region
    )


def try_to_create_user(kit: Kit, account_id: str, user: str = "guardrail-test") -> str:
    """Ask IAM, as the account's access role, to create an IAM user; AWS's answer.

    A write call: the workshop makes it with a button, the runbook does not (a re-run makes
    no write calls). The guardrail refuses it; should it ever succeed, the user is deleted.
    """
    iam = kit.account(account_id).client("iam")
    try:
        iam.create_user(UserName=user)
    except ClientError as error:
        if error_code(error) not in DENIED:
            raise
        return f"{error_code(error)}: {error.response['Error']['Message']}"
    iam.delete_user(UserName=user)
    raise KitError(
        f"account {account_id} could create IAM user {user}; the user is deleted again",
        resource=f"account {account_id}",
        next_step="run step 06 to attach the guardrails (deny_iam_users)",
    )


def probe(kit: Kit, service: str) -> Callable[[], Answer]:
    """The real call a prediction waits for: a workload account's read call of `service`
    (a key of TRIES) in the region the guardrail denies, explained when refused. Nothing is
    called until the probe is."""
    if service not in TRIES:
        raise ValueError(f"service {service!r}: choose one of {', '.join(TRIES)}")

    def call() -> Answer:
        now = prepare(kit)
        account = workload_account(kit, now)
        if now is None or account is None:
            raise KitError(
                "no workload account under the region guardrail yet: run step 06",
                resource="the region guardrail",
                next_step="run step 06",
            )
        region = now.intent.denied_region
        tried = _try(account[0], kit.account(account[1]), service, region)
        if not tried.denied:
            return Answer.of(True, detail=f"{tried.call} in {region}: allowed")
        return Answer.of(False, explain(kit, tried), tried.message)

    return call
