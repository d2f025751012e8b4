"""The whole desired state: one field per section, and the cross-field checks in the order
they report (the order of the file's sections)."""

from pydantic import Field

from . import accounts, cross_account, governance, guardrails, identity_center, trail
from .accounts import MAX_ACCOUNTS, Account, ManagementAccount, OrganizationalUnit
from .checks import Check, ou_paths
from .cross_account import CrossAccount
from .fields import Region, Section
from .governance import Costs, Governance
from .guardrails import Guardrails
from .identity_center import IdentityCenter
from .review import Review
from .trail import Trail


class OrgConfig(Section):
    """The whole desired state of the organization."""

    management_account: ManagementAccount
    home_region: Region
    allowed_regions: list[Region] = Field(min_length=1)
    organizational_units: list[OrganizationalUnit] = []
    accounts: list[Account] = Field(default=[], max_length=MAX_ACCOUNTS)
    trail: Trail | None = None
    identity_center: IdentityCenter | None = None
    cross_account: CrossAccount | None = None
    governance: Governance | None = None
    costs: Costs = Costs()
    guardrails: Guardrails | None = None
    review: Review = Review()

    def ou_paths(self) -> list[str]:
        """Every OU path, parents before children, e.g. ["Workloads", "Workloads/Dev"]."""
        return list(ou_paths(self.organizational_units))

    def account(self, name: str) -> Account:
        """The member account with this name (KeyError if there is none)."""
        for account in self.accounts:
            if account.name == name:
                return account
        raise KeyError(f"no account named {name!r} in the desired-state file")

    def created_accounts(self) -> list[Account]:
        """Accounts the kit creates."""
        return [account for account in self.accounts if not account.invite]

    def invited_accounts(self) -> list[Account]:
        """Existing accounts the kit invites (never created, never closed)."""
        return [account for account in self.accounts if account.invite]


CHECKS: tuple[Check, ...] = (
    accounts.check_regions,
    accounts.check_organizational_units,
    accounts.check_accounts,
    identity_center.check,
    trail.check,
    cross_account.check,
    governance.check,
    guardrails.check,
)
