"""The kit's SVG pictures: well-formed, every label shown and escaped, sized from content, and
summarised (never quadratic) for big organizations."""

import xml.etree.ElementTree as ET

import pytest

from helpers import audit_trail
from helpers.config import load_config
from helpers.kit import Kit
from helpers.organization import FOLD_FROM, account_boxes
from helpers.organization import picture as organization_picture
from helpers.pictures import (
    ROUTE_AROUND,
    Arrow,
    Box,
    Node,
    Picture,
    bar_chart,
    graph,
    nice_ticks,
    tree,
)
from helpers.sandbox import MANAGEMENT_ACCOUNT_ID, SANDBOX_REGION
from helpers.targets import Target
from runbook.execute import DEFAULT_CONFIG

SVG = "{http://www.w3.org/2000/svg}"


def parse(picture: Picture) -> ET.Element:
    assert picture._repr_svg_() == str(picture) == picture.svg
    return ET.fromstring(str(picture))


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if cls in g.get("class", "").split()]


def size(picture: Picture) -> tuple[float, float]:
    root = parse(picture)
    return float(root.get("width")), float(root.get("height"))


def organization(account_label: str = "dev") -> Node:
    return Node(
        "Root",
        "root",
        children=[
            Node("management", "management", ["123456789012"]),
            Node("Security", "ou", ["SCP: deny-leave"], [Node("log-archive", "account")]),
            Node(
                "Workloads",
                "ou",
                children=[
                    Node("Dev", "ou", children=[Node(account_label, "account", ["111122223333"])]),
                    Node("Prod", "ou", children=[Node("prod"), Node("original <&> 'team'")]),
                ],
            ),
        ],
    )


def test_tree_shows_every_node_label_and_note() -> None:
    org = organization()
    root = parse(tree(org))
    shown = texts(root)
    for label in ["Root", "management", "123456789012", "SCP: deny-leave", "log-archive", "dev"]:
        assert label in shown
    assert "original <&> 'team'" in shown
    assert len(groups(root, "node")) == len(list(org.walk())) == 10
    assert len(groups(root, "ou")) == 4
    assert len(groups(root, "account")) == 4
    assert len(groups(root, "legend")) == 1
    assert {"Root", "Management account", "Organizational unit", "Member account"} <= set(shown)


def test_tree_escapes_markup() -> None:
    svg = str(tree(Node("a <b> & c", "root", ['x" onload="y'])))
    assert "a &lt;b&gt; &amp; c" in svg
    assert 'x" onload' not in svg
    assert texts(parse(tree(Node("a <b> & c", "root")))).count("a <b> & c") == 1


def test_tree_grows_with_content() -> None:
    small = size(tree(organization()))
    wide = size(tree(organization("a-much-longer-development-account-name")))
    assert wide[0] > small[0]
    deeper = organization()
    deeper.children[1].children[0].children = [Node("audit", "ou", children=[Node("auditor")])]
    assert size(tree(deeper))[1] > small[1]


def test_tree_lists_many_leaves_under_their_ou() -> None:
    leaves = [Node(f"sandbox-{i}") for i in range(8)]
    picture = tree(Node("Sandbox", "ou", children=leaves))
    root = parse(picture)
    assert len(groups(root, "node")) == 9
    width, height = size(picture)
    assert height > width  # stacked, not a row of eight boxes


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind 'team'"):
        Node("x", "team")


BOXES = [Box("web", "web-dev", ["111122223333"]), Box("api", "api-prod"), Box("db", "data & <db>")]


def test_graph_counts_boxes_arrows_and_labels() -> None:
    arrows = [
        Arrow("web", "api", "HTTPS"),
        Arrow("api", "web", "SQS reply"),
        Arrow("web", "api", "AssumeRole"),
        Arrow("api", "db", "S3 <policy>"),
    ]
    root = parse(graph(BOXES, arrows))
    assert len(groups(root, "box")) == 3
    assert len(groups(root, "arrow")) == 4
    shown = texts(root)
    for label in ["web-dev", "111122223333", "api-prod", "data & <db>", "S3 <policy>", "SQS reply"]:
        assert label in shown


def test_parallel_arrows_take_different_paths() -> None:
    arrows = [Arrow("web", "api", "a"), Arrow("api", "web", "b"), Arrow("web", "api", "c")]
    root = parse(graph(BOXES, arrows))
    paths = [g.find(f"{SVG}path").get("d") for g in groups(root, "arrow")]
    assert len(set(paths)) == 3


def test_arrows_go_around_boxes_and_are_drawn_above_them() -> None:
    arrows = [Arrow("web", "db", "skips api")]  # three boxes in a row: api is in between
    picture = graph(BOXES, arrows)
    root = parse(picture)
    d = groups(root, "arrow")[0].find(f"{SVG}path").get("d")
    assert " Q" in d
    api = groups(root, "box")[1].find(f"{SVG}rect")
    start, control, end = (
        [float(v) for v in point.split(",")] for point in d[1:].replace(" Q", " ").split()
    )
    middle_y = 0.25 * start[1] + 0.5 * control[1] + 0.25 * end[1]
    top = float(api.get("y"))
    assert not top <= middle_y <= top + float(api.get("height"))
    svg = str(picture)
    assert svg.index('class="arrow"') > svg.rindex('class="box"')


def test_graph_grows_with_content() -> None:
    short = size(graph(BOXES, [Arrow("web", "api", "x")]))
    long = size(graph(BOXES, [Arrow("web", "api", "a rather long label for the path")]))
    assert long[0] > short[0]
    assert size(graph([*BOXES, Box("e", "e"), Box("f", "f")], []))[1] > short[1]


def test_graph_refuses_unknown_boxes() -> None:
    with pytest.raises(ValueError, match="no box 'nope'"):
        graph(BOXES, [Arrow("web", "nope")])
    with pytest.raises(ValueError, match="unique"):
        graph([Box("a", "a"), Box("a", "b")], [])


COSTS = {"2025-01": [3.2, 140.0, 410.7], "2025-02": [3.1, 155.3, 395.0]}
ACCOUNTS = ["management", "dev", "prod <&>"]


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


@pytest.mark.parametrize("stacked", [False, True])
def test_tallest_bar_is_the_largest_value(stacked: bool) -> None:
    root = parse(bar_chart(ACCOUNTS, COSTS, "Cost per account", stacked=stacked))
    drawn = bars(root)
    assert len(drawn) == 6
    tallest = max(drawn, key=lambda r: float(r.get("height")))
    expected = 410.7
    assert float(tallest.get("data-value")) == expected
    heights = {float(r.get("data-value")): float(r.get("height")) for r in drawn}
    assert heights[410.7] / heights[140.0] == pytest.approx(410.7 / 140.0, rel=0.01)


def test_bar_chart_labels_legend_caption_and_round_ticks() -> None:
    picture = bar_chart(ACCOUNTS, COSTS, "Cost & usage", unit="EUR", caption="sample data")
    shown = texts(parse(picture))
    for label in [*ACCOUNTS, *COSTS, "Cost & usage", "EUR", "sample data"]:
        assert label in shown
    assert {"0", "100", "200", "300", "400", "500"} <= set(shown)


def test_bar_chart_grows_with_categories() -> None:
    one = size(bar_chart(["dev"], {"m": [1.0]}, "t"))
    three = size(bar_chart(["dev", "prod", "log-archive"], {"m": [1.0, 2.0, 3.0]}, "t"))
    assert three[0] > one[0]


def test_bar_chart_refuses_bad_series() -> None:
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        bar_chart(ACCOUNTS, {"m": [1.0, 2.0]}, "t")
    with pytest.raises(ValueError, match="negative"):
        bar_chart(["a"], {"m": [-1.0]}, "t")


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (410.7, [0, 100, 200, 300, 400, 500]),
        (9.3, [0, 2, 4, 6, 8, 10]),
        (0.37, [0, 0.1, 0.2, 0.3, 0.4]),
        (1200, [0, 250, 500, 750, 1000, 1250]),
        (0, [0, 1]),
    ],
)
def test_nice_ticks_are_round(maximum: float, ticks: list[float]) -> None:
    assert nice_ticks(maximum) == pytest.approx(ticks)


# --- at scale -----------------------------------------------------------------------------


def test_many_alike_accounts_of_an_ou_fold_into_one_box() -> None:
    accounts = [{"Id": f"{100000000000 + n}", "Name": f"app-{n:04d}"} for n in range(1000)]
    notes = {a["Id"]: ["SCP: FullAWSAccess"] for a in accounts}
    notes[accounts[7]["Id"]] = ["SCP: FullAWSAccess", "→ prod: queue orders"]
    boxes = account_boxes(accounts, notes, management="123456789012")
    assert [b.label for b in boxes] == ["999 accounts", "app-0007"]
    assert boxes[0].notes == ["100000000000 … 100000000999", "SCP: FullAWSAccess"]
    assert boxes[1].notes == [accounts[7]["Id"], "SCP: FullAWSAccess", "→ prod: queue orders"]
    few = account_boxes(accounts[:FOLD_FROM], notes, management="123456789012")
    assert len(few) == FOLD_FROM  # a few dozen are shown one by one


def test_a_thousand_account_tree_shows_a_box_per_ou_not_per_account() -> None:
    management = {"Id": "123456789012", "Name": "management"}
    ous = []
    for ou in ("Dev", "Prod"):
        accounts = [{"Id": f"{ou}{n:09d}", "Name": f"{ou}-{n}"} for n in range(500)]
        ous.append(Node(ou, "ou", children=account_boxes(accounts, {}, management["Id"])))
    root = Node("Root", "root", children=[*account_boxes([management], {}, "123456789012"), *ous])
    drawn = parse(tree(root))
    assert len(groups(drawn, "node")) == 6  # root, management, two OUs, a box in each
    assert texts(drawn).count("500 accounts") == 2


def test_beyond_a_few_dozen_boxes_arrows_go_straight() -> None:
    boxes = [Box(f"b{n}", f"account {n}") for n in range(ROUTE_AROUND + 1)]
    arrows = [Arrow(b.id, "b0", "logs") for b in boxes[1:]]
    root = parse(graph(boxes, arrows))
    for group in groups(root, "arrow"):
        d = group.find(f"{SVG}path").get("d")
        start, control, end = (
            [float(v) for v in point.split(",")] for point in d[1:].replace(" Q", " ").split()
        )
        middle = [(a + b) / 2 for a, b in zip(start, end, strict=True)]
        assert control == pytest.approx(middle, abs=0.2)


def test_the_trail_picture_of_a_big_organization_has_a_box_per_ou(clean_sandbox, aws, tmp_path):
    clean_sandbox.configure(create_account_seconds=0, account_quota=40)
    orgs = aws("organizations")
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]
    for n in range(FOLD_FROM + 6):
        orgs.create_account(AccountName=f"app-{n}", Email=f"app-{n}@example.com")
    pages = orgs.get_paginator("list_accounts").paginate()  # the creations end at this call
    for account in (a for page in pages for a in page["Accounts"]):
        if account["Id"] != MANAGEMENT_ACCOUNT_ID:
            orgs.move_account(
                AccountId=account["Id"], SourceParentId=root, DestinationParentId=ou["Id"]
            )
    config = load_config(DEFAULT_CONFIG)
    kit = Kit("05_test", config, Target.sandbox(clean_sandbox.url, SANDBOX_REGION), False, tmp_path)
    where = audit_trail.Where(
        "org-trail", SANDBOX_REGION, MANAGEMENT_ACCOUNT_ID, "o-x", "app-0", "1", "logs", 365
    )
    drawn = parse(audit_trail.picture(kit, where))
    assert [b.find(f"{SVG}title").text.split(" · ")[0] for b in groups(drawn, "box")] == [
        "management",  # the config's name for it, not moto's "master"
        "Workloads",
        "logs",
    ]
    assert f"{FOLD_FROM + 6} account(s)" in texts(drawn)
    assert len(groups(drawn, "arrow")) == 2
    tree_texts = texts(parse(organization_picture(kit.management)))
    assert f"{FOLD_FROM + 6} accounts" in tree_texts
