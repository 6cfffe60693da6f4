"""How the packages of LeadPulse may import each other: a new cycle between packages, or a
feature reaching into the HTTP layer, fails here.

Vocabulary
----------
- A **package** is a top-level package of ``leadpulse`` (``auth``, ``queue`` …) or a top-level
  module (``config``, ``errors``, ``container`` …).
- The **composition root** builds a process and may import anything: ``bootstrap``,
  ``processes``, ``asgi``, the ``cli`` package and the app factory ``api.app``.
- The **edge** adapts features to the outside world: every module of ``api/`` except
  ``api.app`` (root) and ``api.schemas`` (the wire-format base, inner), and every feature's
  ``routes.py`` (HTTP endpoints) and ``hooks.py`` (post-commit hooks and background loops it
  registers on the container).
- Every other module is **inner**: a feature's services, schemas and helpers, and ``core``,
  ``store``, ``queue``, ``container``, ``config``, ``errors`` …

Rules
-----
Imports count as the interpreter runs them, wherever they stand (a function-level import
counts); the body of an ``if TYPE_CHECKING:`` block is annotations only and does not count.

1. Nothing outside the composition root imports the composition root.
2. Inner modules import no edge module: a feature never reaches into ``api/`` internals
   (``api.deps``, ``api.problems`` …) nor into another feature's routes or hooks.
3. An edge module imports edge modules only of ``api/`` (``api.deps``) or of its own package.
4. Inner modules import neither FastAPI nor Starlette: HTTP belongs to the edge; features
   raise ``leadpulse.errors`` and ``api.problems`` alone maps them to statuses.
5. The packages form no cycle, counting the imports of inner modules only. Edge modules sit
   on top of every package, so they are left out: ``api.deps`` resolves callers through
   ``auth`` and ``auth/routes.py`` uses ``api.deps``, which is no cycle between ``auth`` and
   ``api``. Rules 1–3 keep anything inner from depending on them.
6. ``core/`` is pure (``tests/unit/core/test_purity.py``).
"""

from __future__ import annotations

import ast
import graphlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
ROOT_PACKAGE = "leadpulse"
COMPOSITION_ROOT = frozenset(
    {
        "leadpulse.bootstrap",
        "leadpulse.processes",
        "leadpulse.asgi",
        "leadpulse.cli",
        "leadpulse.api.app",
    }
)
EDGE_MODULE_NAMES = frozenset({"routes", "hooks"})
INNER_API_MODULES = frozenset({"leadpulse.api.schemas"})
HTTP_FRAMEWORKS = ("fastapi", "starlette")
# Inner modules that still speak HTTP, each with the reason; an entry that no longer applies
# fails ``test_known_http_exceptions_still_apply`` so the list only shrinks.
KNOWN_HTTP_IN_INNER = {
    "leadpulse.leads.export": "streams the CSV export as a Starlette response",
}


@dataclass(frozen=True, slots=True)
class Import:
    """One executed import: who imports what (a LeadPulse module or a third-party name)."""

    importer: str
    target: str


def module_name(path: Path, src: Path = SRC) -> str:
    """Return the dotted name of a source file (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules(src: Path = SRC) -> dict[str, Path]:
    """Map every module of the ``leadpulse`` package to its file."""
    return {module_name(path, src): path for path in sorted((src / ROOT_PACKAGE).rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Walk the tree, leaving out the bodies of ``if TYPE_CHECKING:`` blocks."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _resolve(importer: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(
    importer: str, source: str, modules: Mapping[str, object], *, is_package: bool = False
) -> list[Import]:
    """Return the imports ``source`` executes; a name imported from a package that is one
    of our modules (``from leadpulse.auth import service``) counts as that module."""
    found: list[Import] = []
    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(Import(importer, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(importer, node, is_package)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.append(Import(importer, child if child in modules else base))
    return found


def project_imports(src: Path = SRC) -> list[Import]:
    """Every executed import of every LeadPulse module."""
    modules = all_modules(src)
    return [
        found
        for name, path in modules.items()
        for found in imports_of(name, path.read_text(), modules, is_package=path.stem == "__init__")
    ]


def package_of(module: str) -> str:
    """``leadpulse.auth.service`` → ``auth``; ``leadpulse.config`` → ``config``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def is_root(module: str) -> bool:
    return module in COMPOSITION_ROOT or module.startswith("leadpulse.cli.")


def is_edge(module: str) -> bool:
    if is_root(module) or module in INNER_API_MODULES:
        return False
    parts = module.split(".")
    in_api = parts[:2] == [ROOT_PACKAGE, "api"] and len(parts) > 2
    return in_api or (len(parts) == 3 and parts[2] in EDGE_MODULE_NAMES)


def is_inner(module: str) -> bool:
    return not is_root(module) and not is_edge(module)


def is_ours(module: str) -> bool:
    return module == ROOT_PACKAGE or module.startswith(ROOT_PACKAGE + ".")


def _between_packages(imports: list[Import]) -> Iterator[tuple[str, str, Import]]:
    """Yield (importing package, imported package, import) for inner-to-inner imports."""
    for found in imports:
        if is_inner(found.importer) and is_ours(found.target) and is_inner(found.target):
            source, target = package_of(found.importer), package_of(found.target)
            if source != target:
                yield source, target, found


def find_package_cycle(imports: list[Import]) -> list[str] | None:
    """Return a cycle of packages, each importing the next (the first repeated last), or
    None when the packages are acyclic."""
    depends_on: dict[str, set[str]] = defaultdict(set)
    for source, target, _ in _between_packages(imports):
        depends_on[source].add(target)
    try:
        tuple(graphlib.TopologicalSorter(depends_on).static_order())
    except graphlib.CycleError as exc:
        # graphlib lists each node before the one that depends on it: reverse to read imports.
        return list(reversed(exc.args[1]))
    return None


def arrows(imports: Iterable[Import]) -> list[str]:
    """``importer → target`` for each distinct import, sorted (for failure messages)."""
    return sorted({f"{found.importer} → {found.target}" for found in imports})


def explain(cycle: list[str], imports: list[Import]) -> list[str]:
    """Name the module imports behind each step of a package cycle."""
    steps = set(pairwise(cycle))
    return arrows(
        found for source, target, found in _between_packages(imports) if (source, target) in steps
    )


# --- the rules, on the real tree -----------------------------------------------------------


IMPORTS = project_imports()


def test_the_walker_sees_every_package() -> None:
    packages = {package_of(name) for name in all_modules()}
    assert {"api", "auth", "projects", "ingest", "core", "queue", "container"} <= packages
    assert len(IMPORTS) > 300


def test_nothing_imports_the_composition_root() -> None:
    offenders = arrows(i for i in IMPORTS if is_root(i.target) and not is_root(i.importer))
    assert not offenders, f"only the composition root may import it: {offenders}"


def test_inner_modules_import_no_edge_module() -> None:
    offenders = arrows(
        i for i in IMPORTS if is_inner(i.importer) and is_ours(i.target) and is_edge(i.target)
    )
    assert not offenders, f"features must not reach into api/, routes or hooks: {offenders}"


def test_edge_modules_import_only_api_or_their_own_edges() -> None:
    offenders = arrows(
        i
        for i in IMPORTS
        if is_edge(i.importer)
        and is_ours(i.target)
        and is_edge(i.target)
        and package_of(i.target) not in ("api", package_of(i.importer))
    )
    assert not offenders, f"an edge module may use api/ and its own package only: {offenders}"


def test_inner_modules_do_not_speak_http() -> None:
    offenders = arrows(
        i
        for i in IMPORTS
        if is_inner(i.importer)
        and i.target.split(".")[0] in HTTP_FRAMEWORKS
        and i.importer not in KNOWN_HTTP_IN_INNER
    )
    assert not offenders, f"HTTP belongs to the edge (api/, routes): {offenders}"


def test_known_http_exceptions_still_apply() -> None:
    speaking = {i.importer for i in IMPORTS if i.target.split(".")[0] in HTTP_FRAMEWORKS}
    assert set(KNOWN_HTTP_IN_INNER) <= speaking, "remove the entries that no longer apply"


def test_packages_form_no_cycle() -> None:
    cycle = find_package_cycle(IMPORTS)
    assert cycle is None, f"package cycle {' → '.join(cycle)}: {explain(cycle, IMPORTS)}"


# --- the checker itself ----------------------------------------------------------------------


def test_modules_are_classified_as_root_edge_or_inner() -> None:
    assert is_root("leadpulse.api.app") and is_root("leadpulse.bootstrap")
    assert is_root("leadpulse.cli") and is_root("leadpulse.cli.rescore")
    assert is_edge("leadpulse.api.deps") and is_edge("leadpulse.auth.routes")
    assert is_edge("leadpulse.webhooks.hooks")
    assert is_inner("leadpulse.api.schemas") and is_inner("leadpulse.auth.service")
    assert is_inner("leadpulse.container") and is_inner("leadpulse.live.server")


def test_type_checking_imports_do_not_count_but_function_imports_do() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from leadpulse.live import emitter\n"
        "else:\n"
        "    import leadpulse.errors\n"
        "def f():\n"
        "    from leadpulse.auth import service\n"
    )
    modules = {"leadpulse.live.emitter": 1, "leadpulse.auth.service": 1, "leadpulse.errors": 1}

    targets = {i.target for i in imports_of("leadpulse.x", source, modules)}

    assert targets == {"typing", "leadpulse.errors", "leadpulse.auth.service"}


def test_relative_imports_resolve_against_the_importer() -> None:
    modules = {"leadpulse.auth.security": 1, "leadpulse.errors": 1}

    found = imports_of(
        "leadpulse.auth.service", "from . import security\nfrom ..errors import X\n", modules
    )

    assert {i.target for i in found} == {"leadpulse.auth.security", "leadpulse.errors"}


def test_a_cycle_between_inner_modules_of_two_packages_is_found() -> None:
    imports = [
        Import("leadpulse.projects.service", "leadpulse.auth.security"),
        Import("leadpulse.auth.service", "leadpulse.projects.service"),
        Import("leadpulse.auth.routes", "leadpulse.api.deps"),
        Import("leadpulse.api.deps", "leadpulse.auth.callers"),
    ]

    cycle = find_package_cycle(imports)

    assert cycle is not None and set(cycle) == {"auth", "projects"}
    assert cycle[0] == cycle[-1]
    assert "leadpulse.auth.service → leadpulse.projects.service" in explain(cycle, imports)


def test_an_edge_using_api_deps_is_no_cycle() -> None:
    imports = [
        Import("leadpulse.auth.routes", "leadpulse.api.deps"),
        Import("leadpulse.api.deps", "leadpulse.auth.callers"),
        Import("leadpulse.auth.schemas", "leadpulse.api.schemas"),
    ]

    assert find_package_cycle(imports) is None
