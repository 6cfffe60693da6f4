"""Rule conditions: a small tree over an event's ``properties`` and its lead's ``traits``.

Wire format (JSON, as stored and as sent to ``/api/rules``)::

    {"all": [{"path": "properties.path", "op": "starts_with", "value": "/pricing"},
             {"not": {"path": "traits.email", "op": "ends_with", "value": "@gmail.com"}}]}

- A **leaf** is ``{path, op, value}``. ``all`` and ``any`` take a non-empty list of nodes and
  ``not`` takes one node; a combinator object has exactly that one key.
- A **path** is dotted: ``properties.<key>[.<key>…]`` or ``traits.<key>[.<key>…]``, each key
  1–64 characters of ``[A-Za-z0-9_$-]``, at most 6 keys.
- **Operators** (``value`` type in brackets):

  ======================  =====================================================================
  ``eq`` / ``neq``        equal / not equal [any JSON scalar]; numbers compare as numbers, a
                          boolean equals only a boolean; ``neq`` holds when the path is absent
  ``in``                  the value is one of [a list of 1–100 scalars]
  ``contains``            text contains [string], or a list holds an element equal to it
  ``starts_with``         text starts with [string]
  ``ends_with``           text ends with [string]
  ``matches``             text matches [a regular expression, RE2 syntax, ≤ 200 characters]
  ``gt`` ``gte``          greater than (or equal) [number]
  ``lt`` ``lte``          less than (or equal) [number]
  ``exists``              the path is present and not null [true] / absent or null [false]
  ======================  =====================================================================

- Text operators (``contains``, ``starts_with``, ``ends_with``, and ``eq``/``neq``/``in``
  between strings) ignore case: marketing data is typed by people ("/Pricing", "GMAIL.com").
  ``matches`` is case-sensitive unless the pattern says ``(?i)``.
- Comparisons take a number, or a string that reads as a finite number (``"250"``): CRM
  exports store company sizes as text. Anything else does not match.
- An absent path matches nothing but ``neq`` and ``exists: false``.
- ``matches`` uses RE2, whose matching time is linear in the input: no pattern can make the
  worker backtrack for ever. Patterns RE2 refuses (back-references, look-arounds) are refused
  at save, with the reason.

A tree has at most 50 nodes and depth 8; a string value at most 1 000 characters. Parsing
raises ``ConditionError`` naming the place in the tree (``conditions.all.1.not.op``); a parsed
``Condition`` is immutable and evaluated by ``matches`` with no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

import re2

OPERATORS: Final = frozenset(
    {
        "eq",
        "neq",
        "in",
        "contains",
        "starts_with",
        "ends_with",
        "matches",
        "gt",
        "gte",
        "lt",
        "lte",
        "exists",
    }
)
ROOTS: Final = ("properties", "traits")
MAX_NODES: Final = 50
MAX_DEPTH: Final = 8
MAX_KEYS: Final = 6
MAX_STRING: Final = 1_000
MAX_PATTERN: Final = 200
MAX_IN_VALUES: Final = 100
_KEY = re.compile(r"^[A-Za-z0-9_$\-]{1,64}$")
_TEXT_OPS: Final = frozenset({"contains", "starts_with", "ends_with"})
_NUMBER_OPS: Final = frozenset({"gt", "gte", "lt", "lte"})
_MISSING: Final = object()

Scalar: TypeAlias = str | int | float | bool | None


class ConditionError(ValueError):
    """A condition tree that cannot be used; ``where`` names the place in the tree."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True, slots=True)
class Leaf:
    """``path op value``; ``pattern`` is the compiled RE2 program of a ``matches`` leaf."""

    path: tuple[str, ...]
    op: str
    value: Any
    pattern: Any = None


@dataclass(frozen=True, slots=True)
class AllOf:
    children: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Condition


Condition: TypeAlias = Leaf | AllOf | AnyOf | Not


@dataclass(slots=True)
class _Budget:
    nodes: int = 0

    def take(self, where: str, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ConditionError(where, f"a condition tree has at most {MAX_NODES} nodes")
        if depth > MAX_DEPTH:
            raise ConditionError(where, f"a condition tree is at most {MAX_DEPTH} levels deep")


def parse_condition(raw: object, where: str = "conditions") -> Condition:
    """Validate and compile a condition tree from its JSON form."""
    return _parse(raw, where, 1, _Budget())


def _parse(raw: object, where: str, depth: int, budget: _Budget) -> Condition:
    budget.take(where, depth)
    if not isinstance(raw, Mapping):
        raise ConditionError(where, "must be an object: a leaf {path, op, value} or all/any/not")
    if "path" in raw or "op" in raw:
        return _leaf(raw, where)
    if len(raw) != 1 or next(iter(raw)) not in ("all", "any", "not"):
        raise ConditionError(where, "a combinator has exactly one key: all, any or not")
    key, body = next(iter(raw.items()))
    if key == "not":
        return Not(_parse(body, f"{where}.not", depth + 1, budget))
    return _combinator(key, body, f"{where}.{key}", depth, budget)


def _combinator(key: str, body: object, where: str, depth: int, budget: _Budget) -> Condition:
    if not isinstance(body, list) or not body:
        raise ConditionError(where, "must be a non-empty list of conditions")
    children = tuple(
        _parse(child, f"{where}.{i}", depth + 1, budget) for i, child in enumerate(body)
    )
    return AllOf(children) if key == "all" else AnyOf(children)


def _leaf(raw: Mapping[str, Any], where: str) -> Leaf:
    unknown = sorted(set(raw) - {"path", "op", "value"})
    if unknown:
        raise ConditionError(f"{where}.{unknown[0]}", "unknown key (a leaf is {path, op, value})")
    path = _path(raw.get("path"), f"{where}.path")
    op = raw.get("op")
    if op not in OPERATORS:
        raise ConditionError(f"{where}.op", f"unknown operator; use one of {sorted(OPERATORS)}")
    if "value" not in raw:
        raise ConditionError(f"{where}.value", "is required")
    value = raw["value"]
    _check_value(op, value, f"{where}.value")
    pattern = _compile(value, f"{where}.value") if op == "matches" else None
    return Leaf(path=path, op=op, value=value, pattern=pattern)


def _path(raw: object, where: str) -> tuple[str, ...]:
    if not isinstance(raw, str):
        raise ConditionError(where, "must be a dotted path such as properties.url")
    keys = tuple(raw.split("."))
    if keys[0] not in ROOTS or len(keys) < 2:
        raise ConditionError(where, "must start with properties. or traits. and name a key")
    if len(keys) > MAX_KEYS + 1 or not all(_KEY.match(key) for key in keys[1:]):
        raise ConditionError(
            where, f"keys are 1-64 characters of A-Z a-z 0-9 _ $ -, at most {MAX_KEYS} of them"
        )
    return keys


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_scalar(value: object) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_STRING
    return value is None or isinstance(value, bool) or _is_number(value)


def _is_text(limit: int) -> Any:
    return lambda value: isinstance(value, str) and 0 < len(value) <= limit


def _is_choices(value: object) -> bool:
    items = value if isinstance(value, list) else []
    return 0 < len(items) <= MAX_IN_VALUES and all(_is_scalar(item) for item in items)


_VALUE_CHECKS: Final[dict[str, tuple[Any, str]]] = {
    "exists": (lambda value: isinstance(value, bool), "true or false"),
    **{op: (_is_number, "a finite number") for op in _NUMBER_OPS},
    **{op: (_is_text(MAX_STRING), f"a string of 1-{MAX_STRING} characters") for op in _TEXT_OPS},
    "matches": (_is_text(MAX_PATTERN), f"a string of 1-{MAX_PATTERN} characters"),
    "in": (_is_choices, f"a list of 1-{MAX_IN_VALUES} strings, numbers, booleans or null"),
    "eq": (_is_scalar, "a string, number, boolean or null"),
    "neq": (_is_scalar, "a string, number, boolean or null"),
}


def _check_value(op: str, value: object, where: str) -> None:
    check, expected = _VALUE_CHECKS[op]
    if not check(value):
        raise ConditionError(where, f"{op} takes {expected}")


def _compile(pattern: str, where: str) -> Any:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = 1 << 20  # a program larger than 1 MiB of automaton is refused
    try:
        return re2.compile(pattern, options=options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ConditionError(where, f"not a usable RE2 pattern: {reason}") from None


def to_json(condition: Condition) -> dict[str, Any]:
    """The wire form of a parsed tree (``parse_condition(to_json(c)) == c`` up to patterns)."""
    if isinstance(condition, Leaf):
        return {"path": ".".join(condition.path), "op": condition.op, "value": condition.value}
    if isinstance(condition, Not):
        return {"not": to_json(condition.child)}
    key = "all" if isinstance(condition, AllOf) else "any"
    return {key: [to_json(child) for child in condition.children]}


def matches(condition: Condition, properties: Mapping[str, Any], traits: Mapping[str, Any]) -> bool:
    """Tell whether an event with ``properties``, of a lead with ``traits``, meets the tree."""
    if isinstance(condition, Leaf):
        return _leaf_matches(condition, properties, traits)
    if isinstance(condition, Not):
        return not matches(condition.child, properties, traits)
    results = (matches(child, properties, traits) for child in condition.children)
    return all(results) if isinstance(condition, AllOf) else any(results)


def _lookup(path: Sequence[str], properties: Mapping[str, Any], traits: Mapping[str, Any]) -> Any:
    node: Any = properties if path[0] == "properties" else traits
    for key in path[1:]:
        if not isinstance(node, Mapping) or key not in node:
            return _MISSING
        node = node[key]
    return node


def _leaf_matches(leaf: Leaf, properties: Mapping[str, Any], traits: Mapping[str, Any]) -> bool:
    actual = _lookup(leaf.path, properties, traits)
    if leaf.op == "exists":
        return (actual is not _MISSING and actual is not None) is leaf.value
    if actual is _MISSING:
        return leaf.op == "neq"
    return _OPS[leaf.op](leaf, actual)


def _fold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def _same(actual: object, expected: object) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual is expected
    if _is_number(actual) and _is_number(expected):
        return float(actual) == float(expected)  # type: ignore[arg-type]
    return _fold(actual) == _fold(expected)


def _number(value: object) -> float | None:
    if _is_number(value):
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _compare(leaf: Leaf, actual: object) -> bool:
    number = _number(actual)
    if number is None:
        return False
    limit = float(leaf.value)
    return {
        "gt": number > limit,
        "gte": number >= limit,
        "lt": number < limit,
        "lte": number <= limit,
    }[leaf.op]


def _contains(leaf: Leaf, actual: object) -> bool:
    if isinstance(actual, list):
        return any(_same(item, leaf.value) for item in actual)
    return isinstance(actual, str) and leaf.value.casefold() in actual.casefold()


def _text(leaf: Leaf, actual: object) -> bool:
    if not isinstance(actual, str):
        return False
    text, needle = actual.casefold(), leaf.value.casefold()
    return text.startswith(needle) if leaf.op == "starts_with" else text.endswith(needle)


def _regex(leaf: Leaf, actual: object) -> bool:
    return isinstance(actual, str) and leaf.pattern.search(actual) is not None


_OPS: Final = {
    "eq": lambda leaf, actual: _same(actual, leaf.value),
    "neq": lambda leaf, actual: not _same(actual, leaf.value),
    "in": lambda leaf, actual: any(_same(actual, item) for item in leaf.value),
    "contains": _contains,
    "starts_with": _text,
    "ends_with": _text,
    "matches": _regex,
    "gt": _compare,
    "gte": _compare,
    "lt": _compare,
    "lte": _compare,
}
