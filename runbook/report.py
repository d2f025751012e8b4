"""A run's record: each step's `helpers.record.StepRecord` read back, then summary.json and
report.html (a summary on top, then one section per step)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from helpers.record import FILE, StepRecord, call_name
from helpers.tables import MARKS, html_table
from runbook.steps import RunbookError, Step

STATUSES = ("ok", "planned", "skipped", "failed", "interrupted")
SCORECARD = "scorecard.json"  # step 09's rows, in its step folder
REVIEW_ROW = "review-"  # the key prefix of step 08's rows in the scorecard


@dataclass
class StepResult:
    """What one step did; `notebook` is the executed copy's file name (None when skipped).
    `record` is what the step's kit wrote, if it wrote anything (also when it failed)."""

    step: Step
    status: str
    seconds: float = 0.0
    notebook: str | None = None
    record: StepRecord | None = None
    error: str = ""

    @property
    def calls(self) -> dict[str, int]:
        calls = self.record.calls if self.record else None
        return {"read": calls.read, "write": calls.write} if calls else {"read": 0, "write": 0}

    @property
    def changes(self) -> list[dict]:
        return [asdict(c) for c in self.record.changes] if self.record else []

    @property
    def todo(self) -> list[str]:
        return list(self.record.todo) if self.record else []

    def summary(self) -> dict:
        return {
            "step": self.step.stem,
            "notebook": self.notebook,
            "status": self.status,
            "seconds": self.seconds,
            "calls": self.calls,
            "changes": self.changes,
            "todo": self.todo,
            "error": self.error,
        }


def read_step_record(run_dir: Path, step: str) -> StepRecord | None:
    """The record a step's kit wrote (None if it wrote none); RunbookError if it is broken."""
    path = run_dir / step / FILE
    try:
        return StepRecord.read(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise RunbookError(f"its {step}/{FILE} cannot be read: {e}") from e


def in_flight(record: StepRecord | None, endpoint: str) -> str:
    """What the step was waiting for when it was stopped, from its record."""
    if record is None:
        return "it recorded no AWS call"
    waiting = record.calls.in_flight
    if waiting:
        call = max(waiting, key=lambda c: c["seconds"])
        return f"waiting {call['seconds']:g} s for {call_name(call)} at {endpoint}"
    if record.calls.last:
        return f"no AWS call in flight (the last: {call_name(record.calls.last)})"
    return "it had made no AWS call"


def scorecard(run_dir: Path) -> dict | None:
    """Step 09's scorecard.json in this run ({"rows", "failed"}), or None."""
    found = sorted(run_dir.glob(f"*/{SCORECARD}"))
    return json.loads(found[-1].read_text()) if found else None


def goals(card: dict | None) -> dict | None:
    """{"goals": n, "met": ✅, "warnings": ⚠️, "not_met": [goal, ...], "review_items": ⚠️ of
    step 08's rows} of a scorecard: the brief's goals apart from the review's rows."""
    if card is None:
        return None
    failed = set(card["failed"])
    rows = [r for r in card["rows"] if not r["key"].startswith(REVIEW_ROW)]
    review = [r for r in card["rows"] if r["key"].startswith(REVIEW_ROW)]
    marks = [MARKS.get(row["status"]) for row in rows]
    return {
        "goals": len(rows),
        "met": marks.count("yes"),
        "warnings": marks.count("warning"),
        "not_met": [row["goal"] for row in card["rows"] if row["key"] in failed],
        "review_items": [MARKS.get(row["status"]) for row in review].count("warning"),
    }


def scorecard_line(card: dict) -> str:
    """ "7 of 7 goals met, none not met; 5 review items (step 08)"."""
    line = f"{card['met']} of {card['goals']} goals met"
    if card["warnings"]:
        line += f", {card['warnings']} with a warning"
    line += f", {len(card['not_met']) or 'none'} not met"
    if card.get("review_items"):
        line += f"; {card['review_items']} review item(s) to look at (step 08)"
    return line


def run_status(results: list[StepResult], interrupted: bool = False) -> str:
    """The run's status: interrupted, failed, planned (nothing applied) or ok."""
    statuses = {r.status for r in results}
    if interrupted or "interrupted" in statuses:
        return "interrupted"
    if "failed" in statuses:
        return "failed"
    return "planned" if "planned" in statuses and "ok" not in statuses else "ok"


def summarize(
    run_id: str,
    target: str,
    started: datetime,
    finished: datetime,
    results: list[StepResult],
    own_calls: dict[str, int],
    error: str = "",
    card: dict | None = None,
) -> dict:
    """summary.json's content: totals are the run's wall time and every call, the
    runbook's own included; `error` says why the run stopped, if it stopped early."""
    error = error or next((r.error for r in results if r.error), "")
    return {
        "run_id": run_id,
        "target": target,
        "status": run_status(results, interrupted=error.startswith("interrupted")),
        "error": error,
        "started": _iso(started),
        "finished": _iso(finished),
        "steps": [r.summary() for r in results],
        "totals": {
            "seconds": round((finished - started).total_seconds(), 2),
            "calls": {
                k: own_calls[k] + sum(r.calls[k] for r in results) for k in ("read", "write")
            },
            "changes": sum(len(r.changes) for r in results),
        },
        "scorecard": goals(card),
    }


def write_report(
    run_dir: Path,
    target: str,
    started: datetime,
    finished: datetime,
    results: list[StepResult],
    own_calls: dict[str, int],
    error: str = "",
) -> dict:
    """Write summary.json and report.html into `run_dir`; return the summary."""
    summary = summarize(
        run_dir.name, target, started, finished, results, own_calls, error, scorecard(run_dir)
    )
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (run_dir / "report.html").write_text(render(summary, results))
    return summary


def render(summary: dict, results: list[StepResult]) -> str:
    """The run's report: one self-contained static HTML page."""
    totals = summary["totals"]
    rows = "".join(
        f"<tr><td><a href='#{r.step.stem}'>{escape(r.step.stem)}</a></td>"
        f"<td>{_badge(r.status)}</td><td class='n'>{r.seconds:.2f}</td>"
        f"<td class='n'>{r.calls['read']}</td><td class='n'>{r.calls['write']}</td>"
        f"<td class='n'>{len(r.changes)}</td></tr>"
        for r in results
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Run {escape(summary["run_id"])}</title>
<style>{CSS}</style></head>
<body><main>
<header><h1>Run {escape(summary["run_id"])} {_badge(summary["status"])}</h1>
{_outcome(summary, results)}
<dl><dt>Target</dt><dd>{escape(summary["target"])}</dd>
<dt>Started</dt><dd>{escape(summary["started"])}</dd>
<dt>Finished</dt><dd>{escape(summary["finished"])}</dd>
<dt>Duration</dt><dd>{totals["seconds"]:.2f} s</dd>
<dt>API calls</dt><dd>{totals["calls"]["read"]} reads, {totals["calls"]["write"]} writes</dd>
</dl></header>
<section><h2>Steps</h2>
<div class='wide'><table><thead><tr><th>Step</th><th>Status</th><th class="n">Seconds</th>
<th class="n">Reads</th><th class="n">Writes</th><th class="n">Changes</th></tr></thead>
<tbody>{rows}</tbody></table></div>
</section>
{"".join(_step_section(r) for r in results)}
</main></body></html>
"""


def _outcome(summary: dict, results: list[StepResult]) -> str:
    """The run in a few lines: the scorecard, the steps, the changes, the to-dos, the error."""
    done = sum(r.status in ("ok", "planned") for r in results)
    lines = [
        f"{done} of {len(results)} steps {'planned' if summary['status'] == 'planned' else 'ok'}"
        + "".join(
            f", {n} {status}"
            for status in ("skipped", "failed", "interrupted")
            if (n := sum(r.status == status for r in results))
        ),
        f"{summary['totals']['changes']} changes "
        + ("planned" if summary["status"] == "planned" else "made"),
    ]
    card = summary["scorecard"]
    if card is not None:
        lines.insert(0, f"Scorecard: {scorecard_line(card)}")
        lines[1:1] = [f"not met: {goal}" for goal in card["not_met"]]
    todo = sum(len(r.todo) for r in results)
    if todo:
        lines.append(f"{todo} to do by you (listed under their steps)")
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    error = f"<pre class='error'>{escape(summary['error'])}</pre>" if summary["error"] else ""
    return f"<ul class='outcome'>{items}</ul>{error}"


def _step_section(r: StepResult) -> str:
    parts = [
        f"<section id='{escape(r.step.stem)}'><h2>{escape(r.step.title)} {_badge(r.status)}</h2>",
        f"<p class='meta'>{escape(r.step.stem)}"
        + (f" · <a href='{escape(r.notebook)}'>executed notebook</a>" if r.notebook else "")
        + "</p>",
    ]
    if r.error:
        parts.append(f"<pre class='error'>{escape(r.error)}</pre>")
    if r.todo:
        parts.append("<h3>To do by you</h3><ul>")
        parts.extend(f"<li>{escape(what)}</li>" for what in r.todo)
        parts.append("</ul>")
    if r.changes:
        parts.append("<h3>Changes</h3>")
        rows = [list(c.values()) for c in r.changes]
        parts.append(_wide(html_table({"columns": ["action", "resource", "detail"], "rows": rows})))
    elif r.status in ("ok", "planned"):
        parts.append("<p class='meta'>No changes.</p>")
    parts.extend(_exhibit(asdict(e)) for e in (r.record.exhibits if r.record else []))
    parts.append("</section>")
    return "\n".join(parts)


def _exhibit(exhibit: dict) -> str:
    """A figure: SVG inline, a table as HTML, anything else as preformatted text."""
    kind, title, body = exhibit["kind"], exhibit["title"], exhibit["body"]
    if kind == "svg" and _is_plain_svg(body):
        content = _SVG_PROLOG.sub("", body)
    elif kind == "table" and isinstance(body, dict):
        content = _wide(
            html_table({"columns": body.get("columns", []), "rows": body.get("rows", [])})
        )
    else:
        text = body if isinstance(body, str) else json.dumps(body, indent=1, default=str)
        content = f"<pre>{escape(text)}</pre>"
    return f"<figure><figcaption>{escape(title)}</figcaption>{content}</figure>"


def _wide(table: str) -> str:
    """A table that scrolls inside its card when it is wider than the page."""
    return f"<div class='wide'>{table}</div>"


_SVG_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?")


def _is_plain_svg(body: object) -> bool:
    """SVG markup the report may embed as is: an <svg> element without scripts or handlers."""
    if not isinstance(body, str):
        return False
    markup = _SVG_PROLOG.sub("", body)
    return markup.startswith("<svg") and not re.search(
        r"<script|javascript:|\son\w+\s*=", markup, re.IGNORECASE
    )


def _badge(status: str) -> str:
    return f"<span class='badge {escape(status)}'>{escape(status)}</span>"


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #f5f7fa; --accent: #2f6fb3; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 26px; margin: 0 0 12px; display: flex; gap: 12px; align-items: center; }
h2 { font-size: 19px; margin: 0 0 8px; display: flex; gap: 10px; align-items: center; }
h3 { font-size: 15px; margin: 16px 0 6px; color: var(--muted); }
header, section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 20px 24px; margin-bottom: 20px; min-width: 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; }
a { color: var(--accent); }
.meta { color: var(--muted); margin: 0 0 8px; }
ul.outcome { margin: 0 0 14px; padding-left: 20px; font-size: 16px; }
.wide { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 12px; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--bg); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 12px;
  font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.badge.ok { background: #e3f9e5; color: #207227; }
.badge.planned { background: #e6f0ff; color: #1f4f8a; }
.badge.skipped { background: #eef0f2; color: #52606d; }
.badge.failed, .badge.interrupted { background: #ffe3e3; color: #a61b1b; }
figure { margin: 16px 0 0; }
figcaption { font-weight: 600; margin-bottom: 6px; }
figure svg { max-width: 100%; height: auto; }
pre { background: var(--bg); padding: 10px 12px; border-radius: 6px; overflow-x: auto;
  font-size: 13px; white-space: pre-wrap; }
pre.error { background: #fff5f5; color: #a61b1b; border: 1px solid #ffc9c9; }
"""
