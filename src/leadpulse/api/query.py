"""Unknown query parameters are refused: ``GET /api/leads?search=x`` is a 422, not every lead.

A typo'd or guessed filter (``search`` for ``q``) would otherwise be ignored and the caller
would read an unfiltered list as if it were the answer. One app-wide dependency
(``create_app`` installs it) compares the request's query names with the parameters the
matched route declares — its own and its dependencies', by alias, as the OpenAPI document
lists them — so a new endpoint is covered without doing anything. It applies to the GET (and
HEAD) operations of the API document; routes outside it (the dashboard's SPA fallback,
/docs assets) keep ignoring query strings, which browsers and proxies add freely.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from leadpulse.errors import FieldError, InvalidInput

CHECKED_METHODS = frozenset({"GET", "HEAD"})


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def declared_query(route: APIRoute) -> frozenset[str]:
    """Return the query parameter names (aliases) a route and its dependencies declare."""
    # Walked per request: a few dozen nodes, cheaper than a cache keyed by (unhashable) routes.
    return frozenset(_query_names(route.dependant))


def unknown_query(request: Request) -> list[str]:
    """Return the request's query names its route does not declare (sorted; [] if unchecked)."""
    route = request.scope.get("route")
    if request.method not in CHECKED_METHODS or not isinstance(route, APIRoute):
        return []
    if not route.include_in_schema:
        return []
    return sorted(set(request.query_params) - declared_query(route))


async def refuse_unknown_query(request: Request) -> None:
    """Refuse a request naming a query parameter its route does not declare (422)."""
    unknown = unknown_query(request)
    if unknown:
        raise InvalidInput(
            f"Unknown query parameters: {', '.join(unknown)}",
            [
                FieldError(f"query.{name}", "unknown query parameter", "extra_forbidden")
                for name in unknown
            ],
        )
