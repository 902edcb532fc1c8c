"""The profile an organization ranks and plans under when it names none of its own: the default
profile, or a shared one an area above scoring supplies, a coalition's (procure.coalitions
.measurement). That area registers its readers here at start (procure.app does, as it does for
the buyer figures of procure.scoring.adapter) rather than this area importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import scoring

DEFAULT_LABEL = "Default profile"


@dataclass(frozen=True)
class SharedProfiles:
    """The readers of shared profiles, each by the id of what shares it (a coalition)."""

    adopted: Callable[[int], int | None]  # organization id -> the shared profile it uses
    profile: Callable[[int], scoring.Profile]
    catalog: Callable[[int], scoring.Catalog]
    label: Callable[[int], str]  # organization id -> the words for its default


_shared: list[SharedProfiles] = []


def share_profiles(readers: SharedProfiles) -> None:
    """Register the readers of shared profiles (registering again replaces them)."""
    _shared[:] = [readers]


def adopted_profile(organization_id: int) -> int | None:
    """The id of the shared profile the organization uses by default; None: the default one."""
    return _shared[0].adopted(organization_id) if _shared else None


def shared_profile(shared_id: int) -> scoring.Profile:
    return _shared[0].profile(shared_id)


def shared_catalog(shared_id: int) -> scoring.Catalog:
    return _shared[0].catalog(shared_id)


def default_profile_label(organization_id: int) -> str:
    """What a page calls the profile the organization uses when it names none of its own."""
    return _shared[0].label(organization_id) if _shared else DEFAULT_LABEL
