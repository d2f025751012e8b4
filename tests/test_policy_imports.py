"""The policy evaluator and the SCP/RCP documents are pure: importing them loads no AWS SDK
(only helpers.policy.live, the live-inputs module, uses boto3)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers.kit import REPO


def modules_loaded_by(statement: str) -> set[str]:
    """The modules (dotted names) a fresh interpreter has loaded after `statement`."""
    probe = f"{statement}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True
    )
    return set(result.stdout.split())


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("module", ["helpers.policy", "helpers.scp_documents"])
def test_importing_it_loads_no_aws_sdk(module: str) -> None:
    loaded = modules_loaded_by(f"import {module}")
    assert module in loaded
    assert "helpers.policy.live" not in loaded and "helpers.targets" not in loaded
    assert not top_level(loaded) & {"boto3", "botocore", "moto"}


def test_explain_access_is_still_there_and_brings_boto3_with_it() -> None:
    loaded = modules_loaded_by("from helpers.policy import explain_access")
    assert {"helpers.policy.live", "boto3"} <= loaded
    import helpers.policy
    from helpers.policy.live import explain_access

    assert helpers.policy.explain_access is explain_access
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        helpers.policy.nothing  # noqa: B018
