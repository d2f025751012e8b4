"""What every widget shares: one guard for callbacks (an error's message and what to do, no
traceback), HTML for what a widget shows, buttons, and the trees' redraw after a change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

import ipywidgets as w
from botocore.exceptions import BotoCoreError, ClientError
from IPython import get_ipython

from helpers.aws import error_code
from helpers.kit import Kit, KitError

DENIALS = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
"""The error codes of a denial, as S3, IAM and STS, JSON services and EC2 word it."""


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


def watch(kit: Kit) -> _Watch:
    """The kit's watch; the first one hooks IPython so trees follow every cell that wrote."""
    if id(kit) not in _WATCHES:
        new = _WATCHES[id(kit)] = _Watch(kit, kit.recorder.totals()["write"])
        shell = get_ipython()
        if shell is not None:
            shell.events.register("post_run_cell", new.refresh_if_changed)
    return _WATCHES[id(kit)]


def changed(kit: Kit) -> None:
    """Redraw the kit's trees if it made write calls since they were drawn (widgets call it
    after an action; IPython after each cell)."""
    watch(kit).refresh_if_changed()


def button(description: str, icon: str, style: str = "") -> w.Button:
    return w.Button(description=description, icon=icon, button_style=style)


def html(item: Any) -> str:
    """A picture, table or explanation as HTML; anything else as escaped text."""
    if hasattr(item, "_repr_svg_"):
        return item._repr_svg_()
    if hasattr(item, "_repr_html_"):
        return item._repr_html_()
    return f"<pre>{escape(str(item))}</pre>"


def through(out: w.Output, action: Callable[[], None]) -> Callable[..., None]:
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
        message = error.response["Error"].get("Message", "")
        return (
            f"AWS answered {error_code(error)}: {message}. If the sandbox was reset or "
            f"a step before this one has not run, {again}."
        )
    if isinstance(error, BotoCoreError):
        return f"No answer from AWS ({error}). If the sandbox stopped, start it and {again}."
    return (
        f"Something went wrong: {type(error).__name__}: {error}. Please {again}; if it happens "
        "again, tell the facilitator what you picked and clicked."
    )
