"""A scenario's audit trail in words: what each change did, not only that it changed ("added an
incumbent rule: On “Labelling”, at least 30 % stays with the incumbents (Kazi Data)."), read
from the before and after the `scenario.update` event keeps. Award rules are said by
`award_rules.rule_sentences`, as the page's rules are, their ids made names and titles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from procure.audit.models import AuditEvent
from procure.extensions import db
from procure.formatting import plain_number
from procure.needs.models import Need
from procure.scenarios import award_rules, review
from procure.vendors.models import Vendor

RULE_KINDS = {
    "vendor_groups": "a vendor group",
    "incumbents": "an incumbent rule",
    "adjustments": "a bid adjustment",
}
"""An award rule's list key, as the trail names one of its records."""


def trail_words(events: Iterable[AuditEvent]) -> dict[int, str]:
    """What each scenario change of `events` did, in words, by the event's id (changes only:
    other events say themselves)."""
    updates = [event for event in events if event.action == "scenario.update"]
    changes = {event.id: event.changes for event in updates}
    if not changes:
        return {}
    # a rule names the scenario's own needs (award_rules checks so); the titles are read within
    # the organizations whose changes these are all the same, should that check ever change
    organizations = {event.organization_id for event in updates}
    vendor_ids: set[int] = set()
    need_ids: set[int] = set()
    for change in changes.values():
        for side in ("before", "after"):
            targets = (change.get(side) or {}).get("targets") or {}
            for key in award_rules.RULE_KEYS:
                for record in targets.get(key) or []:
                    if isinstance(record, dict):
                        vendor_ids.update(v for v in record.get("vendors") or [] if _id(v))
                        need_ids.update([record["need"]] if _id(record.get("need")) else [])
    names = {
        f"V{vendor_id}": name
        for vendor_id, name in db.session.execute(
            select(Vendor.id, Vendor.name).where(Vendor.id.in_(vendor_ids))
        )
    }
    needs = db.session.scalars(
        select(Need).where(Need.id.in_(need_ids), Need.organization_id.in_(organizations))
    ).all()
    plain = review.plain_words(names, {f"N{need.id}": need.title for need in needs})
    units = [{"id": f"N{need.id}", "unit": need.unit} for need in needs]
    words = {}
    for event_id, change in changes.items():
        said = change_words(change.get("before") or {}, change.get("after") or {}, units)
        if said:
            words[event_id] = plain("; ".join(said))
    return words


def _id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def change_words(
    before: Mapping[str, Any], after: Mapping[str, Any], units: Sequence[Mapping[str, Any]] = ()
) -> list[str]:
    """Each change from `before` to `after` (a scenario's fields) in words, with the optimizer's
    ids ("need N3", "vendor V12") for `review.plain_words` to name; `units`, the needs' units
    as a problem document lists them."""
    said = []
    for key, value in after.items():
        old = before.get(key)
        if key == "targets":
            said += _target_words(old or {}, value or {}, units)
        elif old == value:
            continue
        elif key == "name":
            said.append(f"the name “{old}” → “{value}”")
        elif key == "objective":
            said.append(f"the objective {old} → {value}")
        else:
            said.append(f"{key.replace('_ids', 's').replace('_', ' ')} changed")
    return said


def _target_words(
    before: Mapping[str, Any], after: Mapping[str, Any], units: Sequence[Mapping[str, Any]]
) -> list[str]:
    said = []
    for key in dict.fromkeys([*before, *after]):
        if key in award_rules.AWARD_KEYS or before.get(key) == after.get(key):
            continue
        label = review.TARGET_LABELS.get(key, key.replace("_", " "))
        said.append(_change(label, before.get(key), after.get(key)))
    for key, kind in RULE_KINDS.items():
        said += _rule_words(key, kind, before, after, units)
    said += _priority_words(before.get("priorities") or {}, after.get("priorities") or {})
    return said


def _figure(value: Any) -> str:
    return plain_number(value) if isinstance(value, (int, float)) else str(value)


def _change(label: str, old: Any, new: Any) -> str:
    """One figure's change in words: set, removed, or from one value to another."""
    if old is None:
        return f"{label} set to {_figure(new)}"
    if new is None:
        return f"{label} removed (was {_figure(old)})"
    return f"{label} {_figure(old)} → {_figure(new)}"


def _rule_words(
    key: str,
    kind: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    units: Sequence[Mapping[str, Any]],
) -> list[str]:
    """The records of one award rule list added, removed or edited (the same place, other
    figures), each said as the page says the rule."""
    old, new = list(before.get(key) or []), list(after.get(key) or [])
    if old == new:
        return []

    def sentence(record: Any, targets: Mapping[str, Any]) -> str:
        return _rule_sentence(key, record, targets.get("vendor_groups") or [], units)

    if len(old) == len(new):
        return [
            f"changed {kind}: {sentence(was, before)} → {sentence(now, after)}"
            for was, now in zip(old, new, strict=True)
            if was != now
        ]
    return [f"removed {kind}: {sentence(r, before)}" for r in old if r not in new] + [
        f"added {kind}: {sentence(r, after)}" for r in new if r not in old
    ]


def _rule_sentence(
    key: str, record: Any, groups: Sequence[Any], units: Sequence[Mapping[str, Any]]
) -> str:
    """One rule record of a scenario's targets (vendors and needs by their ids) as
    `award_rules.rule_sentences` says it; its bare figures when it cannot be read so (a record
    of an older shape)."""
    targets: dict[str, Any] = {key: [_as_document(key, record)]}
    if key == "adjustments":  # an adjustment may name a group: its label
        targets["vendor_groups"] = [_as_document("vendor_groups", g) for g in groups]
    try:
        return award_rules.rule_sentences({"targets": targets, "needs": list(units)})[-1]
    except (KeyError, IndexError, TypeError, AttributeError):
        return str(record)


def _as_document(key: str, record: Any) -> Any:
    """A rule record as the problem document names things ("V12", "N3")."""
    if not isinstance(record, dict):
        return record
    document = dict(record)
    if isinstance(document.get("vendors"), list):
        document["vendors"] = [f"V{vendor}" for vendor in document["vendors"]]
    if _id(document.get("need")):
        document["need"] = f"N{document['need']}"
    if key == "vendor_groups":
        document.setdefault("id", document.get("label") or "")
        document.setdefault("measure", "spend")
        if "country" in document and not document.get("vendors"):
            document["vendors"] = [f"based in {document['country']}"]
        if isinstance(document.get("countries"), list):  # a region: said by its countries
            document["countries"] = sorted({str(code).upper() for code in document["countries"]})
    return document


def _priority_words(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    said = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        target = award_rules.priority_words(_document_key(key))
        said.append(_change(f"priority of {target}", old, new))
    return said


def _document_key(key: str) -> str:
    """A priorities key as the document names its need ("needs.3.x" → "needs.N3.x")."""
    head, _, rest = key.partition(".")
    need, _, field = rest.partition(".")
    return f"needs.N{need}.{field}" if head == "needs" and need.isdigit() else key
