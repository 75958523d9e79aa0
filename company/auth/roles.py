"""Who is who. A council role is tied to exactly one member council."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # company secretary: users, members, registers
    FINANCE = "finance"
    DIRECTOR = "director"
    COUNCIL_USER = "council_user"
    COUNCIL_ADMIN = "council_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_council(self) -> bool:
        return self in COUNCIL_ROLES


ROLE_LABELS = {
    Role.ADMIN: "Company secretary",
    Role.FINANCE: "Finance officer",
    Role.DIRECTOR: "Director",
    Role.COUNCIL_USER: "Council user",
    Role.COUNCIL_ADMIN: "Council administrator",
}
STAFF_ROLES = frozenset({Role.ADMIN, Role.FINANCE, Role.DIRECTOR})
COUNCIL_ROLES = frozenset({Role.COUNCIL_USER, Role.COUNCIL_ADMIN})
