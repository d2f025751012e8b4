"""Step 07: further governance, each part only when the config's governance section asks.

- **AWS Config**: a recorder, a delivery channel and the team's few managed rules in every
  account of some OUs and every allowed region, deployed by a service-managed StackSet (the
  same mechanism as the baseline roles, so accounts that join later get them too).
- **GuardDuty**: a member account (the log archive, or a security account) becomes the
  delegated administrator in each allowed region, and turns GuardDuty on for every account
  of the organization, including those that join later (AutoEnableOrganizationMembers ALL).
- **Trusted Advisor** needs nothing from the kit: the notebook points to it.
"""

from __future__ import annotations

from helpers.aws import paginate
from helpers.config import AwsConfig, GuardDuty, managed_rule_parameters
from helpers.kit import Kit, KitError
from helpers.organization import describe
from helpers.stacksets import ensure_stack_set, show_deployed, template
from helpers.tables import Table

CONFIG_TEMPLATE = "config-recorder.yaml"
AUTO_ENABLE = "ALL"  # every account, those there now and those that join later


# --- what the team chose ------------------------------------------------------------------


def config_section(kit: Kit) -> AwsConfig | None:
    """The governance.config section when it is switched on, else None."""
    governance = kit.config.governance
    return governance.config if governance and governance.config.enabled else None


def guardduty_section(kit: Kit) -> GuardDuty | None:
    """The governance.guardduty section when it is switched on, else None."""
    governance = kit.config.governance
    return governance.guardduty if governance and governance.guardduty.enabled else None


def admin_account(kit: Kit) -> str:
    """The name of GuardDuty's delegated administrator: as configured, else the log archive."""
    governance = kit.config.governance
    if governance and governance.guardduty.admin_account:
        return governance.guardduty.admin_account
    if kit.config.trail is None:
        raise KitError(
            "governance.guardduty.admin_account is missing: name a member account",
            resource="governance.guardduty.admin_account",
            next_step="name a member account (or add a trail section: its log archive is used)",
        )
    return kit.config.trail.log_archive_account


def choices(kit: Kit) -> Table:
    """Each part of further governance: on or off, and what it does."""
    rules = config_section(kit).rules if config_section(kit) else []
    config = (
        f"on: recorder and {len(rules)} managed rule(s) in OUs "
        f"{', '.join(config_section(kit).ous)}, regions {', '.join(kit.config.allowed_regions)}"
        if config_section(kit)
        else "off (governance.config.enabled: false)"
    )
    guardduty = (
        f"on: run from account {admin_account(kit)}, every account enabled, in "
        f"{', '.join(kit.config.allowed_regions)}"
        if guardduty_section(kit)
        else "off (governance.guardduty.enabled: false)"
    )
    return Table(
        ["part", "status", "what it gives"],
        [
            ["AWS Config", config, "a history of every resource's settings; rules that flag drift"],
            ["GuardDuty", guardduty, "threat detection from CloudTrail, VPC flow and DNS logs"],
            ["Trusted Advisor", "nothing to set up", "checks in the console of each account"],
            ["Cost per account", "always on", "Cost Explorer, grouped by linked account"],
        ],
    )


# --- AWS Config ---------------------------------------------------------------------------


def rule_name(identifier: str) -> str:
    """The rule's name in each account, e.g. s3-bucket-public-read-prohibited."""
    return identifier.lower().replace("_", "-")


def config_template(rules: list[str]) -> str:
    """templates/config-recorder.yaml with one AWS::Config::ConfigRule per managed rule."""
    body = template(CONFIG_TEMPLATE)
    for identifier in rules:
        logical = "Rule" + "".join(part.capitalize() for part in identifier.split("_"))
        lines = [
            f"  {logical}:",
            "    Type: AWS::Config::ConfigRule",
            "    DependsOn: ConfigRecorder",
            "    Properties:",
            f"      ConfigRuleName: {rule_name(identifier)}",
            "      Source:",
            "        Owner: AWS",
            f"        SourceIdentifier: {identifier}",
        ]
        parameters = managed_rule_parameters(identifier)
        if parameters:
            lines.append("      InputParameters:")
            lines += [f'        {key}: "{value}"' for key, value in sorted(parameters.items())]
        body += "\n" + "\n".join(lines) + "\n"
    return body


def ensure_config(kit: Kit) -> str | None:
    """The Config stack set, made so; its name (None when governance.config is off)."""
    section = config_section(kit)
    if section is None:
        kit.keep("AWS Config", "off by choice (governance.config.enabled)")
        return None
    ensure_stack_set(
        kit,
        section.stack_set,
        config_template(section.rules),
        section.ous,
        kit.config.allowed_regions,  # Config records per region: every region people use
        {"HomeRegion": kit.config.home_region},
    )
    return section.stack_set


def a_member(kit: Kit, account_ids: dict[str, str | None]) -> tuple[str, str] | None:
    """A member account the kit can show AWS Config in: the first one of the config that exists."""
    found = ((a.name, account_ids.get(a.name)) for a in kit.config.accounts)
    return next(((name, i) for name, i in found if i), None)


def config_view(kit: Kit, account_id: str) -> Table:
    """What one member account's AWS Config shows, region by region (read calls only)."""
    rows = []
    for region in kit.config.allowed_regions:
        config = kit.account(account_id).client("config", region_name=region)
        statuses = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
        recording = ", ".join(
            f"{s['name']}: {'recording' if s['recording'] else 'stopped'}" for s in statuses
        )
        rules = list(paginate(config, "describe_config_rules", "ConfigRules"))
        for rule in rules or [None]:
            rows.append(
                [
                    region,
                    recording or "no recorder",
                    rule["ConfigRuleName"] if rule else "",
                    rule["Source"]["SourceIdentifier"] if rule else "",
                    rule["ConfigRuleState"] if rule else "",
                ]
            )
    return Table(["region", "recorder", "rule", "managed rule", "state"], rows)


def show_config(kit: Kit, stack_set: str | None, account_ids: dict[str, str | None]) -> None:
    """Where the Config stack set went and what one member account's Config shows; or why
    Config is off."""
    if stack_set is None:
        print("AWS Config is off: set governance.config.enabled to true to switch it on.")
        return
    show_deployed(kit, stack_set, account_ids)
    member = a_member(kit, account_ids)
    if kit.apply and member:
        name, account_id = member
        kit.show(f"AWS Config as account {name} sees it", config_view(kit, account_id))


# --- GuardDuty ----------------------------------------------------------------------------


def ensure_guardduty(kit: Kit, account_ids: dict[str, str | None]) -> None:
    """GuardDuty's delegated administrator and org-wide auto-enable, in each allowed region."""
    if guardduty_section(kit) is None:
        kit.keep("GuardDuty", "off by choice (governance.guardduty.enabled)")
        return
    name = admin_account(kit)
    admin_id = account_ids.get(name)
    for region in kit.config.allowed_regions:
        if admin_id is None or describe(kit.management) is None:
            kit.plan("designate", _admin_resource(region), f"account {name}, once it exists")
            kit.plan("set", _auto_resource(region), f"{AUTO_ENABLE}, once {name} is designated")
            continue
        designated = _ensure_admin(kit, region, name, admin_id)
        _ensure_auto_enable(kit, region, name, admin_id, designated)


def _admin_resource(region: str) -> str:
    return f"GuardDuty delegated administrator ({region})"


def _auto_resource(region: str) -> str:
    return f"GuardDuty auto-enable for the organization ({region})"


def _ensure_admin(kit: Kit, region: str, name: str, admin_id: str) -> bool:
    """Designate the administrator; True when it is (or, in a plan, would be) in place."""
    guardduty = kit.management.client("guardduty", region_name=region)
    listed = paginate(guardduty, "list_organization_admin_accounts", "AdminAccounts")
    admins = {a["AdminAccountId"]: a["AdminStatus"] for a in listed}
    others = sorted(set(admins) - {admin_id})
    resource = _admin_resource(region)
    if others:
        raise KitError(
            f"GuardDuty in {region} is administered by account {others[0]}, not {name} "
            f"({admin_id}, governance.guardduty.admin_account): name that account in the config, "
            "or remove it (guardduty:DisableOrganizationAdminAccount) first",
            resource=resource,
            next_step=f"name account {others[0]} in governance.guardduty.admin_account, or "
            "remove it with guardduty:DisableOrganizationAdminAccount",
        )
    if admins.get(admin_id) == "ENABLED":
        kit.keep(resource, f"account {name}")
        return True
    detail = f"account {name} ({admin_id}); GuardDuty turns itself on there"
    kit.plan("designate", resource, detail)
    if kit.apply:
        guardduty.enable_organization_admin_account(AdminAccountId=admin_id)
    return kit.apply


def _ensure_auto_enable(kit: Kit, region: str, name: str, admin_id: str, designated: bool) -> None:
    resource = _auto_resource(region)
    if not designated:  # a plan: the administrator has no detector yet
        kit.plan("set", resource, f"{AUTO_ENABLE}, once {name} is designated")
        return
    guardduty = kit.account(admin_id).client("guardduty", region_name=region)
    detectors = _detectors(guardduty)
    if not detectors:
        kit.plan("enable", f"GuardDuty in account {name} ({region})", "its detector")
        if not kit.apply:
            kit.plan("set", resource, AUTO_ENABLE)
            return
        detectors = [guardduty.create_detector(Enable=True)["DetectorId"]]
    current = guardduty.describe_organization_configuration(DetectorId=detectors[0])
    if current.get("AutoEnableOrganizationMembers") == AUTO_ENABLE:
        kit.keep(resource, f"{AUTO_ENABLE}: every account, and each that joins")
        return
    kit.plan("set", resource, f"{AUTO_ENABLE}: every account, and each that joins")
    if kit.apply:
        guardduty.update_organization_configuration(
            DetectorId=detectors[0], AutoEnableOrganizationMembers=AUTO_ENABLE
        )


def _detectors(guardduty) -> list[str]:
    """The ids of the account's GuardDuty detectors in the client's region (one, or none)."""
    return list(paginate(guardduty, "list_detectors", "DetectorIds"))


def guardduty_members(kit: Kit, account_ids: dict[str, str | None]) -> Table:
    """The accounts GuardDuty's administrator watches, per region (read calls only)."""
    names = {i: n for n, i in account_ids.items() if i}
    admin_id = account_ids.get(admin_account(kit))
    rows = []
    if admin_id is None:
        return Table(["region", "account", "id", "status"], rows)
    for region in kit.config.allowed_regions:
        guardduty = kit.account(admin_id).client("guardduty", region_name=region)
        detectors = _detectors(guardduty)
        rows.append([region, names[admin_id], admin_id, "delegated administrator"])
        if not detectors:
            continue
        members = paginate(
            guardduty, "list_members", "Members", DetectorId=detectors[0], OnlyAssociated="true"
        )
        for member in members:
            account = member["AccountId"]
            rows.append([region, names.get(account, ""), account, member["RelationshipStatus"]])
    return Table(["region", "account", "id", "status"], rows)


def show_guardduty(kit: Kit, account_ids: dict[str, str | None]) -> None:
    """The accounts GuardDuty watches; or why GuardDuty is off."""
    if guardduty_section(kit) is None:
        print("GuardDuty is off: set governance.guardduty.enabled to true to switch it on.")
    elif kit.apply:
        kit.show("The accounts GuardDuty watches", guardduty_members(kit, account_ids))
