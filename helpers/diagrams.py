"""The lessons' static diagrams: how AWS reads SCPs, the two ways into another account, and
where the trail's records go.

Each function returns a `helpers.pictures.Picture` drawn with the kit's own primitives (a
tree, boxes and arrows), so it looks like the live pictures, shows in JupyterLab, and goes
into the run's report through `kit.show`. They read nothing: the names are the example's.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from helpers.pictures import FONT, INK, PAPER, Arrow, Box, Node, Picture, graph, tree

CAPTION_SIZE, CAPTION_LINE, GAP = 14, 26, 18
_SIZE = re.compile(r'^<svg[^>]*?width="(\d+)" height="(\d+)"')


def scp_path() -> Picture:
    """A request from account prod meets the SCPs of every level on its path from the root:
    each level must allow, a Deny at any level wins, and the management account is exempt."""
    account = Node("account prod", "account", ["SCP: FullAWSAccess", "must allow too"])
    prod = Node("OU Prod", "ou", ["SCP: FullAWSAccess", "must allow"], [account])
    workloads = Node("OU Workloads", "ou", ["SCP: FullAWSAccess", "must allow"], [prod])
    management = Node("management account", "management", ["SCPs never apply here"])
    root = Node(
        "Root",
        "root",
        [
            "SCPs: FullAWSAccess, org-allowed-regions, org-guardrails",
            "reach every member account below",
            "every level must allow; a Deny at any level wins",
        ],
        [management, workloads],
    )
    return tree(root)


def two_ways_in() -> Picture:
    """The two grants across an account boundary: a resource policy that names the consumer
    (which calls with its own credentials, so both sides' policies must allow), or a role in
    the provider's account that the consumer assumes (and then acts as, inside it)."""
    by_policy = _chain(
        [
            ("dev", ["the consumer, as itself", "its IAM policy allows the call"]),
            (
                "prod: bucket acme-prod-exports",
                ["its bucket policy names dev", "for anonymised/ only"],
            ),
        ],
        ["s3:GetObject"],
    )
    by_role = _chain(
        [
            ("prod", ["the consumer", "may call sts:AssumeRole"]),
            (
                "original: role shop-data-migration",
                ["its trust policy names prod", "its permissions: one bucket, read"],
            ),
            (
                "original: bucket acme-prod-data",
                ["needs no policy for prod:", "the role is at home here"],
            ),
        ],
        ["sts:AssumeRole", "s3:GetObject"],
    )
    return stacked(
        [
            ("1 · A resource policy: the consumer stays itself", by_policy),
            ("2 · A role: the consumer becomes the role, in the provider's account", by_role),
        ]
    )


def trail_flow() -> Picture:
    """Every account's API calls, the management account's too, go to the one organization
    trail it owns, and land in a bucket of the log-archive account that only CloudTrail
    writes to."""
    boxes = [
        Box("dev", "dev", ["API calls, every region"]),
        Box("prod", "prod", ["API calls, every region"]),
        Box("original", "original", ["API calls, every region"]),
        Box("management", "management account", ["owns the trail", "its own calls too"]),
        Box("trail", "organization trail", ["members see it", "and cannot stop it"]),
        Box(
            "bucket",
            "log-archive: the log bucket",
            ["only CloudTrail may write", "hourly digests prove no log changed"],
        ),
    ]
    arrows = [
        Arrow("dev", "trail", "recorded"),
        Arrow("prod", "trail", "recorded"),
        Arrow("original", "trail", "recorded"),
        Arrow("management", "trail", "recorded"),
        Arrow("trail", "bucket", "within minutes"),
    ]
    return graph(boxes, arrows)


def _chain(boxes: list[tuple[str, list[str]]], calls: list[str]) -> Picture:
    """Boxes (label, notes) in a row, each calling the next (the arrows' labels)."""
    drawn = [Box(label, label, notes) for label, notes in boxes]
    arrows = [
        Arrow(a.id, b.id, call) for a, b, call in zip(drawn[:-1], drawn[1:], calls, strict=True)
    ]
    return graph(drawn, arrows)


def stacked(parts: list[tuple[str, Picture]]) -> Picture:
    """Pictures one above the other, each under its caption, as one SVG."""
    width, y, body = 0, 0, []
    for caption, picture in parts:
        found = _SIZE.match(str(picture))
        if found is None:
            raise ValueError(f"picture {caption!r} has no width and height")
        w, h = int(found[1]), int(found[2])
        body.append(
            f'<text x="16" y="{y + CAPTION_SIZE + 6}" font-size="{CAPTION_SIZE}" fill="{INK}" '
            f'font-weight="600">{escape(caption)}</text>'
            f'<svg x="0" y="{y + CAPTION_LINE}"' + str(picture)[4:]
        )
        width, y = max(width, w), y + CAPTION_LINE + h + GAP
    return Picture(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y - GAP}" '
        f'viewBox="0 0 {width} {y - GAP}" font-family="{FONT}" role="img">'
        f'<rect width="{width}" height="{y - GAP}" rx="10" fill="{PAPER}"/>'
        + "".join(body)
        + "</svg>"
    )
