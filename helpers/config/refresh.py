"""Rewrite the AWS catalogues' snapshot (helpers/config/aws_catalogues.json.gz) from the
installed moto's copies of AWS's lists, the lists the sandbox answers from. Run it after
upgrading moto, and commit the file:

    python -m helpers.config.refresh
"""

import gzip
import importlib.util
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .catalogues import SNAPSHOT, package_dir


def from_moto() -> dict[str, Any]:
    """The snapshot's content, from moto's data files (read alone: importing moto's IAM
    takes half a second)."""
    moto = package_dir("moto")
    spec = importlib.util.spec_from_file_location(
        "_aws_managed_policies", moto / "iam" / "aws_managed_policies.py"
    )
    policies = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(policies)
    rules = moto / "config" / "resources" / "aws_managed_rules.json.gz"
    with gzip.open(rules, "rt", encoding="utf-8") as file:
        config_rules = json.load(file)["ManagedRules"]
    return {
        "source": f"moto {version('moto')}",
        "managed_policies": {
            name: data["Path"]
            for name, data in json.loads(policies.aws_managed_policies_data).items()
        },
        "config_rules": config_rules,
    }


def write(content: dict[str, Any], path: Path = SNAPSHOT) -> None:
    """Write a snapshot: the same bytes for the same content (sorted keys, no timestamp)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    path.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))


if __name__ == "__main__":
    content = from_moto()
    write(content)
    print(
        f"{SNAPSHOT}: {len(content['managed_policies'])} managed policies and "
        f"{len(content['config_rules'])} AWS Config managed rules, from {content['source']}"
    )
