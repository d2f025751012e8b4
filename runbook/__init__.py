"""The runbook: papermill over the step notebooks, a run folder with a report.

`runbook.run(config_path, target=...)` runs steps 00-09 and returns the run's summary;
`python -m runbook` is the command line over it. `run` is imported on first use, so that
the command line starts without papermill.
"""

from runbook.steps import RunbookError

__all__ = ["RunbookError", "run"]


def __getattr__(name: str):
    if name == "run":
        from runbook.execute import run

        return run
    raise AttributeError(f"module 'runbook' has no attribute {name!r}")
