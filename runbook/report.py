"""A run's record: each step's step.json read back, then summary.json and report.html."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path

from helpers.tables import html_table
from runbook.steps import RunbookError, Step

STATUSES = ("ok", "failed", "skipped", "planned")
STEP_STATUSES = ("ok", "planned")  # what a step's own step.json may say


@dataclass
class StepResult:
    """What one step did; `notebook` is the executed copy's file name (None when skipped)."""

    step: Step
    status: str
    seconds: float = 0.0
    notebook: str | None = None
    calls: dict[str, int] = field(default_factory=lambda: {"read": 0, "write": 0})
    changes: list[dict] = field(default_factory=list)
    exhibits: list[dict] = field(default_factory=list)
    error: str = ""

    def summary(self) -> dict:
        return {
            "step": self.step.stem,
            "notebook": self.notebook,
            "status": self.status,
            "seconds": self.seconds,
            "calls": self.calls,
            "changes": self.changes,
        }


def read_step_record(path: Path) -> dict:
    """A step's step.json, checked; RunbookError says what is missing or wrong."""
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        raise RunbookError(
            f"it finished without writing {path.parent.name}/step.json (end it with kit.finish())"
        ) from None
    except (OSError, ValueError) as e:
        raise RunbookError(f"its {path.parent.name}/step.json cannot be read: {e}") from e
    try:
        if record["status"] not in STEP_STATUSES:
            raise ValueError(f"status {record['status']!r} is not one of {STEP_STATUSES}")
        return {
            "status": record["status"],
            "calls": {"read": int(record["calls"]["read"]), "write": int(record["calls"]["write"])},
            "changes": [
                {k: str(c.get(k, "")) for k in ("action", "resource", "detail")}
                for c in record.get("changes", [])
            ],
            "exhibits": list(record.get("exhibits", [])),
        }
    except (KeyError, TypeError, ValueError) as e:
        raise RunbookError(f"its {path.parent.name}/step.json is malformed: {e!r}") from e


def summarize(
    run_id: str,
    target: str,
    started: datetime,
    finished: datetime,
    results: list[StepResult],
    own_calls: dict[str, int],
) -> dict:
    """summary.json's content: totals are the run's wall time and every call, the
    runbook's own included."""
    return {
        "run_id": run_id,
        "target": target,
        "started": _iso(started),
        "finished": _iso(finished),
        "steps": [r.summary() for r in results],
        "totals": {
            "seconds": round((finished - started).total_seconds(), 2),
            "calls": {
                k: own_calls[k] + sum(r.calls[k] for r in results) for k in ("read", "write")
            },
        },
    }


def write_report(
    run_dir: Path,
    target: str,
    started: datetime,
    finished: datetime,
    results: list[StepResult],
    own_calls: dict[str, int],
) -> dict:
    """Write summary.json and report.html into `run_dir`; return the summary."""
    summary = summarize(run_dir.name, target, started, finished, results, own_calls)
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
<header><h1>Run {escape(summary["run_id"])}</h1>
<dl><dt>Target</dt><dd>{escape(summary["target"])}</dd>
<dt>Started</dt><dd>{escape(summary["started"])}</dd>
<dt>Finished</dt><dd>{escape(summary["finished"])}</dd>
<dt>Duration</dt><dd>{totals["seconds"]:.2f} s</dd>
<dt>API calls</dt><dd>{totals["calls"]["read"]} reads, {totals["calls"]["write"]} writes</dd>
</dl></header>
<section><h2>Steps</h2>
<table><thead><tr><th>Step</th><th>Status</th><th class="n">Seconds</th><th class="n">Reads</th>
<th class="n">Writes</th><th class="n">Changes</th></tr></thead><tbody>{rows}</tbody></table>
</section>
{"".join(_step_section(r) for r in results)}
</main></body></html>
"""


def _step_section(r: StepResult) -> str:
    parts = [
        f"<section id='{escape(r.step.stem)}'><h2>{escape(r.step.title)} {_badge(r.status)}</h2>",
        f"<p class='meta'>{escape(r.step.stem)}"
        + (f" · <a href='{escape(r.notebook)}'>executed notebook</a>" if r.notebook else "")
        + "</p>",
    ]
    if r.error:
        parts.append(f"<pre class='error'>{escape(r.error)}</pre>")
    if r.changes:
        parts.append("<h3>Changes</h3>")
        parts.append(
            html_table(
                {
                    "columns": ["action", "resource", "detail"],
                    "rows": [list(c.values()) for c in r.changes],
                }
            )
        )
    elif r.status in STEP_STATUSES:
        parts.append("<p class='meta'>No changes.</p>")
    parts.extend(_exhibit(e) for e in r.exhibits)
    parts.append("</section>")
    return "\n".join(parts)


def _exhibit(exhibit: dict) -> str:
    """A figure: SVG inline, a table as HTML, anything else as preformatted text."""
    kind, body = exhibit.get("kind"), exhibit.get("body")
    if kind == "svg" and _is_plain_svg(body):
        content = _SVG_PROLOG.sub("", body)
    elif kind == "table" and isinstance(body, dict):
        content = html_table({"columns": body.get("columns", []), "rows": body.get("rows", [])})
    else:
        text = body if isinstance(body, str) else json.dumps(body, indent=1, default=str)
        content = f"<pre>{escape(text)}</pre>"
    title = escape(str(exhibit.get("title", "")))
    return f"<figure><figcaption>{title}</figcaption>{content}</figure>"


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
h1 { font-size: 26px; margin: 0 0 12px; }
h2 { font-size: 19px; margin: 0 0 8px; display: flex; gap: 10px; align-items: center; }
h3 { font-size: 15px; margin: 16px 0 6px; color: var(--muted); }
header, section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 20px 24px; margin-bottom: 20px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; }
a { color: var(--accent); }
.meta { color: var(--muted); margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 12px; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 12px;
  font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.badge.ok { background: #e3f9e5; color: #207227; }
.badge.planned { background: #e6f0ff; color: #1f4f8a; }
.badge.skipped { background: #eef0f2; color: #52606d; }
.badge.failed { background: #ffe3e3; color: #a61b1b; }
figure { margin: 16px 0 0; }
figcaption { font-weight: 600; margin-bottom: 6px; }
figure svg { max-width: 100%; height: auto; }
pre { background: var(--bg); padding: 10px 12px; border-radius: 6px; overflow-x: auto;
  font-size: 13px; white-space: pre-wrap; }
pre.error { background: #fff5f5; color: #a61b1b; border: 1px solid #ffc9c9; }
"""
