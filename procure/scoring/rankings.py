"""Rankings computed once per change (issue #23): the ranked comparison (`/scores`, `GET
/api/v1/scores`) reads a stored ranking, a page at a time, instead of scoring every vendor on
every request.

Key. A stored ranking (StoredRanking, its vendors StoredRankingRow) is `score_rows(rank_vendors(
...))` for one key: the buyer organization (its reviews and custom metrics), the scoring profile
version (None: the default profile; a revision is a new version, so a new key) or, for a member
that adopted its coalition's profile, the coalition (`coalition_id`: its catalog and profile,
procure.coalitions.measurement, whose changes bump the adopters' data versions), the service
category ("" for all) and the top k of the rank stability. Its rows are in rank order
(`position`), so a page is `ORDER BY position LIMIT n OFFSET m`, and the other orders of the
page (impact score, stability, TOPSIS rank, name) are an ORDER BY over the same rows. The
vendor's name is joined from the vendor when read, so a rename shows at once.

Data version. A ranking records what it read: `global_version` (row 0 of RankingDataVersion:
disclosures submitted, attestations issued, offers created or changed, exchange rates changed,
for every buyer), `organization_version` (the organization's row:
its reviews of versions and of sections, its custom metrics, for its rankings only, so a review
in one buyer organization never outdates another's), and the pricing day (`priced_on`: rates in
force, attestations that expire and verifications that age move with the date, with no write at
all). Every change bumps its counter in its own transaction, through the receivers that already
queue the score snapshots' refresh (procure.scoring.jobs: `scores_outdated`, `offers_changed`,
`rates_changed`), and `reviews_changed` for reviews, which do not move the as-disclosed
snapshots. The counter is read before the ranking is computed, so a change committed while it
computes leaves it out of date, never wrongly current. A disclosure amended is a draft and
scores nothing until submitted; there is no withdrawal of a submitted version. No service
category change moves a ranking: its label is read when shown, its unit changes only while no
offer uses it, and a retired category's offers still price.

Reads. `read_ranking` serves the newest stored ranking of its key:
- current (both versions and the day match): served as it is; the read writes nothing;
- out of date: served with its `computed_at` ("as of"), marked stale (the page says so, the API
  sends `X-Ranking-As-Of` and `X-Ranking-Stale: true`), and ONE `rankings.refresh` job is queued
  for the key unless one is already queued and not started (coalesced, `request_refresh`: many
  changes while a refresh waits and runs cause that refresh and at most one more, queued while
  it ran, which skips its work if the one before left the ranking current; a refresh asked for
  within `refresh_min_gap_seconds` of the last one's end waits until then, and the changes
  meanwhile join it: a key is refreshed at most once per gap, at 1,000 vendors as at 10,000);
- none at all: computed in the request, stored and served (its first reader pays once).
The refresh and the first computation are the only writes of a read, made through
`procure.transactions.stores_derived` (committed at once, nothing else in them).

Inline jobs (no broker: the embedded setup and the tests). A job queued by a read runs right
after that commit, in the request, so the reader gets the refreshed ranking, not the stale one:
without a worker nothing else would ever run it (a GET commits nothing else that would start it),
and the embedded setup has one user at a time. That also keeps every test that changes data and
then reads /scores exact: the read after a change is current. With a broker, the job runs on a
worker and readers are served the stale ranking, saying so, until it is stored.

Pruning: each refresh deletes the older rankings of its key (keeps the newest). A reader that
picked a ranking a moment before it was pruned reads no rows; it is served the next time.

Scorecards. A ranking of the scorecard's top k (TOP_K) also stores, per vendor, what its
scorecard shows besides the row (StoredRankingCard): the explanation lines with their peer
percentiles, the sites, the scored figures, the evidence sections, the offer scored and the
trend's earlier periods (one ranking per earlier period for all vendors, not one per vendor and
period). A scorecard (`read_scorecard`) reads its vendor's row and card of the ranking of its
reader's key (profile, category) and assembles them (`services.assemble_card`: the trend's
latest point is the headline): the whole card is the same data's, as of the ranking, served
stale while a refresh runs (saying so) like the comparison. A ranking stores the basis it was
scored under (`ScoringBasis.described`: kind, name, version, label); served stale, the card and
the comparison name that one, and say so when its refresh applies another ("scored under version
1; version 2 is being applied": the coalition published a new version since, `basis_said`). Only
the offers left out (the vendor's unusable offers) are read live. Without a stored card (a
reader whose catalog differs, an unknown category) the scorecard is computed live as before,
with the stored row as its headline when the ranking is current. The "raise your score" panel
and the what-if box score the table live and take their "before" from the current stored row
(`scorecard_row`); so does the draft's score effect (procure.scoring.draft_effect), which reads
the stored card's scored figures and period, and ranks live only for a draft that changes
figures. The panel's rank per reviewing buyer reads that buyer's current stored ranking under
the default profile, if any.

Everything else still scores live: the what-if rankings, the export through `procure score`,
the scenario problem adapter and the buyer views.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, delete, func, insert, select

import scoring
from procure.disclosures.models import Disclosure
from procure.disclosures.pricing import pricing_day
from procure.disclosures.tables import living_wage_ratio
from procure.extensions import db
from procure.jobs.models import Job
from procure.jobs.services import enqueue_coalesced
from procure.paging import Page, page_of_rows
from procure.scoring.models import (
    ScoringProfile,
    StoredRanking,
    StoredRankingCard,
    StoredRankingRow,
)
from procure.scoring.services import (
    PILLARS,
    Ranking,
    assemble_card,
    card_parts,
    catalog_for,
    earlier_points_of_all,
    rank_vendors,
    score_rows,
)
from procure.scoring.shared_profiles import (
    ScoringBasis,
    adopted_profile,
    basis_change,
    basis_words,
    stored_basis,
)
from procure.scoring.versions import data_version_columns, data_versions
from procure.transactions import stores_derived
from procure.vendors.categories import service_categories
from procure.vendors.models import Vendor

REFRESH_KIND = "rankings.refresh"
# the pages' rank stability (the comparison, the vendor directory): the share of draws that keep
# a vendor in the top 5; one key, so the two pages read one stored ranking
TOP_K = 5
# score_rows' fields as stored (the points of each pillar in a column of their own)
STORED_FIELDS = tuple(
    column.key
    for column in StoredRankingRow.__table__.columns
    if column.key not in ("ranking_id", "position") and not column.key.endswith("_points")
)


@dataclass(frozen=True)
class RankingKey:
    """What a stored ranking is of: the reader's organization, the profile version (None: the
    default profile), the category ("" for all) and the top k of its rank stability."""

    organization_id: int
    profile_id: int | None
    category: str
    top_k: int
    # the coalition whose profile and catalog a member that adopted it ranks under (with
    # profile_id None; procure.coalitions.measurement)
    coalition_id: int | None = None

    def params(self) -> dict[str, Any]:
        return {
            "profile_id": self.profile_id,
            "category": self.category,
            "top_k": self.top_k,
            "coalition_id": self.coalition_id,
        }

    @classmethod
    def of_job(cls, job: Job) -> RankingKey:
        params = job.params
        return cls(
            job.organization_id,
            params["profile_id"],
            params["category"],
            params["top_k"],
            params.get("coalition_id"),
        )


def default_key(organization_id: int, category: str, top_k: int) -> RankingKey:
    """The key of the organization's ranking when it names no profile of its own: under the
    profile of the coalition it adopted one of (procure.coalitions.measurement), otherwise under
    the default profile."""
    return RankingKey(organization_id, None, category, top_k, adopted_profile(organization_id))


@dataclass(frozen=True)
class RankingRead:
    """The ranking served and whether a newer one is being computed."""

    ranking: StoredRanking
    stale: bool


# ------------------------------------------------------------------ computing and storing


def _key_filter(key: RankingKey) -> list[Any]:
    profile = (
        StoredRanking.profile_id.is_(None)
        if key.profile_id is None
        else StoredRanking.profile_id == key.profile_id
    )
    coalition = (
        StoredRanking.coalition_id.is_(None)
        if key.coalition_id is None
        else StoredRanking.coalition_id == key.coalition_id
    )
    return [
        StoredRanking.organization_id == key.organization_id,
        profile,
        coalition,
        StoredRanking.category == key.category,
        StoredRanking.top_k == key.top_k,
    ]


def store_ranking(key: RankingKey) -> StoredRanking:
    """Compute the key's ranking as `/scores` did live (`rank_vendors` with rank stability and
    the organization's catalog, then `score_rows`), store it with the data versions read before
    computing it, and delete the key's older rankings (flushes). A ranking of the scorecard's
    top k (TOP_K) also stores every vendor's scorecard (`_store_scorecards`)."""
    global_version, organization_version = data_versions(key.organization_id)
    priced_on = pricing_day()
    ranked, basis = ranked_for(key)
    rows = score_rows(ranked)
    # two refreshes of a key can run at once (a second is queued while the first runs, and two
    # workers take both): one that read older data never replaces what a later one stored
    stored_since = db.session.scalar(
        select(StoredRanking)
        .where(
            *_key_filter(key),
            StoredRanking.global_version >= global_version,
            StoredRanking.organization_version >= organization_version,
            StoredRanking.priced_on >= priced_on,
        )
        .order_by(StoredRanking.id.desc())
        .limit(1)
    )
    if stored_since is not None:
        return stored_since
    ranking = StoredRanking(
        organization_id=key.organization_id,
        profile_id=key.profile_id,
        coalition_id=key.coalition_id,
        category=key.category,
        top_k=key.top_k,
        global_version=global_version,
        organization_version=organization_version,
        priced_on=priced_on,
        peers=len(rows),
        **{f"basis_{name}": value for name, value in basis.described().items()},
    )
    db.session.add(ranking)
    db.session.flush()
    if rows:  # one executemany, not an ORM object per vendor
        db.session.execute(
            insert(StoredRankingRow),
            [_stored_row(ranking.id, position, row) for position, row in enumerate(rows)],
        )
        if key.top_k == TOP_K:
            _store_scorecards(ranking, key, ranked, rows, basis.profile, basis.metrics)
    older = select(StoredRanking.id).where(*_key_filter(key), StoredRanking.id < ranking.id)
    for table in (StoredRankingRow, StoredRankingCard):
        db.session.execute(delete(table).where(table.ranking_id.in_(older)))
    db.session.execute(
        delete(StoredRanking).where(*_key_filter(key), StoredRanking.id < ranking.id)
    )
    return ranking


def ranked_for(key: RankingKey) -> tuple[Ranking, ScoringBasis]:
    """The key's ranking computed now, as `/scores` did live (`rank_vendors` with rank
    stability and the key's profile and catalog), with the basis it is scored under (its
    profile, catalog and the words for it, `shared_profiles.stored_basis`)."""
    record = db.session.get(ScoringProfile, key.profile_id) if key.profile_id else None
    basis = stored_basis(key.organization_id, record, key.coalition_id)
    ranked = rank_vendors(
        basis.profile,
        key.category or None,
        organization_id=key.organization_id,
        top_k=key.top_k,
        metrics=basis.metrics,
    )
    return ranked, basis


def _store_scorecards(
    ranking: StoredRanking,
    key: RankingKey,
    ranked: Ranking,
    rows: list[dict[str, Any]],
    profile: scoring.Profile,
    metrics: scoring.Catalog,
) -> None:
    """Store each vendor's scorecard parts (`card_parts`) and its trend's earlier periods
    (`earlier_points_of_all`: one ranking per earlier period), as the live scorecard computes
    them from the same inputs."""
    parts = card_parts(ranked)
    earlier = earlier_points_of_all(
        {row["vendor_id"]: row["period_end"] for row in rows},
        profile,
        key.category or None,
        organization_id=key.organization_id,
        metrics=metrics,
    )
    db.session.execute(
        insert(StoredRankingCard),
        [
            {
                "ranking_id": ranking.id,
                "vendor_id": vendor_id,
                "card": card_json(vendor_parts | {"trend": earlier[vendor_id]}),
            }
            for vendor_id, vendor_parts in parts.items()
        ],
    )


def card_json(card: dict[str, Any]) -> str:
    """`card` as JSON text, its dates as {"$date": "2025-12-31"} (datetimes as {"$datetime":
    ...}); `card_from_json` gives them back. Encoded in one pass by the json module."""
    return json.dumps(card, default=_tagged, separators=(",", ":"))


def _tagged(value: Any) -> dict[str, str]:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not stored in a scorecard")


def card_from_json(text: str) -> dict[str, Any]:
    return json.loads(text, object_hook=_untagged)


def _untagged(value: dict[str, Any]) -> Any:
    if len(value) == 1:
        if "$date" in value:
            return date.fromisoformat(value["$date"])
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
    return value


def _stored_row(ranking_id: int, position: int, row: dict[str, Any]) -> dict[str, Any]:
    return (
        {name: row[name] for name in STORED_FIELDS}
        | {f"{pillar}_points": row["points"][pillar] for pillar in PILLARS}
        | {"ranking_id": ranking_id, "position": position}
    )


# ------------------------------------------------------------------ reading


def newest(key: RankingKey) -> StoredRanking | None:
    return db.session.scalar(
        select(StoredRanking).where(*_key_filter(key)).order_by(StoredRanking.id.desc()).limit(1)
    )


def newest_with_versions(key: RankingKey) -> tuple[StoredRanking, tuple[int, int]] | None:
    """The newest stored ranking of `key` and its organization's `data_versions` now, in one
    statement (a round trip fewer on every read of a ranking); None when none is stored."""
    found = db.session.execute(
        select(StoredRanking, *data_version_columns(key.organization_id))
        .where(*_key_filter(key))
        .order_by(StoredRanking.id.desc())
        .limit(1)
    ).first()
    return None if found is None else (found[0], (found[1], found[2]))


def is_current(ranking: StoredRanking, versions: tuple[int, int] | None = None) -> bool:
    """Whether `ranking` read the data as it is now: `versions` are its organization's
    `data_versions`, when the caller read them already (read here otherwise)."""
    if versions is None:
        versions = data_versions(ranking.organization_id)
    return (
        ranking.global_version,
        ranking.organization_version,
    ) == versions and ranking.priced_on == pricing_day()


def read_ranking(key: RankingKey, user) -> RankingRead:
    """The newest stored ranking of `key` (see the module's docstring): served as it is when
    current, with a refresh queued (coalesced) when out of date, computed and stored when there
    is none. Writes only in the last two cases, and only the ranking and its job."""
    ranking, versions = newest_with_versions(key) or (None, None)
    if ranking is not None and is_current(ranking, versions):
        return RankingRead(ranking, stale=False)
    read_id = ranking.id if ranking is not None else None  # the commit expires the record
    with stores_derived():
        if ranking is None:
            store_ranking(key)
        else:
            request_refresh(key, user)
    # an inline job ran at the commit: the newest may be current now
    latest = newest(key)  # the one read first may have been pruned by the refresh
    assert latest is not None  # stored above, or the one read first, or a newer one
    if latest.id != read_id:
        versions = None  # a newer one, stored after the versions were read: read them again
    return RankingRead(latest, stale=not is_current(latest, versions))


def request_refresh(key: RankingKey, user) -> Job | None:
    """Queue a refresh of `key` (flushes), coalesced (`enqueue_coalesced`): a refresh queued and
    not started stands for this request too (None then); while one runs, one more is queued to
    run after it (it may have read the data before the change), and skips its work if the one
    before left the ranking current (`refresh_ranking`)."""
    job, queued = enqueue_coalesced(
        REFRESH_KIND,
        organization_id=key.organization_id,
        user=user,
        params=key.params(),
        hold=False,  # a read: a refresh queued runs after the changes it saw, and it wrote none
    )
    return job if queued else None


SORTS: dict[str, tuple[Any, ...]] = {
    "rank": (),
    "impact": (StoredRankingRow.impact_score.desc(),),
    "stability": (StoredRankingRow.p_top_k.is_(None), StoredRankingRow.p_top_k.desc()),
    "topsis": (StoredRankingRow.topsis_rank.is_(None), StoredRankingRow.topsis_rank),
    "vendor": (func.lower(Vendor.name),),
}


# what a page of a ranking reads of each row: score_rows' fields, then the points of each pillar
# (columns, not StoredRankingRow records: 100 rows built as records took a third of a page of the
# API at 10,000 vendors, #23)
ROW_COLUMNS = (
    *(getattr(StoredRankingRow, name) for name in STORED_FIELDS),
    *(getattr(StoredRankingRow, f"{pillar}_points") for pillar in PILLARS),
)


def rows_select(ranking: StoredRanking, sort: str = "rank") -> Select:
    """SQL: the ranking's rows (ROW_COLUMNS) with each vendor's name last, in the order `sort`
    names (SORTS), ties in rank order."""
    return (
        select(*ROW_COLUMNS, Vendor.name)
        .join(Vendor, Vendor.id == StoredRankingRow.vendor_id)
        .where(StoredRankingRow.ranking_id == ranking.id)
        .order_by(*SORTS[sort], StoredRankingRow.position)
    )


def page_rows(ranking: StoredRanking, offset: int, limit: int, sort: str = "rank") -> list[dict]:
    """One page of the ranking as `score_rows` gives its rows (plain dicts).

    Only the page's rows are joined to their vendors, whatever the planner believes of the
    table (a ranking just stored has no statistics yet, and a join over all its rows before the
    LIMIT took 60 ms at 10,000 vendors, #23): in rank order the page is a range of positions
    (0 to peers - 1, contiguous) read off the primary key; in another order the page's
    positions are found first, in that order, and only those are joined."""
    if offset >= ranking.peers:
        return []
    if sort == "rank":
        statement = rows_select(ranking).where(
            StoredRankingRow.position >= offset, StoredRankingRow.position < offset + limit
        )
    elif sort == "vendor":  # the order is the vendor's name: the join is the sort
        statement = rows_select(ranking, sort).limit(limit).offset(offset)
    else:
        page = (
            select(StoredRankingRow.position)
            .where(StoredRankingRow.ranking_id == ranking.id)
            .order_by(*SORTS[sort], StoredRankingRow.position)
            .limit(limit)
            .offset(offset)
        )
        statement = rows_select(ranking, sort).where(StoredRankingRow.position.in_(page))
    return [_page_row(values) for values in db.session.execute(statement)]


def directory_rows(
    ranking: StoredRanking, vendors: Select, page: int, per_page: int, *, by_rank: bool = False
) -> Page[tuple[Vendor, StoredRankingRow | None]]:
    """Page `page` of the vendors the select `vendors` names, each with its row of `ranking`
    (None where the ranking does not hold it: no score in that category), by name or, with
    `by_rank`, in rank order with the unscored last."""
    joined = vendors.add_columns(StoredRankingRow).outerjoin(
        StoredRankingRow,
        (StoredRankingRow.vendor_id == Vendor.id) & (StoredRankingRow.ranking_id == ranking.id),
    )
    if by_rank:
        joined = joined.order_by(StoredRankingRow.position.is_(None), StoredRankingRow.position)
    return page_of_rows(
        joined.order_by(func.lower(Vendor.name), Vendor.id), page, per_page, tuples=True
    )


def vendor_row(ranking: StoredRanking, vendor_id: int, vendor_name: str) -> dict[str, Any] | None:
    """The vendor's row of the ranking as `score_rows` gives it; None when it holds none."""
    found = db.session.scalar(
        select(StoredRankingRow).where(
            StoredRankingRow.ranking_id == ranking.id, StoredRankingRow.vendor_id == vendor_id
        )
    )
    return None if found is None else as_score_row(found, vendor_name)


def scorecard_key(
    user,
    profile_id: int | None,
    category: str | None,
    metrics: Any,
    coalition_id: int | None = None,
) -> RankingKey | None:
    """The stored ranking a scorecard reads for `user`: its organization's, under the profile
    and category it shows; None when it scores with another catalog than the stored ranking's
    (a vendor scores with the built-in one: it differs only if its organization has metrics)
    or names no known category (no ranking is stored for a name typed in an address).
    `coalition_id`: the coalition profile it shows (`shared_profiles.scoring_basis`)."""
    if category and category not in service_categories():
        return None
    organization_id = user.organization_id
    if user.role == "vendor":  # buyer-side users score with catalog_for already (viewer_catalog)
        stored_keys = [metric.key for metric in catalog_for(organization_id).metrics]
        if [metric.key for metric in metrics.metrics] != stored_keys:
            return None
    return RankingKey(organization_id, profile_id, category or "", TOP_K, coalition_id)


@dataclass(frozen=True)
class ScorecardRead:
    """What a scorecard reads of the stored ranking of its key: the vendor's row (None when the
    ranking does not hold it) and, when the ranking stored scorecards, the whole card assembled
    from it (`services.assemble_card`: headline, breakdown, percentiles and trend of the same
    data). `stale`: a newer ranking is being computed (the card is as of `ranking.computed_at`)."""

    ranking: StoredRanking
    stale: bool
    row: dict[str, Any] | None
    card: dict[str, Any] | None


def read_scorecard(
    key: RankingKey, user, vendor: Vendor, *, store: bool = True, with_card: bool = True
) -> ScorecardRead | None:
    """The vendor's row and stored scorecard of the ranking of `key`, read as `/scores` reads it
    (stored when there is none, a refresh queued when out of date: `read_ranking`). Without
    `store` (a what-if, which changes nothing) only a stored ranking is read, and nothing is
    stored or queued; None when there is none. Without `with_card` the row only."""
    vendor_id, vendor_name = vendor.id, vendor.name  # read_ranking's commit expires the vendor
    if store:
        served = read_ranking(key, user)
        ranking, stale = served.ranking, served.stale
    else:
        found = newest_with_versions(key)
        if found is None:
            return None
        ranking, stale = found[0], not is_current(*found)
    row = vendor_row(ranking, vendor_id, vendor_name)
    stored = None
    if row is not None and with_card:
        stored = db.session.scalar(
            select(StoredRankingCard.card).where(
                StoredRankingCard.ranking_id == ranking.id, StoredRankingCard.vendor_id == vendor_id
            )
        )
    card = None
    if stored is not None:
        assert row is not None
        parts = card_from_json(stored)
        card = assemble_card(row, parts, parts["trend"], ranking.peers, key.category or None)
    return ScorecardRead(ranking, stale, row, card)


def basis_said(ranking: StoredRanking, stale: bool, current: dict[str, Any]) -> dict[str, Any]:
    """What a card or ranking read from the stored `ranking` says of its profile, `current`
    being the reader's basis now (`ScoringBasis.described`). Current, it was scored under that
    (every change of a profile's weights outdates the rankings under it; a coalition renamed
    since is named as it is now). Served stale, it was scored under the basis stored with its
    ranking, which may be another version (the coalition published a new one since): `profile`
    is that one and, when it differs, `profile_change` says so ("scored under version 1;
    version 2 is being applied") and `profile_applied` is the basis being applied."""
    if not stale:
        return {"profile": current}
    scored = ranking.described()
    change = basis_change(scored, current)
    if change is None:
        return {"profile": scored}
    return {"profile": scored, "profile_change": change, "profile_applied": current}


def scored_under(ranking: StoredRanking) -> str:
    """The basis `ranking` was scored under, in a page's words ("the default profile")."""
    return basis_words(ranking.described())


def scorecard_row(
    key: RankingKey, user, vendor: Vendor, *, store: bool = True
) -> dict[str, Any] | None:
    """The vendor's row of the current stored ranking of `key` (`read_scorecard`); None when the
    ranking is served stale or does not hold the vendor (the caller then takes the row from the
    table it scores, so its headline and breakdown never read different data)."""
    served = read_scorecard(key, user, vendor, store=store, with_card=False)
    return None if served is None or served.stale else served.row


def living_wage_ratios(disclosure_ids: Iterable[int]) -> dict[int, float | None]:
    """Per disclosure version id: its impact workers' median wage ÷ the living wage at the site
    that scores (`tables.living_wage_ratio`), in one query for a page's rows. A stored row names
    the version it was scored on (`disclosure_id`), and a submitted version never changes, so
    this is the ranking's own figure, read without scoring anything (#22: the comparison and the
    vendor directory flag a vendor below a living wage as the scenario page does)."""
    wanted = {disclosure_id for disclosure_id in disclosure_ids if disclosure_id is not None}
    if not wanted:
        return {}
    found = db.session.execute(  # its sites' wages alone, not the whole document
        select(Disclosure.id, Disclosure.figures["wages"]).where(Disclosure.id.in_(wanted))
    )
    return {
        disclosure_id: living_wage_ratio({"wages": wages if isinstance(wages, list) else []})
        for disclosure_id, wages in found
    }


def as_score_row(row: StoredRankingRow, vendor_name: str) -> dict[str, Any]:
    return {name: getattr(row, name) for name in STORED_FIELDS} | {
        "vendor_name": vendor_name,
        "points": {pillar: getattr(row, f"{pillar}_points") for pillar in PILLARS},
    }


def _page_row(values: Any) -> dict[str, Any]:
    """A row of `rows_select` as `as_score_row` gives it."""
    fields = len(STORED_FIELDS)
    row = dict(zip(STORED_FIELDS, values[:fields], strict=True))
    row["vendor_name"] = values[-1]
    row["points"] = dict(zip(PILLARS, values[fields:-1], strict=True))
    return row


def as_of_label(ranking: StoredRanking) -> str:
    return f"{ranking.computed_at:%H:%M} UTC"
