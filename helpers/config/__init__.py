"""The desired-state file: the organization the team wants, in one YAML file.

`load_config(path)` validates the whole file before anything touches AWS and returns an
`OrgConfig`, or raises `ConfigError` listing every problem at once, each as
"field.path[2].name: what is wrong and what is expected".

Validation has two layers:
- the pydantic models check each value's shape (types, AWS naming rules, unknown keys);
- each section's `check` functions check what spans fields (uniqueness, references, the OU
  tree). They read each top-level section validated on its own (`checks.Sections`), so one
  bad value does not hide the problems elsewhere.

The package: `fields` (value types every section uses), one module per section (`accounts`,
`identity_center`, `trail`, `cross_account`, `guardrails`, `governance`, `review`), `org` (the
whole file and the order of the checks), `checks` (what the checks share), `catalogues` (what AWS
lists: regions, managed policies, Config rules; `python -m helpers.config.refresh` rewrites
its snapshot), `loading` and `messages` (reading the file and telling its problems).

Adding a section:
1. write `helpers/config/<section>.py`: its models (subclasses of `fields.Section`) and a
   `check(sections)` function yielding `(field path, problem)` for the rules that span fields;
2. in `org.py`, add a field to `OrgConfig` and the check to `CHECKS`;
3. export the names other modules use below, and add the section, commented, to
   runbook/org.example.yaml.
"""

from .accounts import MAX_ACCOUNTS, MAX_OU_DEPTH, Account, ManagementAccount, OrganizationalUnit
from .catalogues import (
    aws_managed_policy_names,
    aws_managed_rules,
    managed_rule_parameters,
    region_partitions,
)
from .cross_account import (
    MANAGEMENT,
    Baseline,
    CommunicationPath,
    Consumer,
    CrossAccount,
    KitRole,
    Provider,
)
from .fields import ROOT, Section
from .governance import AwsConfig, Costs, Governance, GuardDuty
from .guardrails import CustomScp, Guardrails
from .identity_center import (
    AccountAssignment,
    IdentityCenter,
    IdentityGroup,
    IdentityUser,
    PermissionSetConfig,
    RetiredIamUser,
)
from .loading import load_config, parse_config
from .messages import ConfigError
from .org import OrgConfig
from .review import Review, ReviewCheck
from .trail import Trail

__all__ = [
    "MANAGEMENT",
    "MAX_ACCOUNTS",
    "MAX_OU_DEPTH",
    "ROOT",
    "Account",
    "AccountAssignment",
    "AwsConfig",
    "Baseline",
    "CommunicationPath",
    "ConfigError",
    "Consumer",
    "Costs",
    "CrossAccount",
    "CustomScp",
    "Governance",
    "GuardDuty",
    "Guardrails",
    "IdentityCenter",
    "IdentityGroup",
    "IdentityUser",
    "KitRole",
    "ManagementAccount",
    "OrgConfig",
    "OrganizationalUnit",
    "PermissionSetConfig",
    "Provider",
    "RetiredIamUser",
    "Review",
    "ReviewCheck",
    "Section",
    "Trail",
    "aws_managed_policy_names",
    "aws_managed_rules",
    "load_config",
    "managed_rule_parameters",
    "parse_config",
    "region_partitions",
]
