"""The AWS catalogues the validators read: a snapshot shipped in the package (managed
policies, AWS Config's managed rules) and botocore's regions, none of them needing moto."""

import gzip
import json
import subprocess
import sys

import botocore.session

from helpers.config import catalogues, load_config, refresh
from tests.test_config import EXAMPLE


def test_the_snapshot_has_what_the_example_uses():
    config = load_config(EXAMPLE)
    names = catalogues.aws_managed_policy_names()
    arns = [arn for ps in config.identity_center.permission_sets for arn in ps.managed_policies]
    assert arns
    for arn in arns:
        name = arn.rpartition("/")[2]
        assert arn == f"arn:aws:iam::aws:policy{names[name]}{name}"
    assert names["ViewOnlyAccess"] == "/job-function/"  # a path other than "/"
    rules = config.governance.config.rules
    assert rules and all(rule in catalogues.aws_managed_rules() for rule in rules)
    assert catalogues.managed_rule_parameters("ACCESS_KEYS_ROTATED") == {"maxAccessKeyAge": "90"}


def test_the_snapshot_is_what_the_refresh_writes_from_the_installed_moto(tmp_path):
    """A failure here after a moto upgrade: run `python -m helpers.config.refresh`."""
    path = tmp_path / "snapshot.json.gz"
    refresh.write(refresh.from_moto(), path)
    with gzip.open(path, "rt", encoding="utf-8") as file:
        assert json.load(file) == catalogues.snapshot()
    assert catalogues.snapshot()["source"].startswith("moto ")


def test_the_regions_are_botocores():
    loader = botocore.session.get_session().get_component("data_loader")
    partitions = loader.load_data("partitions")["partitions"]
    expected = {
        region: partition["id"]
        for partition in partitions
        for region in partition["regions"]
        if not region.endswith("-global")
    }
    assert catalogues.region_partitions() == expected
    assert catalogues.region_partitions()["cn-north-1"] == "aws-cn"


HIDE_MOTO = """
import sys

class NoMoto:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "moto":
            raise ModuleNotFoundError(f"No module named {name!r} (hidden by the test)")

sys.meta_path.insert(0, NoMoto())
from helpers.config import load_config
config = load_config(sys.argv[1])
print(config.identity_center.permission_sets[0].managed_policies[0])
"""


def test_checking_a_file_for_real_aws_needs_no_moto():
    done = subprocess.run(
        [sys.executable, "-c", HIDE_MOTO, str(EXAMPLE)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "arn:aws:iam::aws:policy/AdministratorAccess"


def test_importing_the_loader_imports_no_aws_sdk():
    """`import helpers.config` stays light for the CLI: boto3, botocore and moto are imported
    only by the checks that need them (today helpers.policy and helpers.scp_documents)."""
    code = "import sys, helpers.config; print(*{m.split('.')[0] for m in sys.modules})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not {"boto3", "botocore", "moto"} & set(done.stdout.split())
