"""Checks of understanding: questions and predictions (helpers.quiz), their widgets clicked
headless, and the real calls that settle a prediction, on the session's journey."""

from __future__ import annotations

import json

import ipywidgets as w
import pytest

from helpers import guardrails, paths, quiz, widgets
from helpers.kit import KitError, open_step
from helpers.policy import Policies, Policy, Request, ScpLevel, evaluate
from tests.conftest import requests_received

QUESTION = quiz.Question(
    "Who pays the bill of a member account?",
    ("the member account", "the management account"),
    "the management account",
    "The management account is the organization's payer.",
)


def _kit(tmp_path, url: str = "", apply: bool = True, step: str = "04_x"):
    """A kit of the journey's sandbox; without `url`, one that plans and calls nothing."""
    if not url:
        url, apply = "http://127.0.0.1:9", False
    return open_step(
        step, "../runbook/org.example.yaml", endpoint_url=url, apply=apply, run_dir=str(tmp_path)
    )


def _record(kit) -> list[dict]:
    return json.loads((kit.step_dir / quiz.RECORD).read_text())["checks"]


def _one(box: w.Box, kind: type) -> w.Widget:
    (found,) = [child for child in box.children if isinstance(child, kind)]
    return found


def test_a_question_is_right_wrong_or_skipped():
    assert QUESTION.check("the management account").status == quiz.RIGHT
    wrong = QUESTION.check("the member account")
    assert wrong.status == quiz.WRONG and "the management account" in wrong.feedback
    assert QUESTION.check(None).status == quiz.SKIPPED
    with pytest.raises(ValueError, match="'nobody' is not one of the options"):
        QUESTION.check("nobody")


@pytest.mark.parametrize(
    ("options", "right", "message"),
    [(("a",), "a", "two or more"), (("a", "a"), "a", "two or more"), (("a", "b"), "c", "one of")],
)
def test_a_question_that_cannot_be_answered_is_refused(options, right, message):
    with pytest.raises(ValueError, match=message):
        quiz.Question("q", options, right, "why")


def test_each_check_is_recorded_once_with_its_latest_answer(tmp_path):
    kit = _kit(tmp_path)
    quiz.ask(kit, QUESTION, None)
    quiz.ask(kit, QUESTION, "the member account")
    guess = quiz.Prediction("dev reads prod's bucket", quiz.DENIED, "resource")
    quiz.settle(kit, guess, None)
    assert [(r["kind"], r["answer"], r["status"]) for r in _record(kit)] == [
        ("question", "the member account", quiz.WRONG),
        ("prediction", [quiz.DENIED, "resource"], quiz.SKIPPED),
    ]


def test_a_new_kit_for_the_step_starts_a_new_record(tmp_path):
    quiz.ask(_kit(tmp_path), QUESTION, "the member account")
    kit = _kit(tmp_path)
    quiz.ask(kit, quiz.Question("q", ("a", "b"), "a", "why"), None)
    assert [r["text"] for r in _record(kit)] == ["q"]


SCP_DENY = quiz.Answer(
    quiz.DENIED, ("scp",), "... with an explicit deny in a service control policy"
)


@pytest.mark.parametrize(
    ("verdict", "layer", "real", "status", "said"),
    [
        (None, None, SCP_DENY, quiz.SKIPPED, "pick Allowed or Denied"),
        (quiz.DENIED, None, None, quiz.SKIPPED, "pick Allowed or Denied"),
        (quiz.DENIED, "scp", SCP_DENY, quiz.RIGHT, "by a service control policy"),
        (quiz.DENIED, None, SCP_DENY, quiz.RIGHT, "by a service control policy"),
        (quiz.DENIED, "identity", SCP_DENY, quiz.WRONG, "not by the caller's own IAM policies"),
        (quiz.ALLOWED, None, SCP_DENY, quiz.WRONG, "you expected Allowed; AWS said Denied"),
        (quiz.DENIED, None, quiz.Answer(quiz.ALLOWED), quiz.WRONG, "AWS said Allowed"),
    ],
)
def test_a_prediction_is_settled_by_the_real_answer(verdict, layer, real, status, said):
    outcome = quiz.Prediction("p", verdict, layer).check(real)
    assert outcome.status == status and said in outcome.feedback


@pytest.mark.parametrize(
    ("verdict", "layer", "message"),
    [("denied", None, "write 'Allowed', 'Denied' or None"), (quiz.DENIED, "iam", "one of scp"),
     (quiz.ALLOWED, "scp", "only to a denied call")],
)  # fmt: skip
def test_a_prediction_it_cannot_read_is_refused(verdict, layer, message):
    with pytest.raises(ValueError, match=message):
        quiz.Prediction("p", verdict, layer)


def test_the_answer_of_a_denial_names_the_layers_of_the_evaluators_decision():
    deny = Policy("no-s3", {"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
    full = Policy("full", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    request = Request(
        "arn:aws:sts::111122223333:assumed-role/admin/s", "s3:ListBucket", organization="o-a"
    )
    decision = evaluate(request, Policies((full,), (ScpLevel("root", "r-a", (full, deny)),)))
    answer = quiz.Answer.of(decision.allowed, decision)
    assert answer == quiz.Answer(quiz.DENIED, ("scp",))
    assert answer.said() == "Denied, by a service control policy (the organization's guardrails)"
    assert quiz.Answer.of(True) == quiz.Answer(quiz.ALLOWED)


# --- the widgets, clicked headless ----------------------------------------------------------


def test_the_question_widget_records_skipped_then_the_click(tmp_path):
    kit = _kit(tmp_path)
    box = widgets.question(kit, QUESTION.text, list(QUESTION.options), QUESTION.right, "Why.")
    feedback = box.children[-1]
    assert "Not answered yet" in feedback.value
    assert _record(kit)[0]["status"] == quiz.SKIPPED
    _one(box, w.RadioButtons).value = "the member account"
    _one(box, w.Button).click()
    assert "❌ Not quite" in feedback.value and _record(kit)[0]["status"] == quiz.WRONG
    _one(box, w.RadioButtons).value = "the management account"
    _one(box, w.Button).click()
    assert "✅ Right" in feedback.value and _record(kit)[0]["answer"] == "the management account"


def test_an_answer_typed_into_the_cell_is_checked_at_once(tmp_path):
    kit = _kit(tmp_path)
    widgets.question(kit, "q", ["a", "b"], "b", "Because.", answer="b")
    assert _record(kit)[0]["status"] == quiz.RIGHT


def test_a_prediction_nobody_made_is_skipped_without_any_call(journey, tmp_path):
    kit = _kit(tmp_path, journey["url"])
    before = requests_received(journey["url"])
    calls = []
    box = widgets.predict(kit, "p", lambda: calls.append(1) or quiz.Answer(quiz.ALLOWED))
    assert calls == [] and requests_received(journey["url"]) == before
    assert _record(kit) == [
        {"kind": "prediction", "text": "p", "answer": None, "status": quiz.SKIPPED,
         "feedback": "pick Allowed or Denied, then ask AWS."}
    ]  # fmt: skip
    assert "Not answered yet" in box.children[-1].value


def _predict_and_ask(kit, probe, verdict: str, layer: str | None = None) -> dict:
    box = widgets.predict(kit, "the call", probe)
    _one(box, w.ToggleButtons).value = verdict
    _one(box, w.RadioButtons).value = layer
    _one(box, w.Button).click()
    assert _one(box, w.Output).outputs == ()  # the widget's guard printed no problem
    return _record(kit)[0]


def test_the_trust_policy_says_no_to_dev_app_in_the_original_account(journey, tmp_path):
    kit = _kit(tmp_path, journey["url"], step="02_x")
    probe = widgets.probe_as(kit, "original", "dev-app", "s3:ListAllMyBuckets")
    row = _predict_and_ask(kit, probe, quiz.DENIED, "trust")
    assert row["status"] == quiz.RIGHT and "the role's trust policy" in row["feedback"]
    assert kit.recorder.totals()["write"] == 0


def test_the_kits_own_role_may_list_the_vpcs_of_dev(journey, tmp_path):
    kit = _kit(tmp_path, journey["url"], step="02_x")
    row = _predict_and_ask(kit, widgets.probe_as(kit, "dev", "", "ec2:DescribeVpcs"), quiz.DENIED)
    assert row["status"] == quiz.WRONG and "AWS said Allowed" in row["feedback"]


def test_outside_its_prefix_the_bucket_policy_says_no(journey, tmp_path):
    kit = _kit(tmp_path, journey["url"])
    probe = paths.probe(kit, "anonymised-samples-for-dev", outside_prefix=True)
    row = _predict_and_ask(kit, probe, quiz.DENIED, "identity")
    assert row["status"] == quiz.WRONG
    assert "not by the caller's own IAM policies" in row["feedback"]
    assert "the resource's own policy" in row["feedback"]
    inside = paths.probe(kit, "anonymised-samples-for-dev")()
    assert inside.verdict == quiz.ALLOWED
    assert kit.recorder.totals()["write"] == 0


def test_an_account_off_the_path_is_refused_by_the_queue_policy(journey, tmp_path):
    kit = _kit(tmp_path, journey["url"])
    answer = paths.probe(kit, "orders-from-the-old-shop", caller="log-archive")()
    assert answer.verdict == quiz.DENIED and "resource" in answer.layers


def test_the_region_guardrail_denies_sqs_but_not_iam_in_a_denied_region(journey, tmp_path):
    kit = _kit(tmp_path, journey["url"], step="06_x")
    row = _predict_and_ask(kit, guardrails.probe(kit, "sqs"), quiz.DENIED, "scp")
    assert row["status"] == quiz.RIGHT
    assert guardrails.probe(kit, "iam")().verdict == quiz.ALLOWED
    assert kit.recorder.totals()["write"] == 0


def test_a_prediction_typed_into_the_cell_asks_aws_at_once(journey, tmp_path):
    kit = _kit(tmp_path, journey["url"], step="06_x")
    widgets.predict(kit, "sqs", guardrails.probe(kit, "sqs"), verdict=quiz.ALLOWED)
    assert _record(kit)[0]["status"] == quiz.WRONG


def test_probes_refuse_what_they_cannot_ask(journey, tmp_path):
    kit = _kit(tmp_path, journey["url"])
    with pytest.raises(ValueError, match="only read calls"):
        widgets.probe_as(kit, "dev", "", "iam:CreateUser")
    with pytest.raises(ValueError, match="choose one of sqs"):
        guardrails.probe(kit, "s3")
    with pytest.raises(KitError, match="path no-such-path is not granted yet"):
        paths.probe(kit, "no-such-path")()
    with pytest.raises(ValueError, match="verdict 'yes'"):
        widgets.predict(kit, "p", lambda: quiz.Answer(quiz.ALLOWED), verdict="yes")


def test_the_write_buttons_appear_only_when_the_step_applies(journey, tmp_path, capsys):
    planning = _kit(tmp_path, journey["url"], apply=False)
    assert isinstance(widgets.create_user(planning, None), w.HTML)
    kit = _kit(tmp_path, journey["url"], step="06_x")
    account = guardrails.workload_account(kit, guardrails.prepare(kit))
    box = widgets.create_user(kit, account)
    _one(box, w.Button).click()
    assert "explicit deny in a service control policy" in capsys.readouterr().out
