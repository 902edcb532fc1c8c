"""A scenario's award rules (issue 21): vendor groups, incumbent rules and bid adjustments.

A buyer sends them in the scenario's `targets` as the optimizer's `targets.vendor_groups`,
`targets.incumbents` and `targets.adjustments` (their meanings and units: the `optimizer`
package docstring), except that records are named as the API names them: a vendor by its id
(12, not "V12") and a need by its id (3, not "N3"). A vendor group may name a `country` (two
letters, "KE") instead of `vendors`, or a region: `countries` (two letters each, at least two:
["KE", "UG", "TZ"]) with the `label` the buyer gives it ("East Africa"). Its members are the
plan's vendors based there, resolved when the problem is built and frozen with it; a region's
countries are kept in the document's `meta.vendor_group_countries` (group id → codes) for its
sentence.

Constraint priorities (`targets.priorities`, `optimizer.priorities`) are an object of target →
priority (1 to 1,000, larger holds longer), its keys as the optimizer's except that a need's
target names the need by its id ("needs.3.min_avg_impact"); a group limit names the group's id,
an incumbent rule its position in `targets.incumbents`.

- `reference_errors` and `checkable` check them (field paths as the optimizer's:
  `targets.vendor_groups[0].max_share`), looking the vendors and needs up;
- `document_rules` turns them into the problem document's form for the adapter, keeping only the
  vendors the document has (a rule left with none is not applied, and `meta.award_rules` says
  why);
- `rule_sentences`, `cost_sentence` and `rule_fixes` read a stored problem and result for the
  scenario page and the board report. Sentences name the optimizer's ids ("need N3", "vendor
  V2"), which `review.plain_words` turns into titles and names.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from procure.errors import ValidationFailed
from procure.events.models import EventLot
from procure.extensions import db
from procure.formatting import format_value, plain_number
from procure.needs.models import Need
from procure.reference import seed_reference
from procure.vendors.models import Vendor

RULE_KEYS = ("vendor_groups", "incumbents", "adjustments")
"""The keys of a scenario's targets that hold award rules (lists of records)."""
PRIORITIES = "priorities"
"""The key of a scenario's targets that holds the constraint priorities (an object)."""
AWARD_KEYS = (*RULE_KEYS, PRIORITIES)
"""The keys of a scenario's targets that the number targets' form leaves as they are."""
PLACEHOLDER = "X"
"""Stands for a reference already refused (or a country) while the optimizer checks the rest."""


def award_targets(targets: Mapping[str, Any] | None) -> dict[str, Any]:
    """The award-rule keys (and the priorities) of a scenario's targets alone."""
    return {key: value for key, value in (targets or {}).items() if key in AWARD_KEYS}


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _records(targets: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(list key, field path, record) of each record that is an object."""
    return [
        (key, f"targets.{key}[{index}]", record)
        for key in RULE_KEYS
        if isinstance(targets.get(key), list)
        for index, record in enumerate(targets[key])
        if isinstance(record, dict)
    ]


def reference_errors(
    targets: Mapping[str, Any], need_ids: Sequence[int], event_id: int | None = None
) -> dict[str, list[str]]:
    """The award rules' references that cannot be kept with a scenario of these needs, by
    field path; {} when all can. Vendors are looked up among all vendors (a buyer reads
    every vendor), needs among the scenario's; an incumbent volume must fit its need's volume
    (with `event_id`, an award scenario's, the lot's volume as the event froze it).
    `checkable` gives the rest to the optimizer."""
    errors: dict[str, list[str]] = {}
    records = _records(targets)
    errors.update(_incumbent_volume_errors(targets, need_ids, event_id))
    wanted = {
        vendor
        for _, _, record in records
        if isinstance(record.get("vendors"), list)
        for vendor in record["vendors"]
        if _is_id(vendor)
    }
    known = set(db.session.scalars(select(Vendor.id).where(Vendor.id.in_(wanted))).all())
    for key, path, record in records:
        vendors = record.get("vendors")
        if isinstance(vendors, list):
            for k, vendor in enumerate(vendors):
                if not _is_id(vendor):
                    errors[f"{path}.vendors[{k}]"] = ["Give a vendor's id (a whole number)."]
                elif vendor not in known:
                    errors[f"{path}.vendors[{k}]"] = [f"No vendor with id {vendor}."]
        need = record.get("need")
        if need is not None and (not _is_id(need) or need not in need_ids):
            errors[f"{path}.need"] = ["Choose one of the scenario's needs (its id)."]
        if key == "vendor_groups" and "countries" in record:
            errors.update(_region_errors(record, path))
        elif key == "vendor_groups" and "country" in record:
            country = record["country"]
            if "vendors" in record:
                errors[path] = ["Name either vendors or a country, not both."]
            elif (problem := _country_problem(country)) is not None:
                errors[f"{path}.country"] = [problem]
    errors.update(_priority_errors(targets.get(PRIORITIES), need_ids))
    return errors


def _region_errors(record: Mapping[str, Any], path: str) -> dict[str, list[str]]:
    """A region's `countries`: at least two, each a known two-letter code (ISO 3166-1), none
    twice; a group names vendors, a country or a region, one of them."""
    if "country" in record or "vendors" in record:
        return {path: ["Name either vendors, a country or countries, only one of them."]}
    countries = record["countries"]
    if not isinstance(countries, list) or len(countries) < 2:
        return {
            f"{path}.countries": [
                'List at least two countries, each as two letters (["KE", "UG"]).'
            ]
        }
    known = seed_reference().countries
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for k, code in enumerate(countries):
        field = f"{path}.countries[{k}]"
        if (problem := _country_problem(code, known)) is not None:
            errors[field] = [problem]
        elif code.upper() in seen:
            errors[field] = [f"{code.upper()} is listed twice."]
        else:
            seen.add(code.upper())
    return errors


def _country_problem(code: Any, known: Collection[str] | None = None) -> str | None:
    """What is wrong with a group's country code (a country's or one of a region's): not two
    letters, or no ISO 3166-1 country; None when it is one."""
    if not (isinstance(code, str) and len(code) == 2 and code.isalpha()):
        return f'Give a country as two letters ("KE"), not {code!r}.'
    if code.upper() not in (seed_reference().countries if known is None else known):
        return f"Unknown country code {code!r}: use ISO 3166-1 alpha-2, e.g. KE."
    return None


def region_countries(targets: Mapping[str, Any]) -> dict[str, list[str]]:
    """Each region's countries (a vendor group given as `countries`), by the group's id, as
    upper-case codes in order: the problem document keeps them in `meta.vendor_group_countries`
    (its groups list the vendors alone)."""
    return {
        str(group["id"]): sorted({str(code).upper() for code in group["countries"]})
        for group in targets.get("vendor_groups") or []
        if isinstance(group, dict) and isinstance(group.get("countries"), list)
    }


def _incumbent_volume_errors(
    targets: Mapping[str, Any], need_ids: Sequence[int], event_id: int | None
) -> dict[str, list[str]]:
    """An incumbent rule's `min_volume` above its need's volume, named by its field path (the
    optimizer would refuse the document only when the plan is solved)."""
    asked = {
        path: record
        for key, path, record in _records(targets)
        if key == "incumbents"
        and _is_id(record.get("need"))
        and record["need"] in need_ids
        and isinstance(record.get("min_volume"), (int, float))
        and not isinstance(record["min_volume"], bool)
    }
    if not asked:
        return {}
    wanted = {record["need"] for record in asked.values()}
    needs = {n.id: n for n in db.session.scalars(select(Need).where(Need.id.in_(wanted)))}
    volumes = {need_id: need.volume for need_id, need in needs.items()}
    if event_id is not None:
        lots = select(EventLot.need_id, EventLot.volume).where(
            EventLot.event_id == event_id, EventLot.need_id.in_(wanted)
        )
        volumes.update({need_id: volume for need_id, volume in db.session.execute(lots)})
    errors = {}
    for path, record in asked.items():
        need, volume = needs.get(record["need"]), volumes.get(record["need"])
        if need is not None and volume is not None and record["min_volume"] > volume:
            errors[f"{path}.min_volume"] = [
                f"At most the need's volume: “{need.title}” is {plain_number(volume)} "
                f"{need.unit}s, so the incumbents cannot keep {plain_number(record['min_volume'])}."
            ]
    return errors


def _priority_errors(priorities: Any, need_ids: Sequence[int]) -> dict[str, list[str]]:
    """A need's target named in the priorities must be one the scenario's need sets; the
    optimizer checks the rest (`optimizer.priorities`)."""
    if not isinstance(priorities, dict):
        return {}
    named = {
        key: key.split(".")[1:]
        for key in priorities
        if isinstance(key, str) and key.startswith("needs.") and key.count(".") == 2
    }
    ids = {int(need) for need, _ in named.values() if need.isdigit()}
    needs = {
        need.id: need
        for need in db.session.scalars(select(Need).where(Need.id.in_(ids & set(need_ids))))
    }
    errors = {}
    for key, (need, field) in named.items():
        found = needs.get(int(need)) if need.isdigit() else None
        if found is None:
            errors[f"targets.priorities.{key}"] = ["Choose one of the scenario's needs (its id)."]
        elif field in NEED_PRIORITY_FIELDS and getattr(found, field, None) is None:
            errors[f"targets.priorities.{key}"] = [f"The need “{found.title}” sets no {field}."]
    return errors


NEED_PRIORITY_FIELDS = ("min_avg_impact", "min_avg_quality", "min_impact_spend_share")
"""A need's own targets a priority may name (`optimizer.priorities.NEED_TARGETS`)."""


def checkable(targets: Mapping[str, Any]) -> dict[str, Any]:
    """The targets with the award rules' references in the optimizer's form (those that
    `reference_errors` refuses, and countries, as a placeholder), for
    `optimizer.validate_targets` to check everything else by its own rules."""

    def ref(value: Any, prefix: str) -> Any:
        return f"{prefix}{value}" if _is_id(value) else PLACEHOLDER

    out: dict[str, Any] = dict(targets)
    for key in RULE_KEYS:
        if key not in targets:
            continue
        value = targets[key]
        if not isinstance(value, list):
            out[key] = value
            continue
        out[key] = []
        for record in value:
            if not isinstance(record, dict):
                out[key].append(record)
                continue
            by_country = key == "vendor_groups" and ("country" in record or "countries" in record)
            copy = {
                k: v
                for k, v in record.items()
                if not (by_country and k in ("country", "countries"))
            }
            if isinstance(copy.get("vendors"), list):
                copy["vendors"] = [
                    ref(v, "V") if _is_id(v) else f"{PLACEHOLDER}{k}"
                    for k, v in enumerate(copy["vendors"])
                ]
            elif by_country and "vendors" not in record:
                copy["vendors"] = [PLACEHOLDER]
            if copy.get("need") is not None:
                copy["need"] = ref(copy["need"], "N")
            out[key].append(copy)
    if "budget" not in targets and isinstance(targets.get(PRIORITIES), dict):
        # absent, the budget is the needs' budgets added up: a priority may name it
        out["budget"] = 1.0
    return out


def document_rules(
    targets: Mapping[str, Any],
    vendor_keys: Mapping[int, str],
    vendor_countries: Mapping[int, str],
) -> tuple[dict[str, Any], list[str]]:
    """The award rules in the problem document's form (vendor and need ids as "V12", "N3"),
    and why any rule is not applied. `vendor_keys` maps the document's vendors' ids to their
    keys, `vendor_countries` their ids to their countries. A rule keeps only the document's
    vendors (one that bid nothing, or is left out, has no variable); a rule left with none is
    dropped, with adjustments to a dropped group."""
    rules: dict[str, Any] = {}
    notes: list[str] = []
    dropped: set[str] = set()

    def members(record: Mapping[str, Any]) -> list[str]:
        if "country" in record or "countries" in record:
            if "countries" in record:
                wanted = {str(code).upper() for code in record["countries"]}
            else:
                wanted = {str(record["country"]).upper()}
            ids = [v for v, c in vendor_countries.items() if (c or "").upper() in wanted]
        else:
            ids = list(record.get("vendors") or [])
        return [vendor_keys[v] for v in sorted(ids) if v in vendor_keys]

    def need_key(record: Mapping[str, Any]) -> dict[str, Any]:
        return {"need": f"N{record['need']}"} if record.get("need") is not None else {}

    groups = []
    for record in targets.get("vendor_groups") or []:
        entry = {
            k: v for k, v in record.items() if k not in ("country", "countries", "vendors", "need")
        }
        found = members(record)
        if not found:
            dropped.add(record["id"])
            notes.append(
                f"The vendor group {record.get('label') or record['id']} has no vendor "
                "in this plan, so its limits are not applied."
            )
            continue
        groups.append({**entry, "vendors": found, **need_key(record)})
    incumbents: list[dict[str, Any]] = []
    kept: dict[int, int] = {}  # an incumbent rule's position as sent → in the document
    for position, record in enumerate(targets.get("incumbents") or []):
        found = members(record)
        if found:
            kept[position] = len(incumbents)
        else:
            notes.append(
                f"The incumbent rule for need N{record['need']} is not applied: none "
                "of its incumbents has a bid or offer in this plan."
            )
            continue
        incumbents.append({**record, "vendors": found, **need_key(record)})
    adjustments = []
    for position, record in enumerate(targets.get("adjustments") or [], start=1):
        if record.get("group") is not None:
            if record["group"] not in dropped:
                adjustments.append(dict(record))
            else:
                notes.append(
                    f"Price adjustment {position} (for the group {record['group']}) is not "
                    "applied: the group has no vendor in this plan."
                )
            continue
        found = members(record)
        if found:
            adjustments.append({**record, "vendors": found})
        else:
            notes.append(
                f"Price adjustment {position} is not applied: none of its vendors has a bid "
                "or offer in this plan."
            )
    for key, listed in zip(RULE_KEYS, (groups, incumbents, adjustments), strict=True):
        if listed:
            rules[key] = listed
    priorities, priority_notes = _document_priorities(targets.get(PRIORITIES), dropped, kept)
    if priorities:
        rules[PRIORITIES] = priorities
    return rules, notes + priority_notes


def _document_priorities(
    priorities: Mapping[str, int] | None, dropped: set[str], kept: Mapping[int, int]
) -> tuple[dict[str, int], list[str]]:
    """The priorities with the document's keys: "needs.3.min_avg_impact" names need N3, an
    incumbent rule its position among the rules kept; a priority of a rule not applied goes,
    and is said."""
    out: dict[str, int] = {}
    notes = []
    for key, level in (priorities or {}).items():
        head, _, rest = key.partition(".")
        if head == "needs":
            out[f"needs.N{rest}"] = level
        elif head == "vendor_groups" and rest.rpartition(".")[0] in dropped:
            notes.append(f"The priority of the vendor group {rest.rpartition('.')[0]} is not used.")
        elif head == "incumbents":
            if int(rest) in kept:
                out[f"incumbents.{kept[int(rest)]}"] = level
            else:
                notes.append(f"The priority of incumbent rule {int(rest) + 1} is not used.")
        else:
            out[key] = level
    return out, notes


TARGET_WORDS = {
    "budget": "the budget",
    "min_avg_impact": "the minimum average impact",
    "min_avg_quality": "the minimum average quality",
    "min_impact_spend_share": "the share of spend with impact vendors",
    "max_vendor_spend_share": "the largest share of spend per vendor",
    "min_impact_worker_hours": "the minimum impact-worker hours",
}
"""A portfolio or need target a priority may name, in words."""
GROUP_WORDS = {"min_share": "smallest share", "max_share": "largest share"}
"""A vendor group's limit a priority may name, in words."""


def priority_words(key: str) -> str:
    """A priorities key in words: "needs.N3.min_avg_impact" → "need N3: the minimum average
    impact", "incumbents.0" → "incumbent rule 1"."""
    head, _, rest = key.partition(".")
    if head == "needs":
        need, _, field = rest.rpartition(".")
        return f"need {need}: {TARGET_WORDS.get(field, field)}"
    if head == "vendor_groups":
        group, _, field = rest.rpartition(".")
        return f"the {GROUP_WORDS.get(field, field)} of the vendor group {group}"
    if head == "incumbents" and rest.isdigit():
        return f"incumbent rule {int(rest) + 1}"
    return TARGET_WORDS.get(key, key)


def priority_targets(
    targets: Mapping[str, Any], needs: Sequence[Need], budget: float | None = None
) -> list[dict[str, Any]]:
    """Each target of a scenario that may take a priority, for the page's form: its key in
    `targets.priorities`, what it is in words and its priority now (None: hard). `needs` are
    the scenario's needs, `budget` the budget its problem document holds (the needs' budgets
    added up when the scenario sets none)."""
    rows = []
    for key in TARGET_WORDS:
        value = targets.get(key, budget if key == "budget" else None)
        if value is None:
            continue
        # the budget reads as the page's and the board report's figures do ("$6,800")
        figure = format_value(value, "money") if key == "budget" else plain_number(value)
        rows.append((key, f"{TARGET_WORDS[key].capitalize()}: {figure}"))
    for need in needs:
        for field in NEED_PRIORITY_FIELDS:
            if getattr(need, field, None) is not None:
                words = f"{TARGET_WORDS[field]}: {plain_number(getattr(need, field))}"
                rows.append((f"needs.{need.id}.{field}", f"“{need.title}”, {words}"))
    for group in targets.get("vendor_groups") or []:
        for field in GROUP_WORDS:
            if isinstance(group, dict) and group.get(field) is not None:
                rows.append(
                    (
                        f"vendor_groups.{group['id']}.{field}",
                        f"Vendor group “{group.get('label') or group['id']}”, "
                        f"{'at least' if field == 'min_share' else 'at most'} "
                        f"{_share(group[field])}",
                    )
                )
    titles: dict[Any, str] = {need.id: need.title for need in needs}
    for position, rule in enumerate(targets.get("incumbents") or []):
        title = titles.get(rule.get("need")) if isinstance(rule, dict) else None
        rows.append(
            (
                f"incumbents.{position}",
                f"Incumbent rule {position + 1}" + (f" (“{title}”)" if title else ""),
            )
        )
    set_now = targets.get(PRIORITIES) or {}
    return [{"key": key, "label": label, "priority": set_now.get(key)} for key, label in rows]


def with_priorities(targets: Mapping[str, Any], sent: Mapping[str, str]) -> dict[str, Any]:
    """The targets with the priorities the page's form sent (target key → its text; empty:
    hard), each a whole number where it reads as one, else as typed for the check to refuse."""
    priorities: dict[str, Any] = {}
    for key, text in sent.items():
        text = text.strip()
        if text:
            priorities[key] = int(text) if text.isdigit() else text
    out = {k: v for k, v in targets.items() if k != PRIORITIES}
    return {**out, PRIORITIES: priorities} if priorities else out


def unset_priorities(
    problem_targets: Mapping[str, Any], needs: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """The document's targets without the priorities of targets it does not set (a budget
    left to the needs' budgets when one of them has none, a need's target since removed), and
    why each went."""
    priorities = problem_targets.get(PRIORITIES)
    if not priorities:
        return dict(problem_targets), []
    by_id = {need["id"]: need for need in needs}
    kept, notes = {}, []
    for key, level in priorities.items():
        head, _, rest = key.partition(".")
        if head == "needs":
            need, _, field = rest.rpartition(".")
            is_set = by_id.get(need, {}).get(field) is not None
        else:
            is_set = head in ("vendor_groups", "incumbents") or problem_targets.get(key) is not None
        if is_set:
            kept[key] = level
        else:
            notes.append(f"The priority of {priority_words(key)} is not used: it is not set.")
    out = {k: v for k, v in problem_targets.items() if k != PRIORITIES}
    return ({**out, PRIORITIES: kept} if kept else out), notes


def _share(value: float) -> str:
    return f"{plain_number(value * 100, 4)} %"


def _vendor_list(keys: Sequence[str]) -> str:
    named = [f"vendor {key}" for key in keys]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def rule_sentences(problem: Mapping[str, Any] | None) -> list[str]:
    """One sentence per award rule of a problem document, in plain words; a region's group is
    said by its countries (`meta.vendor_group_countries`, or the record's own `countries`)."""
    targets = (problem or {}).get("targets") or {}
    units = {n["id"]: n.get("unit") or "unit" for n in (problem or {}).get("needs", [])}
    groups = {g["id"]: g for g in targets.get("vendor_groups") or []}
    regions = ((problem or {}).get("meta") or {}).get("vendor_group_countries") or {}
    sentences = []
    for group in groups.values():
        scope = f"on need {group['need']}" if group.get("need") else "over all needs"
        measure = "spend" if group["measure"] == "spend" else "labour hours"
        limits = [
            f"{word} {_share(group[key])}"
            for word, key in (("at least", "min_share"), ("at most", "max_share"))
            if group.get(key) is not None
        ]
        codes = group.get("countries") or regions.get(group["id"])
        if codes:  # a region: its countries, and the plan's vendors there when known
            members = f"; here {_vendor_list(group['vendors'])}" if group.get("vendors") else ""
            sentences.append(
                f"Vendors in {group.get('label') or group['id']} ({', '.join(codes)}{members})"
                f" get {' and '.join(limits)} of the {measure} {scope}."
            )
            continue
        sentences.append(
            f"Vendor group “{group.get('label') or group['id']}” ({_vendor_list(group['vendors'])})"
            f" gets {' and '.join(limits)} of the {measure} {scope}."
        )
    for rule in targets.get("incumbents") or []:
        kept = [_share(rule["min_share"])] if rule.get("min_share") is not None else []
        if rule.get("min_volume") is not None:
            kept.append(f"{plain_number(rule['min_volume'])} {units.get(rule['need'], 'unit')}s")
        amount = f"{kept[0]} or {kept[1]}, whichever is more," if len(kept) == 2 else kept[0]
        sentences.append(
            f"On need {rule['need']}, at least {amount} stays with the incumbents "
            f"({_vendor_list(rule['vendors'])})."
        )
    for adjustment in targets.get("adjustments") or []:
        who = (
            f"the vendor group “{groups[adjustment['group']].get('label') or adjustment['group']}”"
            if adjustment.get("group") in groups
            else _vendor_list(adjustment.get("vendors") or [])
        )
        changes = []
        if adjustment.get("percent"):
            word = "more" if adjustment["percent"] > 0 else "less"
            changes.append(f"{plain_number(abs(adjustment['percent']), 4)} % {word}")
        if adjustment.get("per_unit"):
            word = "added" if adjustment["per_unit"] > 0 else "taken off"
            per_unit = abs(adjustment["per_unit"])
            # in cents when it is a whole number of cents ("$0.40"), else as given ("$0.0035")
            amount = (
                money(per_unit)
                if round(per_unit, 2) == per_unit
                else f"${plain_number(per_unit, 4)}"
            )
            changes.append(f"{amount} a unit {word}")
        sentences.append(
            f"Prices of {who} count with {' and '.join(changes)} when choosing the plan; "
            "the spend shown is at the real prices."
        )
    return sentences


def money(value: float) -> str:
    """Dollars and cents with thousands separated: "$13,128.55"."""
    return f"${value:,.2f}"


def cost_sentence(result: Mapping[str, Any] | None) -> str | None:
    """The sentence "Optimised on $X with adjustments; the real spend is $Y." where adjustments
    priced the choice; None otherwise."""
    totals = (result or {}).get("totals") or {}
    adjusted, cost = totals.get("adjusted_cost"), totals.get("cost")
    if adjusted is None or cost is None:
        return None
    return f"Optimised on {money(adjusted)} with adjustments; the real spend is {money(cost)}."


def rule_fixes(
    explanation: Mapping[str, Any] | None, targets: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """Each award rule of an infeasibility explanation: its sentence, and the field and value
    "Apply this fix" sets in the scenario's targets (no fix where the limit is unknown, or the
    rule's record is no longer where the explanation found it)."""
    rows = []
    for entry in (explanation or {}).get("rules") or []:
        field, limit = entry.get("field"), entry.get("limit")
        fix = (
            limit
            if limit is not None and entry.get("feasible_if_relaxed") and _settable(targets, field)
            else None
        )
        rows.append(
            {
                "field": field,
                "sentence": entry.get("sentence") or entry.get("label") or "",
                "fix": fix,
                "feasible_if_relaxed": entry.get("feasible_if_relaxed"),
            }
        )
    return rows


def _path(field: str) -> tuple[str, int, str] | None:
    """("vendor_groups", 0, "max_share") of "targets.vendor_groups[0].max_share"."""
    head, _, name = field.removeprefix("targets.").partition("].")
    key, _, index = head.partition("[")
    if key not in RULE_KEYS or not index.isdigit() or not name:
        return None
    return key, int(index), name


def _settable(targets: Mapping[str, Any] | None, field: Any) -> bool:
    path = _path(field) if isinstance(field, str) else None
    if path is None:
        return False
    listed = (targets or {}).get(path[0])
    return isinstance(listed, list) and path[1] < len(listed)


def with_fix(targets: Mapping[str, Any], field: str, value: float) -> dict[str, Any]:
    """The targets with the award rule's limit at `field` set to `value` (a copy)."""
    path = _path(field)
    if path is None or not _settable(targets, field):
        raise ValueError(f"no award rule at {field}")
    key, index, name = path
    records = [dict(record) for record in targets[key]]
    records[index][name] = value
    return {**targets, key: records}


def with_country_cap(
    targets: Mapping[str, Any], country: str, measure: str, percent: str, need: str
) -> dict[str, Any]:
    """The targets with one more vendor group: the vendors based in `country` get at most
    `percent` % (the page form's text) of the labour hours or spend, on one need (its id as
    text) or over all ("")."""
    refused = ValidationFailed({"max_share": ["Give a share from 0 to 100 %."]})
    try:
        typed = float(percent.replace(",", "").replace("%", "").strip())
    except ValueError:
        raise refused from None
    if not 0 <= typed <= 100:  # the form's figure is a percentage: 200 must not read as "2.0"
        raise refused
    share = typed / 100
    country = country.strip().upper()
    taken = {g.get("id") for g in targets.get("vendor_groups") or [] if isinstance(g, dict)}
    group_id = f"country-{country.lower()}"
    while group_id in taken:
        group_id += "+"
    group: dict[str, Any] = {
        "id": group_id,
        "label": f"vendors in {country}",
        "country": country,
        "measure": measure,
        "max_share": share,
    }
    if need.strip():
        group["need"] = int(need) if need.strip().isdigit() else need
    return {**targets, "vendor_groups": [*(targets.get("vendor_groups") or []), group]}


# ---------------------------------------------------------------- the scenario page's rule forms
# Each form sends text; these read it into one more record of the API's form (ids as whole
# numbers, shares 0-1 from the page's percentages) and leave every other check to the
# scenario's services, as for the API. A figure that is not a number, or a percentage outside
# 0-100, is refused here in the form's own terms (never as "2.0" of a 0-1 share), by the form's
# field name.

INCUMBENT_FIELDS = ("need", "vendors", "min_share", "min_volume")
ADJUSTMENT_FIELDS = ("vendors", "group", "percent", "per_unit")
VENDOR_LIST_FIELDS = ("label", "vendors", "measure", "min_share", "max_share", "need")
REGION_FIELDS = ("label", "countries", "measure", "min_share", "max_share", "need")


def _typed_number(text: str) -> float | None:
    """A figure as typed (thousands separated or not, a "%" after it), None when blank;
    ValueError when it is not a number."""
    cleaned = text.replace(",", "").replace("%", "").strip()
    if not cleaned:
        return None
    number = float(cleaned)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(text)
    return number


def _figure(
    sent: Mapping[str, Any], field: str, errors: dict[str, list[str]], percent: bool = False
) -> float | None:
    """The form's `field` as a number (a percentage as a 0-1 share), None when blank; a refusal
    by field in `errors`."""
    try:
        number = _typed_number(str(sent.get(field) or ""))
    except ValueError:
        errors[field] = ["Give a share from 0 to 100 %." if percent else "Give a number."]
        return None
    if number is None or not percent:
        return number
    if not 0 <= number <= 100:
        errors[field] = ["Give a share from 0 to 100 %."]
        return None
    return number / 100


def _id_or_text(text: str) -> int | str:
    """A record id as sent by a select or a checkbox: the whole number, else the text for the
    scenario's checks to refuse."""
    text = text.strip()
    return int(text) if text.isdigit() else text


def _vendor_ids(sent: Mapping[str, Any]) -> list[int | str]:
    return [_id_or_text(str(v)) for v in sent.get("vendors") or [] if str(v).strip()]


def _refuse(errors: dict[str, list[str]], prefix: str) -> None:
    if errors:
        raise ValidationFailed(
            {f"{prefix}.{field}": messages for field, messages in errors.items()}
        )


def with_incumbent_rule(
    targets: Mapping[str, Any], sent: Mapping[str, Any], prefix: str
) -> dict[str, Any]:
    """The targets with one more incumbent rule from the page's form: `sent` holds its fields
    (INCUMBENT_FIELDS; `vendors` a list of ids, the shares in %). ValidationFailed names the
    form's fields as `prefix`.<field>."""
    errors: dict[str, list[str]] = {}
    need = str(sent.get("need") or "").strip()
    if not need:
        errors["need"] = ["Choose the need the incumbents keep a share of."]
    vendors = _vendor_ids(sent)
    if not vendors:
        errors["vendors"] = ["Tick at least one incumbent vendor."]
    share = _figure(sent, "min_share", errors, percent=True)
    volume = _figure(sent, "min_volume", errors)
    if share is None and volume is None and not errors.keys() & {"min_share", "min_volume"}:
        errors["min_share"] = ["Give a share, a volume, or both."]
    _refuse(errors, prefix)
    rule: dict[str, Any] = {"need": _id_or_text(need), "vendors": vendors}
    if share is not None:
        rule["min_share"] = share
    if volume is not None:
        rule["min_volume"] = volume
    return {**targets, "incumbents": [*(targets.get("incumbents") or []), rule]}


def with_adjustment(
    targets: Mapping[str, Any], sent: Mapping[str, Any], prefix: str
) -> dict[str, Any]:
    """The targets with one more bid adjustment from the page's form: ticked `vendors` or one
    `group` (its id), and `percent` and/or `per_unit` ($ a unit); ValidationFailed names the
    form's fields as `prefix`.<field>."""
    errors: dict[str, list[str]] = {}
    vendors = _vendor_ids(sent)
    group = str(sent.get("group") or "").strip()
    if not vendors and not group:
        errors["vendors"] = ["Tick the vendors, or choose a vendor group."]
    elif vendors and group:
        errors["vendors"] = ["Tick the vendors or choose a vendor group, not both."]
    percent = _figure(sent, "percent", errors)
    per_unit = _figure(sent, "per_unit", errors)
    if percent is None and per_unit is None and not errors.keys() & {"percent", "per_unit"}:
        errors["percent"] = ["Give a percentage, an amount a unit, or both."]
    _refuse(errors, prefix)
    adjustment: dict[str, Any] = {"group": group} if group else {"vendors": vendors}
    if percent is not None:
        adjustment["percent"] = percent
    if per_unit is not None:
        adjustment["per_unit"] = per_unit
    return {**targets, "adjustments": [*(targets.get("adjustments") or []), adjustment]}


def with_vendor_list_group(
    targets: Mapping[str, Any], sent: Mapping[str, Any], prefix: str
) -> dict[str, Any]:
    """The targets with one more vendor group of the vendors the buyer ticked: its `label`
    (its id made from it), `measure`, `min_share` and/or `max_share` (in %), and one `need` (its
    id) or all (blank); ValidationFailed names the form's fields as `prefix`.<field>."""
    errors: dict[str, list[str]] = {}
    vendors = _vendor_ids(sent)
    if not vendors:
        errors["vendors"] = ["Tick at least one vendor of the group."]
    return _with_group(targets, sent, prefix, {"vendors": vendors}, errors)


def with_region_group(
    targets: Mapping[str, Any], sent: Mapping[str, Any], prefix: str
) -> dict[str, Any]:
    """The targets with one more vendor group of a region: the vendors based in the
    `countries` the buyer typed (two letters each, separated by commas or spaces), under the
    `label` it names ("East Africa"); the rest as `with_vendor_list_group`. The codes are kept
    as typed (upper case) for the scenario's checks to name a bad one by its position."""
    errors: dict[str, list[str]] = {}
    text = str(sent.get("countries") or "")
    countries = [code.upper() for code in text.replace(",", " ").replace(";", " ").split()]
    if not countries:
        errors["countries"] = ["Give the region's countries, two letters each (KE, UG, TZ)."]
    return _with_group(targets, sent, prefix, {"countries": countries}, errors)


def _with_group(
    targets: Mapping[str, Any],
    sent: Mapping[str, Any],
    prefix: str,
    members: Mapping[str, Any],
    errors: dict[str, list[str]],
) -> dict[str, Any]:
    """One more vendor group of `members` (its vendors or countries) from a page form's label,
    measure, shares and need; `errors` already found are refused with the form's own."""
    label = str(sent.get("label") or "").strip()
    named: dict[str, list[str]] = {}  # the label's refusal first, as the form lists its fields
    if not label:
        named["label"] = ["Name the group (for example “local suppliers”)."]
    elif len(label) > 100:
        named["label"] = ["Keep the name to 100 characters."]
    errors = {**named, **errors}
    low = _figure(sent, "min_share", errors, percent=True)
    high = _figure(sent, "max_share", errors, percent=True)
    if low is None and high is None and not errors.keys() & {"min_share", "max_share"}:
        errors["max_share"] = ["Give a smallest share, a largest share, or both."]
    elif low is not None and high is not None and low > high:
        errors["max_share"] = [f"Give at least the smallest share ({plain_number(low * 100)} %)."]
    _refuse(errors, prefix)
    taken = {g.get("id") for g in targets.get("vendor_groups") or [] if isinstance(g, dict)}
    base = "-".join("".join(c if c.isalnum() else " " for c in label.lower()).split())[:40]
    group_id, number = base or "group", 1
    while group_id in taken:
        number += 1
        group_id = f"{base or 'group'}-{number}"
    group: dict[str, Any] = {
        "id": group_id,
        "label": label,
        **members,
        "measure": str(sent.get("measure") or "").strip(),
    }
    if low is not None:
        group["min_share"] = low
    if high is not None:
        group["max_share"] = high
    if str(sent.get("need") or "").strip():
        group["need"] = _id_or_text(str(sent["need"]))
    return {**targets, "vendor_groups": [*(targets.get("vendor_groups") or []), group]}


def vendor_options(
    problem: Mapping[str, Any] | None, names: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The plan's vendors as the rule forms list them to tick: (id as text, name), by name."""
    rows = [
        (str(vendor["id"])[1:], names.get(vendor["id"], vendor["id"]))
        for vendor in (problem or {}).get("vendors") or []
        if str(vendor.get("id", "")).startswith("V") and str(vendor["id"])[1:].isdigit()
    ]
    return sorted(rows, key=lambda row: (row[1].lower(), row[0]))
