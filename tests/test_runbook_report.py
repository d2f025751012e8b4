"""report.html from step results, without running anything: exhibits, escaping, errors."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runbook.report import StepResult, read_step_record, render, summarize
from runbook.steps import RunbookError, Step

STEP = Step(Path("05_audit_trail.ipynb"), "05 · <Audit> trail", None)
WHEN = datetime(2026, 11, 28, 14, 25, 1, tzinfo=UTC)


def page(*exhibits, **result) -> str:
    results = [
        StepResult(STEP, "ok", 1.5, "05_audit_trail.ipynb", exhibits=list(exhibits), **result)
    ]
    return render(summarize("r1", "sandbox", WHEN, WHEN, results, {"read": 1, "write": 0}), results)


def test_an_svg_exhibit_is_inline_without_its_xml_prolog():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>a &amp; b</text></svg>'
    html = page({"kind": "svg", "title": "Tree", "body": f'<?xml version="1.0"?>\n{svg}'})
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
    html = page({"kind": "svg", "title": "x", "body": body})
    assert body not in html and "<pre>&lt;" in html


def test_tables_text_titles_and_changes_are_escaped():
    html = page(
        {"kind": "table", "title": "<T>", "body": {"columns": ["<c>"], "rows": [["a&b"]]}},
        {"kind": "text", "title": "t", "body": "<plain>"},
        changes=[{"action": "create", "resource": "<r>", "detail": "&"}],
    )
    for raw in ("<T>", "<c>", "<plain>", "<r>", "<Audit>"):
        assert raw not in html
    assert "<td>a&amp;b</td>" in html and "&lt;Audit&gt;" in html and "<td>&amp;</td>" in html


def test_a_failed_step_shows_its_error_and_notebook_link():
    html = page(error="step 05_audit_trail failed in cell 3: ClientError: <denied>")
    assert (
        "<pre class='error'>step 05_audit_trail failed in cell 3: ClientError: &lt;denied&gt;"
        in html
    )
    assert "href='05_audit_trail.ipynb'" in html


def test_totals_add_the_runbooks_own_calls():
    results = [StepResult(STEP, "ok", calls={"read": 4, "write": 2})]
    summary = summarize("r1", "aws", WHEN, WHEN, results, {"read": 1, "write": 0})
    assert summary["totals"] == {"seconds": 0.0, "calls": {"read": 5, "write": 2}}
    assert summary["started"] == "2026-11-28T14:25:01Z"


def test_step_json_is_checked(tmp_path):
    folder = tmp_path / "05_audit_trail"
    folder.mkdir()
    path = folder / "step.json"
    with pytest.raises(RunbookError, match="without writing 05_audit_trail/step.json"):
        read_step_record(path)
    path.write_text(json.dumps({"status": "done", "calls": {"read": 1, "write": 0}}))
    with pytest.raises(RunbookError, match="malformed.*'done'"):
        read_step_record(path)
    path.write_text(
        json.dumps({"status": "planned", "calls": {"read": 1, "write": 0, "operations": []}})
    )
    assert read_step_record(path) == {
        "status": "planned",
        "calls": {"read": 1, "write": 0},
        "changes": [],
        "exhibits": [],
    }
