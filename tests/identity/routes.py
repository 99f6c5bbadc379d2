"""Walking every registered route: the whole app, including routes later modules add."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from townhall.identity.access import declared_roles, public


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    dependency_calls: tuple[Any, ...]

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"{(\w+)(?::\w+)?}", self.path)


def _calls(dependant: Any) -> Iterator[Any]:
    for dependency in getattr(dependant, "dependencies", []):
        yield dependency.call
        yield from _calls(dependency)


def every_route(app: FastAPI) -> list[RouteInfo]:
    routes = []
    for context in iter_route_contexts(app.routes):
        route = context.route
        path = context.path  # the full path, with the prefix the router was included under
        if path is None:
            continue
        dependant = getattr(route, "dependant", None)
        methods = frozenset(getattr(route, "methods", None) or {"GET"})
        routes.append(RouteInfo(path, methods, tuple(_calls(dependant)) if dependant else ()))
    return routes


def is_public(route: RouteInfo, public_paths: frozenset[str]) -> bool:
    return route.path in public_paths or public in route.dependency_calls


def required_roles(route: RouteInfo) -> tuple[str, ...]:
    return tuple(role for call in route.dependency_calls for role in (declared_roles(call) or ()))
