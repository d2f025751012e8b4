"""AWS's policy evaluation logic, as documented in "Policy evaluation logic" and "How AWS
enforcement code logic evaluates requests to allow or deny access".

sts:GetCallerIdentity needs no permission: it is allowed whatever the policies say. The
order, for any other request by an IAM principal:

1. An explicit Deny in any policy that applies wins: RCPs, SCPs, identity policies, the
   permissions boundary, session policies, the resource-based (or trust) policy.
2. RCPs, when they apply, must allow at every level from the root down to the account
   that owns the resource (RCPFullAWSAccess, attached everywhere, always does). They apply
   to the actions on a resource of the services that support them, whoever the caller
   (root users and principals outside the organization included), but never to resources
   of the management account nor to calls by service-linked roles.
3. SCPs, when they apply, must allow at every level from the root down to the caller's
   account. They do not apply to the management account, to service-linked roles, to
   principals outside the organization, nor to service principals.
4. The identity side allows when an identity policy allows and, if present, the
   permissions boundary and the session policies allow too. The root user needs no
   identity policy in its own account.
5. The resource-based policy:
   - across accounts, it must allow *and* the identity side must allow;
   - within one account, its Allow is enough on its own when its Principal names the
     caller: naming an IAM user's ARN is not limited by identity policies nor by the
     boundary; naming a role session's ARN, or everyone (``"*"``, narrowed or not by an
     aws:PrincipalArn condition), is not limited by identity policies, boundary or session
     policies; naming the *role's* ARN is not limited by identity policies but is still
     limited by the boundary and the session policies. Naming only the account delegates
     to the account: the identity side must allow.
   - a Deny with NotPrincipal spares the caller only when it lists the caller's whole
     chain (session, role and account), and never spares a principal that has a
     permissions boundary ("Permissions boundaries for IAM entities").
   - a trust policy (sts:AssumeRole* on a role) must always allow; within one account,
     naming the caller is then enough, and across accounts the caller's identity side
     must allow sts:AssumeRole as well.
6. Anything else is an implicit deny.

A service principal (``cloudtrail.amazonaws.com``) is allowed only by a resource-based
policy naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .conditions import unmet
from .context import RCP_SERVICES, Context, requested_region
from .explain import Cause, Decision, Grant, LayerKind, Step, Verdict
from .grammar import Statement
from .model import PRINCIPAL_ARN, Caller, Policies, Policy, Request
from .patterns import like

_ROLE = re.compile(r"^arn:[^:]+:iam::\d{12}:role/")
GRANTS: tuple[Grant, ...] = ("session", "everyone", "principal", "account")
"""Resource-policy grants, strongest first."""
NO_AUTHORIZATION = frozenset({"sts:getcalleridentity"})
"""Actions AWS answers whatever the policies say, an explicit Deny included (STS API
reference, GetCallerIdentity: "No permissions are required to perform this operation")."""
RCP_EXEMPT_ACTIONS = frozenset({"kms:retiregrant"})
"""Actions on a resource of an RCP service that RCPs still do not restrict."""


@dataclass
class _Layer:
    """One layer's policies and what its statements said about the request."""

    kind: LayerKind
    policies: tuple[Policy, ...]
    level: str | None = None
    target: str | None = None
    allows: list[Cause] = field(default_factory=list)
    denies: list[Cause] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def gap(self) -> Cause:
        """The implicit deny of this layer (no statement allows)."""
        name = self.policies[0].name if len(self.policies) == 1 else None
        return Cause(self.kind, None, name, level=self.level, target=self.target)

    def step(self, action: str) -> Step:
        if self.denies:
            return Step(self.kind, "Deny", self.denies[0].sentence(action), self.level)
        if self.allows:
            return Step(self.kind, "Allow", self.allows[0].sentence(action), self.level)
        detail = self.gap().sentence(action) + ": implicit deny"
        if self.misses:
            detail += f" ({'; '.join(self.misses)})"
        return Step(self.kind, "no Allow", detail, self.level)


def evaluate(request: Request, policies: Policies) -> Decision:
    """The decision AWS makes for `request` under `policies`, with its explanation."""
    caller = Caller.of(request)
    if request.action.lower() in NO_AUTHORIZATION:
        free = f"{request.action} needs no permission: {_NO_AUTHORIZATION}"
        return Decision("Allowed", (), (Step("identity", "not applied", free),), request)
    stated = Context(request.context).single("aws:ResourceAccount")
    owner = policies.resource.account if policies.resource else stated
    owner = owner or _account_of(request.resource) or caller.account
    if owner == caller.account:
        owner_org, owner_management = request.organization, request.management_account
    else:
        owner_org = request.resource_organization
        owner_management = request.resource_management_account
    context = _context(request, caller, owner, owner_org)
    trust = request.action.lower().startswith("sts:") and bool(_ROLE.match(request.resource))
    cross_account = caller.kind != "service" and owner != caller.account
    resource_needed = trust or cross_account or caller.kind == "service"

    resource = policies.resource
    resource_layer = _Layer("trust" if trust else "resource", (resource,) if resource else ())
    rcp_layers, rcp_skipped = _rcp_layers(request, policies, owner_org, owner_management)
    scp_layers, scp_skipped = _scp_layers(request, caller, policies)
    identity_layers, identity_skipped = _identity_layers(caller, policies)
    controls = [*rcp_layers, *scp_layers]
    layers = [*controls, *identity_layers, resource_layer]
    steps = [step for step in (rcp_skipped, scp_skipped, identity_skipped) if step]
    bounded = policies.boundary is not None and caller.kind not in ("service", "root")
    for layer in layers:
        _scan(layer, request.action, request.resource, caller, context, bounded)
        if layer.policies or layer is not resource_layer or resource_needed:
            steps.append(layer.step(request.action))
    steps.sort(key=lambda step: _ORDER.index(step.kind))

    def decide(verdict: Verdict, causes: list[Cause]) -> Decision:
        return Decision(verdict, tuple(causes), tuple(steps), request)

    denies = [cause for layer in layers for cause in layer.denies]
    if denies:
        return decide("ExplicitlyDenied", denies)
    control_gaps = [layer.gap() for layer in controls if not layer.allows]
    if control_gaps:
        return decide("ImplicitlyDenied", control_gaps[:1])

    control_allows = [layer.allows[0] for layer in controls]
    identity_ok = caller.kind == "root" or (
        caller.kind != "service" and all(layer.allows for layer in identity_layers)
    )
    direct = None if cross_account else _direct_grant(resource_layer, identity_layers, caller)
    if (identity_ok or direct) and (resource_layer.allows or not resource_needed):
        if identity_ok:
            chosen = [layer.allows[0] for layer in identity_layers]
            chosen += resource_layer.allows[:1] if resource_needed else []
        else:
            chosen = direct or []
        return decide("Allowed", [*control_allows, *chosen])

    gaps: list[Cause] = []
    if resource_needed and not resource_layer.allows:
        gaps.append(resource_layer.gap())
    if not (identity_ok or direct):
        gaps += [layer.gap() for layer in identity_layers if not layer.allows]
        if not resource_needed and resource and not resource_layer.allows:
            gaps.append(resource_layer.gap())
    return decide("ImplicitlyDenied", gaps)


_ORDER = ("rcp", "scp", "identity", "boundary", "session", "resource", "trust")
_NO_AUTHORIZATION = "AWS answers it whatever the policies say, even an explicit Deny"
_NO_IDENTITY = {
    "service": "a service principal has no identity policies; only a resource-based policy "
    "can allow it",
    "root": "the root user needs no identity policy: in its own account it may do anything "
    "that SCPs, RCPs and explicit denies leave",
}


def _context(request: Request, caller: Caller, owner: str | None, owner_org: str | None) -> Context:
    """The request's condition keys, with the keys AWS always sets filled from the request."""
    service = caller.kind == "service"
    return Context(request.context).with_defaults(
        {
            "aws:PrincipalArn": caller.identity_arn,
            "aws:PrincipalAccount": caller.account,
            "aws:PrincipalOrgID": None if service else request.organization,
            "aws:PrincipalType": caller.principal_type,
            "aws:PrincipalIsAWSService": service,
            "aws:PrincipalServiceName": caller.arn if service else None,
            "aws:RequestedRegion": requested_region(request.action, request.region),
            "aws:ResourceAccount": owner,
            "aws:ResourceOrgID": owner_org,
        }
    )


def _rcp_layers(
    request: Request, policies: Policies, owner_org: str | None, owner_management: bool
) -> tuple[list[_Layer], Step | None]:
    """One layer per RCP level of the resource's account, or none and the step saying why
    RCPs do not apply (no step at all when the RCP policy type is not enabled)."""
    if not policies.rcps:
        return [], None
    exempt = _rcp_exemption(request, owner_org, owner_management)
    if exempt:
        return [], Step("rcp", "not applied", exempt)
    return [_Layer("rcp", lv.policies, lv.label, lv.target_id) for lv in policies.rcps], None


def _scp_layers(
    request: Request, caller: Caller, policies: Policies
) -> tuple[list[_Layer], Step | None]:
    """One layer per SCP level, or none and the step saying why SCPs do not apply."""
    exempt = _scp_exemption(request, caller) or (
        None if policies.scps else "no SCPs are in force (the SCP policy type is not enabled)"
    )
    if exempt:
        return [], Step("scp", "not applied", exempt)
    return [_Layer("scp", lv.policies, lv.label, lv.target_id) for lv in policies.scps], None


def _identity_layers(caller: Caller, policies: Policies) -> tuple[list[_Layer], Step | None]:
    """The identity policies, boundary and session policies that apply to the caller, or
    none and the step saying why."""
    if caller.kind in ("service", "root"):
        return [], Step("identity", "not applied", _NO_IDENTITY[caller.kind])
    layers = [_Layer("identity", policies.identity)]
    if policies.boundary:
        layers.append(_Layer("boundary", (policies.boundary,)))
    if policies.session:
        layers.append(_Layer("session", policies.session))
    return layers, None


def _direct_grant(
    resource: _Layer, identity_layers: list[_Layer], caller: Caller
) -> list[Cause] | None:
    """Within one account: the resource-policy Allow that is enough without an identity
    policy, with the boundary and session allows that still limit it; None if none."""
    limits = [layer for layer in identity_layers if layer.kind in ("boundary", "session")]
    for cause in sorted(resource.allows, key=lambda c: GRANTS.index(c.grant or "account")):
        if cause.grant == "account":
            continue
        if cause.grant == "principal" and caller.kind in ("role", "session"):
            if not all(layer.allows for layer in limits):
                continue
            return [cause, *(layer.allows[0] for layer in limits)]
        return [cause]
    return None


def _scp_exemption(request: Request, caller: Caller) -> str | None:
    """Why SCPs do not apply to this caller, or None when they do."""
    if caller.kind == "service":
        return "SCPs do not apply to service principals"
    if request.organization is None:
        return "SCPs do not apply: the caller's account is not in an organization"
    if request.management_account:
        return "SCPs never apply to the management account"
    if request.service_linked_role:
        return "SCPs never apply to service-linked roles"
    return None


def _rcp_exemption(request: Request, owner_org: str | None, owner_management: bool) -> str | None:
    """Why RCPs do not apply to this request, or None when they do."""
    service = request.action.split(":", 1)[0].lower()
    if service not in RCP_SERVICES:
        return f"RCPs do not apply to {service}, which is not among the services that support them"
    if request.resource == "*" or request.action.lower() in RCP_EXEMPT_ACTIONS:
        return "RCPs apply only to actions on a resource, and this request names none"
    if owner_org is None:
        return "RCPs do not apply: the resource's account is not in an organization"
    if owner_management:
        return "RCPs never apply to resources of the management account"
    if request.service_linked_role:
        return "RCPs never apply to calls by service-linked roles"
    return None


def _account_of(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and re.fullmatch(r"\d{12}", parts[4]) else None


def _scan(
    layer: _Layer, action: str, resource: str, caller: Caller, context: Context, bounded: bool
) -> None:
    """Sort the layer's statements that apply to the request into allows and denies;
    note those that matched all but their condition."""
    for policy in layer.policies:
        for statement in policy.statements:
            if not _covers(statement, action, resource, context):
                continue
            grant = None
            if statement.principals is not None:
                grant = _grant(statement, caller, bounded)
                if grant is None:
                    continue
            failed = unmet(statement.condition, context)
            if failed:
                layer.misses.append(f"'{policy.name}' {statement.label}: {failed} not met")
                continue
            cause = Cause(
                layer.kind,
                statement.effect,  # type: ignore[arg-type]
                policy.name,
                statement.label,
                statement.raw,
                layer.level,
                grant,
                layer.target,
            )
            (layer.denies if statement.effect == "Deny" else layer.allows).append(cause)


def _covers(statement: Statement, action: str, resource: str, context: Context) -> bool:
    """Whether the statement's Action and Resource elements cover the request (actions are
    case-insensitive, resources case-sensitive; no Resource element covers any resource)."""
    acts = any(like(action, a, context, ignore_case=True) for a in statement.actions)
    if acts == statement.not_action:
        return False
    if statement.resources is None:
        return True
    hits = any(like(resource, r, context) for r in statement.resources)
    return hits != statement.not_resource


def _grant(statement: Statement, caller: Caller, bounded: bool) -> Grant | None:
    """How the statement's Principal (or NotPrincipal) names the caller; None if not.
    A NotPrincipal (only ever with Deny) covers whoever it does not list in full, and
    always a principal that has a permissions boundary."""
    names = [g for kind, value in statement.principals or () if (g := _names(kind, value, caller))]
    if statement.not_principal:
        return None if _CHAIN[caller.kind] <= set(names) and not bounded else "principal"
    return min(names, key=GRANTS.index) if names else None


_CHAIN: dict[str, set[Grant]] = {
    "session": {"session", "principal", "account"},
    "federated": {"session", "account"},
    "user": {"principal", "account"},
    "role": {"principal", "account"},
    "root": {"account"},
    "service": {"session"},
}
"""What a NotPrincipal must list to spare the caller: every identity in its chain (the
session, its role, its account), as the NotPrincipal documentation's example shows."""


def _names(kind: str, value: str, caller: Caller) -> Grant | None:
    """Whether one Principal entry names the caller, and how."""
    if kind == "*":
        return "everyone"
    if kind != "AWS":
        return "session" if value == caller.arn else None
    if caller.kind == "service":
        return None
    if value == "*":
        return "everyone"
    if re.fullmatch(r"\d{12}", value):
        return "account" if value == caller.account else None
    match = PRINCIPAL_ARN.match(value)
    if match is None or match["account"] != caller.account:
        return None
    kind, _, path = match["rest"].partition("/")
    name = path.rsplit("/", 1)[-1]
    if match["rest"] == "root":
        return "account"
    if kind == "user" and caller.kind == "user" and name == caller.name:
        return "principal"
    if kind == "role" and caller.kind in ("role", "session") and name == caller.name:
        return "principal"
    return "session" if value == caller.arn else None
