"""The profile an organization ranks and plans under when it names none of its own: the default
profile, or a shared one an area above scoring supplies, a coalition's (procure.coalitions
.measurement). That area registers its readers here at start (procure.app does, as it does for
the buyer figures of procure.scoring.adapter) rather than this area importing it.

`scoring_basis` is the one place that answers "what does this organization score with": the
comparison, the scorecard and its what-if (pages and API) and a scenario's problem all ask it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import scoring
from procure.scoring.models import ScoringProfile
from procure.scoring.services import DEFAULT_PROFILE_NAME, catalog_for, profile_of
from procure.scoring_defaults import catalog, default_profile

DEFAULT_LABEL = DEFAULT_PROFILE_NAME


@dataclass(frozen=True)
class SharedProfiles:
    """The readers of shared profiles, each by the id of what shares it (a coalition)."""

    adopted: Callable[[int], int | None]  # organization id -> the shared profile it uses
    profile: Callable[[int], scoring.Profile]
    catalog: Callable[[int], scoring.Catalog]
    version: Callable[[int], int | None]  # the shared profile's version; None: not set yet
    name: Callable[[int], str]  # what shares it, by name (the coalition's)


_shared: list[SharedProfiles] = []


def share_profiles(readers: SharedProfiles) -> None:
    """Register the readers of shared profiles (registering again replaces them)."""
    _shared[:] = [readers]


def adopted_profile(organization_id: int | None) -> int | None:
    """The id of the shared profile the organization uses by default; None: the default one."""
    if organization_id is None or not _shared:
        return None
    return _shared[0].adopted(organization_id)


def shared_profile(shared_id: int) -> scoring.Profile:
    return _shared[0].profile(shared_id)


def shared_catalog(shared_id: int) -> scoring.Catalog:
    return _shared[0].catalog(shared_id)


def shared_label(shared_id: int | None, version: int | None) -> str:
    """What a page or a report calls the shared profile `shared_id` at `version` ("Coalition
    profile: Shared Measures, version 3"); the default profile's name without one."""
    if shared_id is None or not _shared:
        return DEFAULT_LABEL
    name = _shared[0].name(shared_id)
    if version is None:  # the backbone has not set it: it weighs as the default profile
        return f"Coalition profile: {name}, the default weights (not set yet)"
    return f"Coalition profile: {name}, version {version}"


@dataclass(frozen=True)
class ScoringBasis:
    """What an organization scores and plans under: the profile, the catalog it weighs, the
    words for it, and the shared profile it is (`shared_id`, the coalition, at `version`; None
    for the organization's own or the default profile)."""

    profile: scoring.Profile
    metrics: scoring.Catalog
    label: str = DEFAULT_LABEL
    shared_id: int | None = None
    version: int | None = None


def scoring_basis(
    organization_id: int | None, record: ScoringProfile | None = None
) -> ScoringBasis:
    """The profile version `record` names (one of the organization's, over its catalog);
    without one, the coalition profile the organization adopted (over the coalition's catalog),
    otherwise the default profile over the organization's catalog. Without an organization
    (a vendor's own scorecard): the default profile over the built-in catalog."""
    if record is not None:
        return ScoringBasis(
            profile_of(record), catalog_for(organization_id), f"{record.name} v{record.number}"
        )
    shared_id = adopted_profile(organization_id)
    if shared_id is None:
        return ScoringBasis(default_profile(), catalog_for(organization_id))
    version = _shared[0].version(shared_id)
    return ScoringBasis(
        shared_profile(shared_id),
        shared_catalog(shared_id),
        shared_label(shared_id, version),
        shared_id,
        version,
    )


def viewer_basis(user, record: ScoringProfile | None = None) -> ScoringBasis:
    """`scoring_basis` for a reader: a vendor scores with the default profile and the built-in
    catalog (as `services.viewer_catalog`), a buyer-side user as its organization does."""
    if user.role == "vendor":
        return ScoringBasis(default_profile(), catalog())
    return scoring_basis(user.organization_id, record)


def default_profile_label(organization_id: int | None) -> str:
    """What a page calls the profile the organization uses when it names none of its own."""
    shared_id = adopted_profile(organization_id)
    if shared_id is None:
        return DEFAULT_LABEL
    return shared_label(shared_id, _shared[0].version(shared_id))
