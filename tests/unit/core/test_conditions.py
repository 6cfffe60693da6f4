"""Rule conditions (``core.conditions``): parsing names the place of every mistake, and
evaluation follows the documented operator table."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadpulse.core.conditions import (
    MAX_NODES,
    AllOf,
    ConditionError,
    Leaf,
    Not,
    matches,
    parse_condition,
    to_json,
)

PRICING = {
    "all": [
        {"path": "properties.path", "op": "starts_with", "value": "/pricing"},
        {"not": {"path": "traits.email", "op": "ends_with", "value": "@gmail.com"}},
    ]
}


def check(tree: dict[str, Any], properties: dict[str, Any], traits: dict[str, Any]) -> bool:
    return matches(parse_condition(tree), properties, traits)


def leaf(path: str, op: str, value: Any) -> dict[str, Any]:
    return {"path": path, "op": op, "value": value}


def test_the_issue_example_scores_pricing_views_of_work_addresses_only() -> None:
    assert check(PRICING, {"path": "/pricing/teams"}, {"email": "ann@corp.example"})
    assert not check(PRICING, {"path": "/pricing"}, {"email": "ann@gmail.com"})
    assert not check(PRICING, {"path": "/blog"}, {"email": "ann@corp.example"})
    assert check(PRICING, {"path": "/Pricing"}, {})  # no e-mail yet: not a Gmail address


@pytest.mark.parametrize(
    ("op", "value", "actual", "expected"),
    [
        ("eq", "Pro", "pro", True),
        ("eq", 3, 3.0, True),
        ("eq", True, 1, False),  # a boolean equals only a boolean
        ("eq", None, None, True),
        ("neq", "pro", "team", True),
        ("neq", "pro", "PRO", False),
        ("in", ["us", "ca"], "CA", True),
        ("in", ["us", "ca"], "de", False),
        ("contains", "enterprise", "Our Enterprise plan", True),
        ("contains", "vip", ["new", "VIP"], True),
        ("contains", "vip", 7, False),
        ("starts_with", "/docs", "/docs/api", True),
        ("ends_with", ".pdf", "guide.PDF", True),
        ("ends_with", ".pdf", None, False),
        ("matches", r"^/pricing(/|$)", "/pricing/teams", True),
        ("matches", r"^/pricing(/|$)", "/pricingx", False),
        ("matches", r"(?i)^CTO$", "cto", True),
        ("gt", 100, 250, True),
        ("gt", 100, "250", True),  # CRM exports keep numbers as text
        ("gt", 100, "lots", False),
        ("gte", 100, 100, True),
        ("lt", 100, 100, False),
        ("lte", 100, 99.5, True),
        ("lt", 1, True, False),  # a boolean is not a number
        ("exists", True, "", True),
        ("exists", True, None, False),
        ("exists", False, None, True),
    ],
)
def test_each_operator(op: str, value: Any, actual: Any, expected: bool) -> None:
    assert check(leaf("properties.x", op, value), {"x": actual}, {}) is expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "a", False),
        ("neq", "a", True),
        ("exists", True, False),
        ("exists", False, True),
        ("gt", 0, False),
        ("contains", "a", False),
    ],
)
def test_an_absent_path_matches_only_neq_and_exists_false(
    op: str, value: Any, expected: bool
) -> None:
    assert check(leaf("traits.company.size", op, value), {}, {"company": "Acme"}) is expected


def test_paths_walk_nested_objects_of_both_roots() -> None:
    tree = {
        "any": [
            leaf("properties.utm.source", "eq", "newsletter"),
            leaf("traits.company.size", "gte", 500),
        ]
    }
    assert check(tree, {"utm": {"source": "Newsletter"}}, {})
    assert check(tree, {}, {"company": {"size": 800}})
    assert not check(tree, {"utm": "newsletter"}, {"company": {"size": 20}})


@pytest.mark.parametrize(
    ("tree", "where"),
    [
        ([], "conditions"),
        ({"all": []}, "conditions.all"),
        ({"any": {"path": "properties.x"}}, "conditions.any"),
        ({"all": [], "any": []}, "conditions"),
        ({"both": []}, "conditions"),
        (
            {"all": [leaf("properties.x", "eq", 1), {"not": leaf("x", "eq", 1)}]},
            "conditions.all.1.not.path",
        ),
        (leaf("events.x", "eq", 1), "conditions.path"),
        (leaf("properties", "eq", 1), "conditions.path"),
        (leaf("properties.a b", "eq", 1), "conditions.path"),
        (leaf("properties." + ".".join("k" * 7), "eq", 1), "conditions.path"),
        (leaf("properties.x", "like", "a"), "conditions.op"),
        ({"path": "properties.x", "op": "eq"}, "conditions.value"),
        ({"path": "properties.x", "op": "eq", "value": 1, "extra": 2}, "conditions.extra"),
        (leaf("properties.x", "gt", "10"), "conditions.value"),
        (leaf("properties.x", "gt", float("nan")), "conditions.value"),
        (leaf("properties.x", "gt", True), "conditions.value"),
        (leaf("properties.x", "exists", "yes"), "conditions.value"),
        (leaf("properties.x", "in", []), "conditions.value"),
        (leaf("properties.x", "in", [{"a": 1}]), "conditions.value"),
        (leaf("properties.x", "in", list(range(101))), "conditions.value"),
        (leaf("properties.x", "eq", [1]), "conditions.value"),
        (leaf("properties.x", "contains", ""), "conditions.value"),
        (leaf("properties.x", "starts_with", "x" * 1001), "conditions.value"),
        (leaf("properties.x", "matches", "a" * 201), "conditions.value"),
        (leaf("properties.x", "matches", r"(a)\1"), "conditions.value"),  # back-reference
        (leaf("properties.x", "matches", r"(?=a)b"), "conditions.value"),  # look-ahead
        (leaf("properties.x", "matches", "(unclosed"), "conditions.value"),
    ],
)
def test_a_bad_tree_is_refused_naming_the_place(tree: Any, where: str) -> None:
    with pytest.raises(ConditionError) as error:
        parse_condition(tree)
    assert error.value.where == where


def test_size_and_depth_are_bounded() -> None:
    wide = {"any": [leaf("properties.x", "eq", i) for i in range(MAX_NODES)]}
    with pytest.raises(ConditionError, match="at most 50 nodes"):
        parse_condition(wide)
    deep: dict[str, Any] = leaf("properties.x", "eq", 1)
    for _ in range(8):
        deep = {"not": deep}
    with pytest.raises(ConditionError, match="levels deep"):
        parse_condition(deep)


def test_a_catastrophic_pattern_for_backtracking_engines_runs_in_linear_time() -> None:
    # (a+)+$ takes exponential time in a backtracking engine on "aaaa…b"; RE2 does not backtrack.
    tree = leaf("properties.q", "matches", "^(a+)+$")
    assert not check(tree, {"q": "a" * 50_000 + "b"}, {})
    assert check(tree, {"q": "a" * 50_000}, {})


def test_parsing_compiles_once_into_an_immutable_tree() -> None:
    parsed = parse_condition(PRICING)
    assert isinstance(parsed, AllOf) and isinstance(parsed.children[1], Not)
    first = parsed.children[0]
    assert isinstance(first, Leaf) and first.path == ("properties", "path")
    assert to_json(parsed) == PRICING


scalars = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=8))
leaves = st.builds(
    leaf,
    st.sampled_from(["properties.a", "properties.b", "traits.a"]),
    st.sampled_from(["eq", "neq", "exists"]),
    scalars,
).filter(lambda raw: raw["op"] != "exists" or isinstance(raw["value"], bool))
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(lambda c: {"all": c}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda c: {"any": c}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, children),
    ),
    max_leaves=8,
)
facts = st.dictionaries(st.sampled_from(["a", "b"]), scalars, max_size=2)


@given(tree=trees, properties=facts, traits=facts)
def test_not_negates_and_the_wire_form_round_trips(
    tree: dict[str, Any], properties: dict[str, Any], traits: dict[str, Any]
) -> None:
    parsed = parse_condition(tree)
    assert matches(Not(parsed), properties, traits) is not matches(parsed, properties, traits)
    assert matches(parse_condition(to_json(parsed)), properties, traits) is matches(
        parsed, properties, traits
    )
