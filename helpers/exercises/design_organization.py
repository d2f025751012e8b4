"""Design exercise: decide the accounts, OUs and communication paths of a described company,
written as the kit's own desired-state file, and checked against the kit's rules: the file
is valid, one account per application and environment, dev and prod in OUs of their own, a
log-archive account apart from the workloads, and exactly the paths the description needs
(none between environments)."""

from __future__ import annotations

from typing import Any

import yaml

from helpers.config import ConfigError, OrgConfig, parse_config
from helpers.exercises.framework import (
    CONFIG,
    Definition,
    Outcome,
    Values,
    correct,
    incorrect,
    not_attempted,
)
from helpers.kit import Kit

APPS, ENVS = ("booking", "payments"), ("dev", "prod")
WORKLOADS = {f"{app}-{env}": env for app in APPS for env in ENVS}
NEEDED = {(f"booking-{env}", f"payments-{env}") for env in ENVS}  # (consumer, provider)
PARTS = ("organizational_units", "accounts", "trail", "cross_account")  # what the learner writes
GIVEN = ("management_account", "home_region", "allowed_regions")  # what the exercise gives


def setup(kit: Kit) -> dict[str, Any]:
    """Nothing to build: the design is written before anything exists."""
    return {}


def given() -> dict[str, Any]:
    """The parts of the desired-state file the exercise fixes (the example's)."""
    example = yaml.safe_load(CONFIG.read_text())
    return {key: example[key] for key in GIVEN}


def _parse(design: Any) -> OrgConfig | Outcome:
    if not isinstance(design, str):
        return incorrect(f"design is {type(design).__name__}: write it as YAML text")
    try:
        parts = yaml.safe_load(design)
    except yaml.YAMLError as error:
        return incorrect(f"design is not YAML: {error}")
    if not isinstance(parts, dict) or set(parts) - set(PARTS):
        extra = sorted(set(parts) - set(PARTS)) if isinstance(parts, dict) else []
        return incorrect(
            f"design holds {', '.join(extra) or 'no mapping'}: write only "
            f"{', '.join(PARTS)} (the exercise gives {', '.join(GIVEN)})"
        )
    try:
        return parse_config(yaml.safe_dump({**given(), **parts}, sort_keys=False), "design")
    except ConfigError as error:
        return incorrect(
            f"the kit refuses the design ({len(error.errors)} problem(s)): "
            + "; ".join(error.errors[:3])
        )


def _problems(config: OrgConfig) -> list[str]:
    """Each rule of the exercise the design breaks, in words."""
    accounts = {a.name: a for a in config.accounts}
    missing = [name for name in WORKLOADS if name not in accounts]
    if missing:
        return [
            f"no account {', '.join(missing)}: each application gets an account per "
            "environment, named <application>-<environment>"
        ]
    problems = []
    for app in APPS:
        dev, prod = accounts[f"{app}-dev"].ou, accounts[f"{app}-prod"].ou
        if dev == prod:
            problems.append(
                f"{app}-dev and {app}-prod share OU {dev}: put dev and prod in OUs of their "
                "own, so a guardrail can treat them apart"
            )
    rooted = [n for n in WORKLOADS if accounts[n].ou == "Root"]
    if rooted:
        problems.append(f"{', '.join(rooted)} sit(s) in Root: workloads belong in an OU")
    if config.trail is None:
        return [*problems, "no trail: the organization's API calls must be recorded"]
    archive = accounts[config.trail.log_archive_account]
    if archive.name in WORKLOADS:
        problems.append(f"the logs go to {archive.name}, a workload account: give them one apart")
    shared = [n for n in WORKLOADS if accounts[n].ou == archive.ou]
    if shared:
        problems.append(
            f"{archive.name} shares OU {archive.ou} with {', '.join(shared)}: keep the log "
            "archive out of the workloads' OUs"
        )
    section = config.cross_account
    declared = (
        {(p.consumer.account, p.provider.account): p for p in section.paths} if section else {}
    )
    for pair in sorted(NEEDED - set(declared)):
        problems.append(f"{pair[0]} cannot reach {pair[1]}: declare the path the description needs")
    for (consumer, provider), path in sorted(declared.items()):
        if (consumer, provider) in NEEDED:
            if path.provider.queue is None:
                problems.append(
                    f"path {path.name} reaches no queue: payments takes requests on one"
                )
            continue
        sides = (WORKLOADS.get(consumer), WORKLOADS.get(provider))
        if None not in sides and sides[0] != sides[1]:
            problems.append(f"path {path.name} crosses from {sides[0]} to {sides[1]}")
        else:
            problems.append(
                f"path {path.name} ({consumer} → {provider}) is not in the description: "
                "nothing crosses an account boundary unless it is needed and declared"
            )
    return problems


def check(kit: Kit, facts: dict[str, Any], values: Values) -> Outcome:
    if values.blank("design"):
        return not_attempted("design is still blank")
    config = _parse(values["design"])
    if isinstance(config, Outcome):
        return config
    problems = _problems(config)
    if problems:
        return incorrect("; ".join(problems))
    ous = ", ".join(config.ou_paths())
    return correct(
        f"{len(config.accounts)} accounts in {ous}, and exactly {len(NEEDED)} paths, one per "
        "environment: the runbook could build it as it stands"
    )


EXERCISE = Definition(
    name="design_organization",
    title="Design: accounts, OUs and paths for a described company",
    teaches=("02_accounts_and_ous", "04_access_between_accounts", "05_audit_trail"),
    minutes=25,
    answers=("design",),
    setup=setup,
    check=check,
    hints=(
        "Start from runbook/org.example.yaml: its organizational_units, accounts, trail and "
        "cross_account sections have the shape the design needs.",
        "Four workload accounts (booking-dev, booking-prod, payments-dev, payments-prod), two "
        "OUs below Workloads (Dev, Prod), and a log-archive account in a Security OU.",
        "Two paths: consumer {account: booking-dev}, provider {account: payments-dev, queue: "
        "payment-requests}, actions [sqs:GetQueueUrl, sqs:SendMessage]; the same for prod.",
    ),
)
