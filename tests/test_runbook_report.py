"""report.html from step results, without running anything: exhibits, escaping, errors, the
summary on top."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpers.record import Calls, Change, Exhibit, StepRecord
from helpers.tables import Table
from runbook.report import StepResult, read_step_record, render, summarize
from runbook.steps import RunbookError, Step

STEP = Step(Path("05_audit_trail.ipynb"), "05 · <Audit> trail", None)
WHEN = datetime(2026, 11, 28, 14, 25, 1, tzinfo=UTC)
CARD = {
    "rows": [
        {"key": "trail", "goal": "All API calls are recorded", "status": "✅"},
        {"key": "regions", "goal": "Only the approved regions", "status": "❌"},
        {"key": "scale", "goal": "A manageable size", "status": "⚠️"},
    ],
    "failed": ["regions"],
}


def record(*exhibits, **fields) -> StepRecord:
    return StepRecord("05_audit_trail", "ok", exhibits=[Exhibit(*e) for e in exhibits], **fields)


def page(*exhibits, error="", card=None, **fields) -> str:
    results = [StepResult(STEP, "ok", 1.5, "05_audit_trail.ipynb", record(*exhibits, **fields))]
    results[0].error = error
    summary = summarize("r1", "sandbox", WHEN, WHEN, results, {"read": 1, "write": 0}, card=card)
    return render(summary, results)


def test_an_svg_exhibit_is_inline_without_its_xml_prolog():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>a &amp; b</text></svg>'
    html = page(("svg", "Tree", f'<?xml version="1.0"?>\n{svg}'))
    assert f"<figcaption>Tree</figcaption>{svg}</figure>" in html


@pytest.mark.parametrize(
    "body",
    [
        '<svg onload="alert(1)"></svg>',
        "<svg><script>alert(1)</script></svg>",
        "<div>not a picture</div>",
    ],
)
def test_svg_with_scripts_or_other_markup_is_shown_as_text(body):
    html = page(("svg", "x", body))
    assert body not in html and "<pre>&lt;" in html


def test_tables_text_titles_and_changes_are_escaped():
    html = page(
        ("table", "<T>", {"columns": ["<c>"], "rows": [["a&b"]]}),
        ("text", "t", "<plain>"),
        changes=[Change("create", "<r>", "&")],
    )
    for raw in ("<T>", "<c>", "<plain>", "<r>", "<Audit>"):
        assert raw not in html
    assert "<td>a&amp;b</td>" in html and "&lt;Audit&gt;" in html and "<td>&amp;</td>" in html


def test_every_table_scrolls_inside_its_card():
    """A wide table (the proof matrix) stays inside its card: it scrolls, long words wrap."""
    wide = {"columns": [f"account {n}" for n in range(30)], "rows": [["allow"] * 30]}
    html = page(("table", "Proof matrix", wide), changes=[Change("create", "x")])
    assert html.count("<div class='wide'><table") == 3  # steps, changes, the exhibit
    assert ".wide { max-width: 100%; overflow-x: auto; }" in html
    assert "overflow-wrap: anywhere" in html


def test_a_mark_alone_gets_its_word():
    """Without an emoji font a lone ✅ is a box: the report says yes, no or warning too."""
    rows = [["trail", "✅"], ["regions", "❌"], ["scale", "⚠️"], ["note", "✅ kept"]]
    html = page(("table", "The scorecard", Table(["goal", "met"], rows).to_dict()))
    assert "<td>✅ yes</td>" in html and "<td>❌ no</td>" in html
    assert "<td>⚠️ warning</td>" in html and "<td>✅ kept</td>" in html


def test_the_summary_on_top_gives_goals_steps_changes_and_to_dos():
    html = page(
        card=CARD,
        changes=[Change("create", "trail"), Change("update", "bucket")],
        todo=["accept the invitation"],
    )
    top = html[html.index("<header>") : html.index("</header>")]
    assert "Scorecard: 1 of 3 goals met, 1 with a warning, 1 not met" in top
    assert "not met: Only the approved regions" in top
    assert "1 of 1 steps ok" in top and "2 changes made" in top
    assert "1 to do by you" in top
    section = html[html.index("<section id='05_audit_trail'>") :]
    assert "To do by you</h3><ul>\n<li>accept the invitation</li>" in section


def test_a_failed_step_shows_its_error_and_notebook_link():
    html = page(error="step 05_audit_trail failed in cell 3: ClientError: <denied>")
    assert (
        "<pre class='error'>step 05_audit_trail failed in cell 3: ClientError: &lt;denied&gt;"
        in html
    )
    assert "href='05_audit_trail.ipynb'" in html


def test_totals_add_the_runbooks_own_calls():
    results = [StepResult(STEP, "ok", record=StepRecord("s", "ok", Calls(read=4, write=2)))]
    summary = summarize("r1", "aws", WHEN, WHEN, results, {"read": 1, "write": 0})
    assert summary["totals"] == {"seconds": 0.0, "calls": {"read": 5, "write": 2}, "changes": 0}
    assert summary["started"] == "2026-11-28T14:25:01Z"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["ok", "skipped"], "ok"),
        (["planned", "skipped"], "planned"),
        (["ok", "failed"], "failed"),
        (["ok", "interrupted"], "interrupted"),
    ],
)
def test_the_runs_status_follows_its_steps(statuses, expected):
    results = [StepResult(STEP, status) for status in statuses]
    assert summarize("r", "sandbox", WHEN, WHEN, results, {"read": 0, "write": 0})["status"] == (
        expected
    )


def test_step_json_is_checked(tmp_path):
    folder = tmp_path / "05_audit_trail"
    folder.mkdir()
    path = folder / "step.json"
    assert read_step_record(tmp_path, "05_audit_trail") is None
    path.write_text(json.dumps({"status": "done", "calls": {"read": 1, "write": 0}}))
    with pytest.raises(RunbookError, match="cannot be read.*'done'"):
        read_step_record(tmp_path, "05_audit_trail")
    path.write_text(json.dumps({"status": "planned", "calls": {"read": 1}}))
    with pytest.raises(RunbookError, match="malformed.*'write'"):
        read_step_record(tmp_path, "05_audit_trail")
    path.write_text(
        json.dumps({"status": "planned", "calls": {"read": 1, "write": 0, "operations": []}})
    )
    assert read_step_record(tmp_path, "05_audit_trail") == StepRecord(
        "05_audit_trail", "planned", Calls(read=1, write=0)
    )


def test_the_kits_record_reads_back_as_it_was_written(tmp_path):
    written = StepRecord(
        "02_accounts",
        "running",
        Calls(3, 1, [{"service": "sts"}], [{"service": "organizations"}], {"service": "sts"}),
        [Change("create", "account dev", "dev@example.com")],
        [Exhibit("table", "t", {"columns": ["a"], "rows": [["1"]]})],
        ["accept the invitation"],
    )
    written.write(tmp_path)
    assert read_step_record(tmp_path, "02_accounts") == written
