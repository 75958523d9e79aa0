"""One table of allowed moves per status enum; every status has a row (an empty set: final).

Statuses that follow from dates (a member, a quote, a filing's "due soon") are not machines:
they are pure functions in their feature's services.
"""

from enum import StrEnum
from typing import Generic, TypeVar

from company.errors import FieldError, IllegalMove

S = TypeVar("S", bound=StrEnum)


class Machine(Generic[S]):
    def __init__(self, noun: str, moves: dict[S, set[S]], error: type[FieldError] = IllegalMove):
        statuses = set(type(next(iter(moves))))
        if missing := statuses - moves.keys():
            raise ValueError(f"{noun}: no row for {sorted(missing)}")
        if strays := {to for targets in moves.values() for to in targets} - statuses:
            raise ValueError(f"{noun}: moves to unknown statuses {sorted(strays)}")
        self.noun, self.moves, self.error = noun, moves, error

    def allowed(self, start: S) -> set[S]:
        return self.moves[start]

    def check(self, start: S, to: S) -> None:
        """Refuse (with `error`) a move the table does not allow."""
        if to not in self.moves[start]:
            raise self.error(f"{self.noun} cannot go from {_label(start)} to {_label(to)}")


def _label(status) -> str:
    return getattr(status, "label", str(status)).lower()
