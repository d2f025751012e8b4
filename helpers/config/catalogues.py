"""What AWS itself lists, read by the validators: its regions, managed policies and AWS
Config's managed rules."""

import gzip
import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session


@cache
def region_partitions() -> dict[str, str]:
    """Every AWS region botocore knows, mapped to its partition (aws, aws-cn, ...)."""
    loader = botocore.session.get_session().get_component("data_loader")
    return {
        region: partition["id"]
        for partition in loader.load_data("partitions")["partitions"]
        for region in partition["regions"]
        if not region.endswith("-global")
    }


@cache
def aws_managed_policy_names() -> dict[str, str]:
    """AWS managed policy name -> its path ("/", "/job-function/", ...), from moto's copy of
    AWS's list (read from its data file alone: importing moto's IAM takes half a second)."""
    spec = importlib.util.find_spec("moto")
    path = Path(spec.origin).parent / "iam" / "aws_managed_policies.py"
    module_spec = importlib.util.spec_from_file_location("_aws_managed_policies", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return {
        name: data["Path"] for name, data in json.loads(module.aws_managed_policies_data).items()
    }


@cache
def aws_managed_rules() -> dict[str, dict[str, Any]]:
    """AWS Config's managed rules by identifier (with their parameters), from moto's copy of
    AWS's list."""
    spec = importlib.util.find_spec("moto")
    path = Path(spec.origin).parent / "config" / "resources" / "aws_managed_rules.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as file:
        return json.load(file)["ManagedRules"]


def managed_rule_parameters(identifier: str) -> dict[str, str]:
    """The input parameters a managed rule requires, at AWS's defaults."""
    rule = aws_managed_rules()[identifier]
    return {p["Name"]: p["Default"] for p in rule["Parameters"] if not p["Optional"]}
