"""Every exercise, run headless under papermill in a kernel (and so a sandbox) of its own,
three ways: the untouched learner copy is "not attempted", the source's solution is
"correct", and each planted wrong answer is "incorrect" with a message naming the mistake.

One kernel per exercise runs the sections one after another; each section's first cell
starts the exercise over (a reset to its known state), as a learner redoing it would.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill
import pytest

from helpers.exercises.catalog import EXERCISES
from helpers.exercises.notebooks import learner_copy, solution_regions
from helpers.kit import REPO

# exercise -> [({region index: new code, or (old, new) to change in the solution's code},
#               what the message must name)]
Edit = str | tuple[str, str]
WRONG: dict[str, list[tuple[dict[int, Edit], str]]] = {
    "00_isolation_holes": [
        ({0: ("role_into_prod = next(", 'role_into_prod = "dev-app" or next(')}, "already names"),
        (
            {1: ("ec2.revoke_security_group_ingress(", "dict(")},
            "prod-web still accepts tcp 8080 from dev-alb",
        ),
    ],
    "01_organization_and_accounts": [
        ({2: ("orgs.move_account(", "dict(")}, "is in Root, not in OU Sandboxes"),  # no move
        (
            {
                2: (
                    "DestinationParentId=ou_id)",
                    'DestinationParentId=ou_id)\naccount_id = status["Id"]',
                )
            },
            "the CreateAccount request id",
        ),
    ],
    "02_invitation": [
        (
            {
                0: (
                    'original.client("organizations").accept_handshake(HandshakeId=handshake_id)',
                    "pass  # invited, never accepted",
                ),
                2: "pass  # and so not moved either",
            },
            "is still OPEN",
        ),
        (
            {1: ("arn:aws:iam::{management_id}:root", "arn:aws:iam::{ORIGINAL_ACCOUNT_ID}:root")},
            "(123456789012) cannot assume OrganizationAccountAccessRole",
        ),
    ],
    "03_identity_center": [
        (
            {
                1: (
                    'PrincipalType="GROUP",\n    PrincipalId=groups["developers"]',
                    'PrincipalType="USER",\n    PrincipalId=exercise.facts["users"]["alice"]',
                )
            },
            "user alice: ProdReadOnly in prod",
        ),
        (
            {0: ("policy/ReadOnlyAccess", "policy/AdministratorAccess")},
            "it needs exactly arn:aws:iam::aws:policy/ReadOnlyAccess",
        ),
    ],
    "05_organization_trail": [
        (
            {1: ("IsOrganizationTrail=True", "IsOrganizationTrail=False")},
            "IsOrganizationTrail false",
        ),
        ({2: "pass  # logging never started"}, "records nothing"),
    ],
    "04_cross_account_path": [
        ({0: ("acme-prod-exports/anonymised/*", "acme-prod-exports/*")}, "the real data"),
        ({0: ('{"AWS": f"arn:aws:iam::{consumer_account}:root"}', '"*"')}, "log-archive"),
    ],
    "06_guardrail_scp": [
        ({0: ('TargetId=ous["Workloads"]', 'TargetId=ous["Workloads/Dev"]')}, "prod may still"),
        ({0: ('"Action": "iam:CreateUser"', '"Action": "iam:*"')}, "no longer create roles"),
    ],
    "predict_the_decision": [
        (
            {
                0: (
                    'case_4 = ("ExplicitlyDenied", "rcp")',
                    'case_4 = ("ImplicitlyDenied", "resource")',
                )
            },
            "case_4: you predicted ImplicitlyDenied, the evaluator says ExplicitlyDenied",
        ),
        (
            {
                0: (
                    'case_1 = ("ExplicitlyDenied", "scp")',
                    'case_1 = ("ExplicitlyDenied", "identity")',
                )
            },
            "case_1: ExplicitlyDenied is right, but the layer that decides is the SCPs",
        ),
    ],
    "07_cost_per_account": [
        (
            {
                0: (
                    'spend.amount(accounts["dev"], last_complete)',
                    "sum(spend.amount(a, last_complete) for a in spend.accounts())",
                )
            },
            "the whole organization's bill",
        ),
        ({0: ("spend.months[-2]", "spend.months[-1]")}, "still counting (estimated)"),
    ],
    "08_review": [
        (
            {1: ("ec2.revoke_security_group_ingress(", "dict(")},
            "the review still reports security group dev-debug",
        ),
        ({1: ('("eu-central-1", "eu-west-1")', '("eu-central-1",)')}, "is still off in eu-west-1"),
    ],
    "design_organization": [
        (
            {0: ("ou: Workloads/Prod}", "ou: Workloads/Dev}")},
            "booking-dev and booking-prod share OU",
        ),
        (
            {0: ("provider: {account: payments-dev,", "provider: {account: payments-prod,")},
            "path payment-requests-dev crosses from dev to prod",
        ),
    ],
    "09_scorecard_review": [
        ({1: ('iam.delete_login_profile(UserName="ci-deployer")\n', "")}, "console password"),
        ({0: ("failing_goal = next(", 'failing_goal = "isolation" or next(')}, "failing_goal is"),
    ],
    "bug_region_guardrail": [
        (
            {
                1: (
                    "orgs.update_policy(PolicyId=policy_id, Content=json.dumps(document))",
                    "orgs.detach_policy(PolicyId=policy_id, TargetId=guilty_ou)",
                )
            },
            "may now run instances in us-west-2",
        ),
        (
            {
                1: (
                    'document["Statement"][0]["NotAction"].append("ce:*")',
                    'document["Statement"][0]["Condition"]["StringNotEquals"]'
                    '["aws:RequestedRegion"].append("us-east-1")',
                )
            },
            "may now run instances in us-east-1",
        ),
    ],
    "bug_trust_policy": [
        ({1: ('{"AWS": f"arn:aws:iam::{dev}:role/report-builder"}', '"*"')}, "names * besides dev"),
        ({0: ("wrong_account = trust", "wrong_account = prod or trust")}, "wrong_account is"),
    ],
}


def _wrong_answers(name: str) -> list[tuple[dict[int, str], str]]:
    """Each planted answer: the solution everywhere, but for the edits given."""
    solution = solution_regions(EXERCISES[name].source)
    planted = []
    for edits, expected in WRONG[name]:
        answers = dict(enumerate(solution))
        for index, edit in edits.items():
            if isinstance(edit, tuple):
                assert edit[0] in solution[index], (name, index, edit[0])
                edit = solution[index].replace(edit[0], edit[1])
            answers[index] = edit
        planted.append((answers, expected))
    return planted


def _section(notebook: nbformat.NotebookNode, first: bool) -> list:
    cells = notebook.cells
    return cells if first else [c for c in cells if "parameters" not in c.metadata.get("tags", [])]


def _combined(name: str) -> nbformat.NotebookNode:
    """Untouched copy, then the solution, then each planted wrong answer, in one notebook."""
    source = EXERCISES[name].source
    combined = learner_copy(source)
    combined.cells = _section(combined, True)
    combined.cells += _section(nbformat.read(source, as_version=4), False)
    for answers, _ in _wrong_answers(name):
        combined.cells += _section(learner_copy(source, answers), False)
    for index, cell in enumerate(combined.cells):
        cell.id = f"c{index}"
    return combined


def _run(name: str, folder: Path) -> list[str]:
    path = folder / f"{name}.ipynb"
    nbformat.write(_combined(name), path)
    out = folder / f"{name}.out.ipynb"
    papermill.execute_notebook(
        path,
        out,
        parameters={"create_account_seconds": 0.2},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(folder),
    )
    checks = [
        c for c in nbformat.read(out, as_version=4).cells if "check" in c.metadata.get("tags", [])
    ]
    # the Outcome is the cell's result, its last output (progress bars come before it)
    return [
        c.outputs[-1].get("data", {}).get("text/plain", "") if c.outputs else "" for c in checks
    ]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each exercise's check outcomes, in order: untouched, solution, wrong answers."""
    folder = tmp_path_factory.mktemp("exercises")
    with ThreadPoolExecutor(2) as pool:  # one kernel per exercise, two at a time
        runs = {name: pool.submit(_run, name, folder) for name in EXERCISES}
    return {name: run.result() for name, run in runs.items()}


@pytest.mark.journey  # every exercise run with papermill
@pytest.mark.parametrize("name", list(EXERCISES))
def test_the_untouched_learner_copy_is_not_attempted(outcomes, name) -> None:
    assert outcomes[name][0].startswith("not attempted yet: "), outcomes[name][0]


@pytest.mark.journey  # every exercise run with papermill
@pytest.mark.parametrize("name", list(EXERCISES))
def test_the_solution_is_correct(outcomes, name) -> None:
    assert outcomes[name][1].startswith("correct: "), outcomes[name][1]


@pytest.mark.parametrize(
    ("name", "index"), [(name, i) for name in EXERCISES for i in range(len(WRONG.get(name, [])))]
)
@pytest.mark.journey  # every exercise run with papermill
def test_a_planted_wrong_answer_is_incorrect_and_named(outcomes, name, index) -> None:
    text = outcomes[name][2 + index]
    assert text.startswith("incorrect: "), text
    assert WRONG[name][index][1] in text, text


def test_every_exercise_has_a_planted_wrong_answer() -> None:
    assert set(WRONG) == set(EXERCISES)


# The steps the issue lists: each needs an exercise once its notebook exists.
STEPS = ("00", "01", "02", "03", "04", "05", "06", "07", "08", "09")


def test_every_step_of_the_journey_has_an_exercise() -> None:
    taught = {step[:2] for e in EXERCISES.values() for step in e.teaches}
    present = {p.name[:2] for p in (REPO / "notebooks").glob("0[0-9]_*.ipynb")}
    assert {s for s in STEPS if s in present} <= taught
    assert sum(e.name.startswith("bug_") for e in EXERCISES.values()) >= 2
    assert any(e.name.startswith("design_") for e in EXERCISES.values())


def test_the_index_lists_every_exercise() -> None:
    index = (REPO / "exercises" / "README.md").read_text()
    for exercise in EXERCISES.values():
        assert f"source/{exercise.name}.ipynb" in index
        assert f"{exercise.minutes} min" in index
        for notebook in exercise.teaches:
            if notebook[:2].isdigit():
                assert notebook in index
