"""The runbook: papermill over the step notebooks, a run folder with a report.

`runbook.run(config_path, target=...)` runs steps 00-09 and returns the run's summary;
`python -m runbook` is the command line over it.
"""

from runbook.execute import run
from runbook.steps import RunbookError

__all__ = ["RunbookError", "run"]
