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
minus the shown cells is the sum of the suppressed ones, and nothing finer: a reader who knows
the shown cells and the total learns the suppressed cells only as that one sum. `complementary`
suppresses further cells until that sum is itself safe, each time the smallest cell that makes
it safe on its own; when none does, the smallest cell that brings a new contributor to a
figure of the sum that is not safe yet (a cell that does not, such as one with no spend with
impact vendors when that figure is the short one, would be hidden for nothing). Then a cell
added that the sum turns out not to need is shown again, the largest first. It never needs to
hide the total, since all the cells together have the total's contributors.

Example (minimum 3; contributors as (impact spend, other spend)): annotation ({1}, {1}) is
suppressed; digitisation ((), {1, 5, 7}) is the smallest other cell but leaves the sum's
impact spend one member's; customer support ({1, 5, 7}, {1, 5, 7}) makes the sum safe on its
own, so it is the one suppressed and digitisation stays shown.
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
    own contributors) in a table whose total is shown: more cells until the suppressed cells
    together are safe (or none is suppressed), as the module's docstring says."""
    members = [contributors(cell) for cell in cells]
    given, hidden = set(hidden), set(hidden)

    def summed(indexes: Collection[int]) -> list[set[int]]:
        return union([members[i] for i in indexes])

    def smallest(indexes: Collection[int]) -> int:
        return min(indexes, key=lambda i: (size(cells[i]), i))

    while hidden and not safe(summed(hidden), minimum):
        shown = [i for i in range(len(cells)) if i not in hidden]
        if not shown:  # cannot happen when the total is safe: all cells make the total
            break
        now = summed(hidden)
        enough = [i for i in shown if safe(summed(hidden | {i}), minimum)]
        short = [k for k, figure in enumerate(now) if not safe_count(len(figure), minimum)]
        helps = [i for i in shown if any(set(members[i][k]) - now[k] for k in short)]
        hidden.add(smallest(enough or helps or shown))
    if not safe(summed(hidden), minimum):
        return hidden
    # show again a cell added that the sum no longer needs, the largest first (showing one
    # may make another needless: a figure can go back to no contributor at all)
    while True:
        added = sorted(hidden - given, key=lambda i: (-size(cells[i]), -i))
        needless = next((i for i in added if safe(summed(hidden - {i}), minimum)), None)
        if needless is None:
            return hidden
        hidden.discard(needless)
