"""What AWS itself lists, for the validators: its regions, from botocore's partitions file,
and its managed policies and AWS Config's managed rules, from a snapshot shipped with the
kit (`aws_catalogues.json.gz`, written by `python -m helpers.config.refresh`), so that
checking a file for real AWS needs no moto."""

import gzip
import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).with_name("aws_catalogues.json.gz")


def package_dir(name: str) -> Path:
    """An installed package's folder, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{name} is not installed: pip install {name}")
    return Path(spec.origin).parent


@cache
def region_partitions() -> dict[str, str]:
    """Every AWS region botocore knows, mapped to its partition (aws, aws-cn, ...): read from
    botocore's data file alone (importing botocore's session takes a tenth of a second)."""
    data = json.loads((package_dir("botocore") / "data" / "partitions.json").read_text())
    return {
        region: partition["id"]
        for partition in data["partitions"]
        for region in partition["regions"]
        if not region.endswith("-global")
    }


@cache
def snapshot() -> dict[str, Any]:
    """The shipped snapshot: {"source", "managed_policies", "config_rules"}."""
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as file:
        return json.load(file)


def aws_managed_policy_names() -> dict[str, str]:
    """AWS managed policy name -> its path ("/", "/job-function/", ...)."""
    return snapshot()["managed_policies"]


def aws_managed_rules() -> dict[str, dict[str, Any]]:
    """AWS Config's managed rules by identifier, with their parameters."""
    return snapshot()["config_rules"]


def managed_rule_parameters(identifier: str) -> dict[str, str]:
    """The input parameters a managed rule requires, at AWS's defaults."""
    rule = aws_managed_rules()[identifier]
    return {p["Name"]: p["Default"] for p in rule["Parameters"] if not p["Optional"]}
