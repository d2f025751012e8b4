"""Checks of understanding: a question, and a prediction the real call settles."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as w
from botocore.exceptions import ClientError

from helpers import quiz
from helpers.accounts import account_ids
from helpers.aws import error_code
from helpers.kit import Kit, KitError
from helpers.policy import explain_access
from helpers.widgets.base import DENIALS, button, through
from helpers.widgets.trials import TRIALS

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
    check, out, feedback = button("Check", "check"), w.Output(), w.HTML()

    def show(answer: str | None) -> None:
        feedback.value = _outcome(quiz.ask(kit, asked, answer))

    check.on_click(through(out, lambda: show(picked.value)))
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
    ask, out, feedback = button("Ask AWS", "question", "info"), w.Output(), w.HTML()

    def run() -> None:
        denied = said.value == quiz.DENIED
        guess = quiz.Prediction(text, said.value, which.value if denied else None)
        real = probe() if guess.verdict else None
        feedback.value = _outcome(quiz.settle(kit, guess, real)) + (
            f"<pre>{escape(real.detail)}</pre>" if real and real.detail else ""
        )

    ask.on_click(through(out, run))
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
        account_id = account_ids(kit).get(account)
        if account_id is None:
            raise KitError(
                f"account {account} does not exist yet: run step 02 first",
                resource=f"account {account}",
                next_step="run step 02 first",
            )
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
    if error_code(error) not in DENIALS:
        raise error
    decision = explain_access(kit, caller, action, resource, region)
    return quiz.Answer.of(False, decision, error.response["Error"]["Message"])
