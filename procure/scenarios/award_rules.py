"""A scenario's award rules (issue 21): vendor groups, incumbent rules and bid adjustments.

A buyer sends them in the scenario's `targets` as the optimizer's `targets.vendor_groups`,
`targets.incumbents` and `targets.adjustments` (their meanings and units: the `optimizer`
package docstring), except that records are named as the API names them: a vendor by its id
(12, not "V12") and a need by its id (3, not "N3"). A vendor group may name a `country` (two
letters, "KE") instead of `vendors`: its members are the plan's vendors based there, resolved
when the problem is built and frozen with it.

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

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from procure.errors import ValidationFailed
from procure.extensions import db
from procure.formatting import plain_number
from procure.vendors.models import Vendor

RULE_KEYS = ("vendor_groups", "incumbents", "adjustments")
"""The keys of a scenario's targets that hold award rules (lists of records)."""
PLACEHOLDER = "X"
"""Stands for a reference already refused (or a country) while the optimizer checks the rest."""


def award_targets(targets: Mapping[str, Any] | None) -> dict[str, Any]:
    """The award-rule keys of a scenario's targets alone."""
    return {key: value for key, value in (targets or {}).items() if key in RULE_KEYS}


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


def reference_errors(targets: Mapping[str, Any], need_ids: Sequence[int]) -> dict[str, list[str]]:
    """The award rules' references that cannot be kept with a scenario of these needs, by
    field path; {} when all can. Vendors are looked up among all vendors (a buyer reads
    every vendor), needs among the scenario's. `checkable` gives the rest to the optimizer."""
    errors: dict[str, list[str]] = {}
    records = _records(targets)
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
        if key == "vendor_groups" and "country" in record:
            country = record["country"]
            if "vendors" in record:
                errors[path] = ["Name either vendors or a country, not both."]
            elif not (isinstance(country, str) and len(country) == 2 and country.isalpha()):
                errors[f"{path}.country"] = ['Give a country as two letters ("KE").']
    return errors


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
            by_country = key == "vendor_groups" and "country" in record
            copy = {k: v for k, v in record.items() if not (by_country and k == "country")}
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
        if "country" in record:
            country = str(record["country"]).upper()
            ids = [v for v, c in vendor_countries.items() if (c or "").upper() == country]
        else:
            ids = list(record.get("vendors") or [])
        return [vendor_keys[v] for v in sorted(ids) if v in vendor_keys]

    def need_key(record: Mapping[str, Any]) -> dict[str, Any]:
        return {"need": f"N{record['need']}"} if record.get("need") is not None else {}

    groups = []
    for record in targets.get("vendor_groups") or []:
        entry = {k: v for k, v in record.items() if k not in ("country", "vendors", "need")}
        found = members(record)
        if not found:
            dropped.add(record["id"])
            notes.append(
                f"The vendor group {record.get('label') or record['id']} has no vendor "
                "in this plan, so its limits are not applied."
            )
            continue
        groups.append({**entry, "vendors": found, **need_key(record)})
    incumbents = []
    for record in targets.get("incumbents") or []:
        found = members(record)
        if not found:
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
    return rules, notes


def _share(value: float) -> str:
    return f"{plain_number(value * 100, 4)} %"


def _vendor_list(keys: Sequence[str]) -> str:
    named = [f"vendor {key}" for key in keys]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def rule_sentences(problem: Mapping[str, Any] | None) -> list[str]:
    """One sentence per award rule of a problem document, in plain words."""
    targets = (problem or {}).get("targets") or {}
    units = {n["id"]: n.get("unit") or "unit" for n in (problem or {}).get("needs", [])}
    groups = {g["id"]: g for g in targets.get("vendor_groups") or []}
    sentences = []
    for group in groups.values():
        scope = f"on need {group['need']}" if group.get("need") else "over all needs"
        measure = "spend" if group["measure"] == "spend" else "labour hours"
        limits = [
            f"{word} {_share(group[key])}"
            for word, key in (("at least", "min_share"), ("at most", "max_share"))
            if group.get(key) is not None
        ]
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
            changes.append(f"${plain_number(abs(adjustment['per_unit']), 4)} a unit {word}")
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
