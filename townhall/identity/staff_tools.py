"""The staff pages each role opens, listed on the staff home page so no one needs to know an address.

Each page checks its own roles; this list only says where to go. `tests/identity/test_staff_tools.py` signs in
with each role and checks every link here opens for exactly the roles it names, so the list cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StaffTool:
    title: str
    path: str
    description: str
    roles: frozenset[str]


STAFF_TOOLS: tuple[StaffTool, ...] = (
    StaffTool("Service requests", "/officer/requests", "Residents' reports: assign, update and close them.",
              frozenset({"officer"})),
    StaffTool("Changes to bin collections", "/officer/bins/changes",
              "Christmas arrangements, bad weather, strikes: move or cancel collections.", frozenset({"officer"})),
    StaffTool("Conversations waiting for a person", "/assistant/queue",
              "Assistant conversations handed to the contact centre, urgent ones first.",
              frozenset({"contact_centre"})),
    StaffTool("Review the assistant's answers", "/assistant/review",
              "Label what the assistant misunderstood, so the next model learns from it.",
              frozenset({"contact_centre"})),
    StaffTool("Knowledge articles", "/assistant/knowledge", "The answers the assistant gives to common questions.",
              frozenset({"contact_centre", "admin"})),
    StaffTool("Find a household", "/datahub/households",
              "Which services know a household, for a purpose the sources allow.",
              frozenset({"early_help", "ig_officer"})),
    StaffTool("Data hub quarantine", "/datahub/quarantine", "Extract rows that could not be loaded, and why.",
              frozenset({"ig_officer"})),
    StaffTool("Search the audit log", "/audit", "Who read or changed what, and why.", frozenset({"ig_officer"})),
    StaffTool("Notifications to reporters", "/admin/notifications",
              "The messages sent to people who reported problems.", frozenset({"admin"})),
)  # fmt: skip


def tools_for(roles: frozenset[str]) -> list[StaffTool]:
    """The staff pages open to someone with ``roles``, in the list's order."""
    return [tool for tool in STAFF_TOOLS if tool.roles & roles]
