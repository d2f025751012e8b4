"""The lessons' static diagrams: well-formed SVG, the parts each one teaches, in the report."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from helpers import diagrams
from helpers.pictures import Box, Picture, graph
from runbook.report import _exhibit

SVG = "{http://www.w3.org/2000/svg}"


def _parse(picture: Picture) -> ET.Element:
    root = ET.fromstring(str(picture))
    assert root.tag == f"{SVG}svg"
    assert int(root.get("width")) > 0 and int(root.get("height")) > 0
    assert len(root.get("viewBox").split()) == 4
    return root


def _texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def _groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def test_the_scp_path_runs_from_the_root_to_the_account_and_spares_management():
    root = _parse(diagrams.scp_path())
    nodes = {
        g.find(f"{SVG}title").text.split(" · ")[0]: g.get("class")
        for g in root.iter(f"{SVG}g")
        if g.get("class", "").startswith("node")
    }
    assert nodes == {
        "Root": "node root",
        "management account": "node management",
        "OU Workloads": "node ou",
        "OU Prod": "node ou",
        "account prod": "node account",
    }
    texts = _texts(root)
    assert "SCPs never apply here" in texts
    assert "every level must allow; a Deny at any level wins" in texts


def test_two_ways_in_shows_a_resource_policy_and_a_role_one_above_the_other():
    root = _parse(diagrams.two_ways_in())
    parts = root.findall(f"{SVG}svg")
    assert [len(_groups(part, "box")) for part in parts] == [2, 3]
    labels = [[g.find(f"{SVG}title").text for g in _groups(part, "arrow")] for part in parts]
    assert labels == [
        ["dev → prod: bucket acme-prod-exports: s3:GetObject"],
        [
            "prod → original: role shop-data-migration: sts:AssumeRole",
            "original: role shop-data-migration → original: bucket acme-prod-data: s3:GetObject",
        ],
    ]
    first, second = (float(part.get("y")) for part in parts)
    assert second > first + float(parts[0].get("height"))  # stacked, not overlapping
    assert "its trust policy names prod" in _texts(root)


def test_the_trail_flow_gathers_every_account_into_one_bucket():
    root = _parse(diagrams.trail_flow())
    arrows = [g.find(f"{SVG}title").text for g in _groups(root, "arrow")]
    into_trail = [a for a in arrows if "→ organization trail" in a]
    assert len(into_trail) == 4  # dev, prod, original and the management account itself
    assert "organization trail → log-archive: the log bucket: within minutes" in arrows


def test_a_diagram_goes_into_the_report_as_inline_svg():
    for draw in (diagrams.scp_path, diagrams.two_ways_in, diagrams.trail_flow):
        figure = _exhibit({"kind": "svg", "title": "t", "body": str(draw())})
        assert figure.startswith("<figure><figcaption>t</figcaption><svg")


def test_stacking_refuses_a_picture_without_a_size():
    with pytest.raises(ValueError, match="no width and height"):
        diagrams.stacked([("a", Picture("<svg/>")), ("b", graph([Box("x", "x")], []))])
