"""Widgets for the workshop: pick, try and see, over the helper calls papermill runs anyway.

Each function takes the step's `Kit` and returns one widget, so a notebook cell is one
call (`widgets.try_as(kit)`). Callbacks write through an `Output` widget, so errors show
under the widget; anything that changes AWS waits for an explicit button. Under papermill
a widget is built and displayed, with the same read calls as in JupyterLab, and nothing
else happens: nobody clicks.

What a widget shows before anyone clicks (a tree, a table) goes into an `HTML` widget,
never into an `Output`: nbclient mimics an Output widget by sending its state back to the
kernel over the shell channel, which can leave papermill waiting forever for the cell's
reply (jupyter/nbclient#312; seen here as a runbook run hanging in step 02).
"""

from helpers.widgets.access import access_matrix, matrix
from helpers.widgets.attempts import create_user, stop_trail
from helpers.widgets.base import DENIALS, changed, html, problem
from helpers.widgets.checks import predict, probe_as, question
from helpers.widgets.costs import cost_chart
from helpers.widgets.regions import region_guardrail
from helpers.widgets.tree import organization_tree
from helpers.widgets.trials import OWN, TRIALS, Trial, try_as, try_one

__all__ = [
    "DENIALS",
    "OWN",
    "TRIALS",
    "Trial",
    "access_matrix",
    "changed",
    "cost_chart",
    "create_user",
    "html",
    "matrix",
    "organization_tree",
    "predict",
    "probe_as",
    "problem",
    "question",
    "region_guardrail",
    "stop_trail",
    "try_as",
    "try_one",
]
