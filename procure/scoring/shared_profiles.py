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
from typing import Any

import scoring
from procure.scoring import services
from procure.scoring.models import ScoringProfile
from procure.scoring.services import DEFAULT_PROFILE_NAME, Ranking, catalog_for, profile_of
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


NAMED, COALITION, DEFAULT = "named", "coalition", "default"  # the kinds of profile a basis is


# a plan solved before plans recorded their coalition profile (migration 0038), with weights that
# are not the default profile's, and that the audit log did not settle (migration 0042)
UNRECORDED_LABEL = (
    "Not on record: solved before plans recorded their profile, with other than the default weights"
)


def solved_label(shared_id: int | None, version: int | None, settings: dict[str, Any]) -> str:
    """What a solved plan without a profile of its own calls the profile it was solved with:
    the coalition profile it recorded, the default profile, or, weighed otherwise with nothing
    on record, `UNRECORDED_LABEL` (never "Default profile" for weights that are not)."""
    if shared_id is None and settings != default_profile().to_dict():
        return UNRECORDED_LABEL
    return shared_label(shared_id, version)


@dataclass(frozen=True)
class ScoringBasis:
    """What an organization scores and plans under: the profile, the catalog it weighs, the
    words for it, and the shared profile it is (`shared_id`, the coalition, at `version`; None
    for the organization's own or the default profile). `kind` and `name` say which profile it
    is: one of the organization's own (`named`, its name, at version `number`), a coalition's
    (its name) or the default profile."""

    profile: scoring.Profile
    metrics: scoring.Catalog
    label: str = DEFAULT_LABEL
    shared_id: int | None = None
    version: int | None = None
    kind: str = DEFAULT
    name: str = DEFAULT_LABEL
    number: int | None = None

    def described(self) -> dict[str, Any]:
        """Which profile it is, as the API says it: `kind` (named, coalition or default),
        `name` (the profile's, the coalition's, or "Default profile"), `version` (the named
        profile's number, the coalition profile's version; None for the default profile and
        a coalition profile not set yet) and `label`, the words the pages use. Never weights."""
        version = self.number if self.kind == NAMED else self.version
        return {"kind": self.kind, "name": self.name, "version": version, "label": self.label}


def scoring_basis(
    organization_id: int | None, record: ScoringProfile | None = None
) -> ScoringBasis:
    """The profile version `record` names (one of the organization's, over its catalog);
    without one, the coalition profile the organization adopted (over the coalition's catalog),
    otherwise the default profile over the organization's catalog. Without an organization
    (a vendor's own scorecard): the default profile over the built-in catalog."""
    if record is not None:
        return stored_basis(organization_id, record, None)
    return stored_basis(organization_id, None, adopted_profile(organization_id))


def stored_basis(
    organization_id: int | None, record: ScoringProfile | None, shared_id: int | None
) -> ScoringBasis:
    """The basis a stored ranking's key names (procure.scoring.rankings), as it is now: the
    profile version `record`, else the shared profile `shared_id` (a coalition's), else the
    default profile over the organization's catalog, whatever the organization adopts now."""
    if record is not None:
        return ScoringBasis(
            profile_of(record),
            catalog_for(organization_id),
            f"{record.name} v{record.number}",
            kind=NAMED,
            name=record.name,
            number=record.number,
        )
    if shared_id is None:
        return ScoringBasis(default_profile(), catalog_for(organization_id))
    return _coalition_basis(shared_id)


def basis_change(scored: dict[str, Any], current: dict[str, Any]) -> str | None:
    """What a card or ranking served stale says when it was scored under another basis than
    the one its refresh applies (both as `ScoringBasis.described` gives them): "scored under
    version 1; version 2 is being applied" for another version of the same profile, the labels
    otherwise; None when they are the same."""
    if scored == current:
        return None
    if (scored["kind"], scored["name"]) == (current["kind"], current["name"]):
        return (
            f"scored under {_version_words(scored['version'])}; "
            f"{_version_words(current['version'])} is being applied"
        )
    return f"scored under {scored['label']}; {current['label']} is being applied"


def _version_words(version: int | None) -> str:
    return "the default weights" if version is None else f"version {version}"


def basis_words(described: dict[str, Any]) -> str:
    """The basis `ScoringBasis.described` gives, as a sentence on a page names it: "the profile
    Fair Work (v2)", "the coalition profile Shared Measures, version 3" (or "…, the default
    weights (not set yet)"), or "the default profile"."""
    if described["kind"] == NAMED:
        return f"the profile {described['name']} (v{described['version']})"
    if described["kind"] == COALITION:
        version = described["version"]
        settled = "the default weights (not set yet)" if version is None else f"version {version}"
        return f"the coalition profile {described['name']}, {settled}"
    return "the default profile"


def _coalition_basis(shared_id: int) -> ScoringBasis:
    version = _shared[0].version(shared_id)
    return ScoringBasis(
        shared_profile(shared_id),
        shared_catalog(shared_id),
        shared_label(shared_id, version),
        shared_id,
        version,
        kind=COALITION,
        name=_shared[0].name(shared_id),
    )


def viewer_basis(user, record: ScoringProfile | None = None) -> ScoringBasis:
    """`scoring_basis` for a reader: a vendor scores with the default profile and the built-in
    catalog (as `services.viewer_catalog`), a buyer-side user as its organization does."""
    if user.role == "vendor":
        return ScoringBasis(default_profile(), catalog())
    return scoring_basis(user.organization_id, record)


def buyer_basis(organization_id: int) -> ScoringBasis:
    """What a vendor's "what each buyer sees" scores one buyer organization's view with: the
    coalition profile it adopted (shared by its coalition, so named), else the default profile
    over the built-in catalog. Never a buyer's own profiles or metrics: they stay private, and
    an organization names none of them as the one it ranks with."""
    shared_id = adopted_profile(organization_id)
    if shared_id is None:
        return ScoringBasis(default_profile(), catalog())
    return _coalition_basis(shared_id)


@dataclass(frozen=True)
class BuyerViews:
    """A vendor's "what each buyer sees": each reviewing buyer organization's line (its total,
    rank, decisions and `profile`, the words for what it scores with), and, by organization id,
    its basis and ranking (the "how to raise your score" panel's what-ifs use the same)."""

    views: list[dict[str, Any]]
    bases: dict[int, ScoringBasis]
    rankings: dict[int, Ranking]
    names: dict[int, str]  # each reviewing organization's name, by id, in the views' order


def buyer_views(vendor_id: int, category: str | None = None) -> BuyerViews:
    """`services.buyer_views` with each buyer organization ranked under its `buyer_basis`."""
    organizations = services.reviewing_organizations(vendor_id)
    bases = {organization.id: buyer_basis(organization.id) for organization in organizations}
    rankings = {
        organization_id: services.rank_vendors(
            basis.profile,
            category,
            organization_id=organization_id,
            with_stability=False,
            metrics=basis.metrics,
        )
        for organization_id, basis in bases.items()
    }
    views = services.buyer_views(vendor_id, category, rankings, organizations)
    return BuyerViews(
        [
            view | {"profile": bases[organization.id].label}
            for organization, view in zip(organizations, views, strict=True)
        ],
        bases,
        rankings,
        {organization.id: organization.name for organization in organizations},
    )


def default_profile_label(organization_id: int | None) -> str:
    """What a page calls the profile the organization uses when it names none of its own."""
    return adopted_profile_label(adopted_profile(organization_id))


def adopted_profile_label(shared_id: int | None) -> str:
    """`default_profile_label` of an organization that adopted the shared profile `shared_id`
    (None: none), for a page that read `adopted_profile` already."""
    if shared_id is None:
        return DEFAULT_LABEL
    return shared_label(shared_id, _shared[0].version(shared_id))
