"""The network check: security group rules that let the whole internet (0.0.0.0/0, ::/0)
reach an admin port or every port, each with the command that revokes it."""

from __future__ import annotations

import json
from collections.abc import Iterator

from helpers.review.model import Finding, Settings
from helpers.review.scope import Scope

PORT_NAMES = {22: "SSH", 3389: "RDP"}
WORLD = {"IpRanges": ("CidrIp", "0.0.0.0/0"), "Ipv6Ranges": ("CidrIpv6", "::/0")}


def opened(rule: dict, ports: list[int]) -> str:
    """What a rule opens, in words, if it is every port or one of the admin `ports`."""
    protocol = {"6": "tcp", "17": "udp"}.get(rule["IpProtocol"], rule["IpProtocol"])
    if protocol == "-1":
        return "every port of every protocol"
    if protocol not in ("tcp", "udp"):
        return ""
    low, high = rule.get("FromPort", 0), rule.get("ToPort", 65535)
    if low <= 0 and high >= 65535:
        return f"every {protocol} port"
    hit = [p for p in ports if low <= p <= high]
    return ", ".join(
        f"{protocol} port {p}" + (f" ({PORT_NAMES[p]})" if p in PORT_NAMES else "") for p in hit
    )


def check_network(scope: Scope, settings: Settings) -> Iterator[Finding]:
    for resource, group in scope.groups:
        for rule in group["IpPermissions"]:
            world = {
                key: [r for r in rule.get(key, []) if r.get(field) == cidr]
                for key, (field, cidr) in WORLD.items()
            }
            sources = [r[WORLD[key][0]] for key, ranges in world.items() for r in ranges]
            exposed = opened(rule, settings.admin_ports) if sources else ""
            if not exposed:
                continue
            revoke = {k: rule[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in rule}
            revoke |= {key: ranges for key, ranges in world.items() if ranges}
            fix = (
                f"aws ec2 revoke-security-group-ingress --region {resource.region} --group-id "
                f"{group['GroupId']} --ip-permissions '{json.dumps([revoke])}'; then reach the "
                "instances through Systems Manager Session Manager, or allow only your own "
                "address range"
            )
            yield scope.finding(
                "network", resource.label, f"{exposed} open to {' and '.join(sources)}", fix
            )
