"""Small-cell suppression: what a coalition shows across members never reveals one member's
figure. Pure rules over sets of member ids (no database, no request).

A cell is an aggregate shown to someone other than the member itself (a spend cell, a month of
a target's progress, "other members", a vendor's hours in a month). Each figure of a cell has
its contributors: the members whose own figures are not zero in it. A figure with no
contributor is zero and reveals nobody; one with at least `minimum` contributors (the setting
`coalition_min_cell_members`, 3 by default) is a sum a contributor cannot take apart: taking
its own figure away still leaves the sum of two others or more. A figure with 1 to `minimum`
− 1 contributors is suppressed, shown as `suppressed_words(minimum)` instead of a number.

Complementary suppression. In a table whose cells add up to a total that is shown, the total
minus the shown cells is the sum of the suppressed ones. `complementary` suppresses further
cells (the smallest first) until that sum is itself safe; it never needs to hide the total,
since all the cells together have the total's contributors.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

Cell = TypeVar("Cell")

# what the API says of a suppressed figure: its value is null and these go with it
SUPPRESSED = "suppressed"


def suppressed_words(minimum: int) -> str:
    return f"fewer than {minimum} members; not shown"


def safe_count(contributors: int, minimum: int) -> bool:
    """Whether a figure of this many contributing members may be shown."""
    return contributors == 0 or contributors >= minimum


def safe(figures: Sequence[Collection[int]], minimum: int) -> bool:
    """Whether a cell may be shown: each of its figures (the contributors of each, for example
    the members with spend with impact vendors and those with other spend) is safe."""
    return all(safe_count(len(members), minimum) for members in figures)


def union(cells: Sequence[Sequence[Collection[int]]]) -> list[set[int]]:
    """The contributors of the sum of `cells`, figure by figure."""
    if not cells:
        return []
    summed: list[set[int]] = [set() for _ in cells[0]]
    for cell in cells:
        for into, members in zip(summed, cell, strict=True):
            into.update(members)
    return summed


def complementary(
    cells: Sequence[Cell],
    contributors: Callable[[Cell], Sequence[Collection[int]]],
    size: Callable[[Cell], float],
    hidden: set[int],
    minimum: int,
) -> set[int]:
    """The indexes of `cells` to suppress, given those suppressed already (`hidden`, by their
    own contributors) in a table whose total is shown: more cells, the smallest `size` first,
    until the suppressed cells together are safe (or none is suppressed)."""
    hidden = set(hidden)
    while hidden and not safe(union([contributors(cells[i]) for i in hidden]), minimum):
        shown = [i for i in range(len(cells)) if i not in hidden]
        if not shown:  # cannot happen when the total is safe: all cells make the total
            break
        hidden.add(min(shown, key=lambda i: (size(cells[i]), i)))
    return hidden
