"""The council services listed on the home page; each module adds its own when its pages exist."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServiceLink:
    title: str
    description: str
    href: str
