"""The disclosure form's fields, labels and hints, and turning posted form data into a document.

The page form and the validator share the document's field names, so an error for
`workforce.impact_worker_hires` lands next to that input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procure.disclosures.validation import EVIDENCE_SECTIONS as SECTIONS


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    hint: str = ""
    kind: str = "int"  # int, float, text, code (upper-cased ISO code), date, choice


WORKFORCE = (
    FormField(
        "headcount_start", "Employees at period start", "Permanent employees (IRIS+ OI8869)."
    ),
    FormField("headcount_end", "Employees at period end"),
    FormField("full_time_end", "Full-time at period end"),
    FormField(
        "part_time_end",
        "Part-time at period end",
        "Full-time plus part-time must equal employees at period end.",
    ),
    FormField("fte_avg", "Average full-time equivalents", "Average FTE over the period.", "float"),
    FormField("total_hires", "Hires in the period", "GRI 401-1a."),
    FormField(
        "impact_worker_hires",
        "Impact workers hired",
        "People who, when hired, were long-term unemployed, below the poverty line or in a declared category.",
    ),
    FormField("departures_voluntary", "Voluntary departures"),
    FormField("departures_involuntary", "Involuntary departures"),
    FormField("impact_worker_departures", "Impact-worker departures"),
    FormField("impact_workers_start", "Impact workers at period start"),
    FormField("impact_workers_end", "Impact workers at period end"),
    FormField(
        "retention_cohort_hired",
        "Impact workers hired 12–24 months before period end",
        "The 12-month retention cohort.",
    ),
    FormField("retention_cohort_retained_12m", "…of whom still employed 12 months after hire"),
    FormField("promotions_all", "Employees promoted"),
    FormField("promotions_impact_workers", "Impact workers promoted"),
)

CATEGORIES = (
    FormField("long_term_unemployed", "Long-term unemployed (12 months or more)"),
    FormField("below_poverty_line", "Below the national poverty line"),
    FormField("refugee_or_displaced", "Refugees or displaced people"),
    FormField("disability", "People with a disability"),
    FormField("youth_neet", "Young people not in employment, education or training"),
    FormField("women_low_participation", "Women where few women work"),
    FormField("other", "Other category"),
)

SITE = (
    FormField("site", "Site name", kind="text"),
    FormField("country", "Country (ISO code)", "Two letters, e.g. KE.", "code"),
    FormField("currency", "Currency (ISO code)", "Three letters, e.g. KES.", "code"),
    FormField("pay_period", "Pay period", "Applies to all wages of this site.", "choice"),
    FormField(
        "standard_weekly_hours", "Standard weekly hours", "Contractual hours, no overtime.", "float"
    ),
    FormField(
        "entry_level_wage",
        "Entry-level wage",
        "GRI 202-1: basic pay plus guaranteed allowances.",
        "float",
    ),
    FormField("impact_worker_median_wage", "Median wage of impact workers", kind="float"),
    FormField("local_minimum_wage", "Local minimum wage", kind="float"),
    FormField("minimum_wage_source", "Minimum wage source", "The law or public notice.", "text"),
    FormField("minimum_wage_date", "Minimum wage effective date", kind="date"),
    FormField(
        "living_wage_benchmark",
        "Living-wage benchmark",
        "E.g. an Anker benchmark for the area.",
        "float",
    ),
    FormField("living_wage_source", "Living-wage source", kind="text"),
    FormField("living_wage_date", "Living-wage reference date", kind="date"),
)

TRAINING = (
    FormField("training_hours_all", "Training hours, all employees", kind="float"),
    FormField("training_hours_impact_workers", "Training hours, impact workers", kind="float"),
    FormField("training_spend", "Training spend", "Excluding trainees' wages.", "float"),
    FormField("training_currency", "Training spend currency", "ISO code, e.g. USD.", "code"),
    FormField("employees_trained", "Employees who completed training"),
)


def _value(raw: str | None, kind: str) -> Any:
    """A form string as the document holds it: empty is None; numbers parsed where possible.

    Text that is not a number stays text, so the validator names the field and says why.
    """
    text = (raw or "").strip()
    if not text:
        return None
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return text
    if kind == "float":
        try:
            return float(text.replace(",", ""))
        except ValueError:
            return text
    if kind == "code":
        return text.upper()
    return text


def document_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The disclosure document (without period) posted by the disclosure form."""
    workforce = {f.key: _value(form.get(f"workforce.{f.key}"), f.kind) for f in WORKFORCE}
    workforce["categories"] = {
        f.key: _value(form.get(f"workforce.categories.{f.key}"), f.kind) for f in CATEGORIES
    }
    workforce["other_category_label"] = _value(form.get("workforce.other_category_label"), "text")
    wages = []
    index = 0
    while f"wages[{index}].site" in form:
        site = {f.key: _value(form.get(f"wages[{index}].{f.key}"), f.kind) for f in SITE}
        if any(value is not None for value in site.values()):
            wages.append(site)
        index += 1
    training = {f.key: _value(form.get(f"training.{f.key}"), f.kind) for f in TRAINING}
    evidence = {section: _value(form.get(f"evidence.{section}"), "choice") for section in SECTIONS}
    return {"workforce": workforce, "wages": wages, "training": training, "evidence": evidence}


_LABELS = {
    **{f"workforce.{f.key}": f.label for f in WORKFORCE},
    **{f"workforce.categories.{f.key}": f.label for f in CATEGORIES},
    "workforce.other_category_label": "Label of the other category",
    **{f"training.{f.key}": f.label for f in TRAINING},
    **{f"evidence.{section}": f"Evidence level: {section}" for section in SECTIONS},
    "period_start": "First day of the period",
    "period_end": "Last day of the period",
}
_SITE_LABELS = {f.key: f.label for f in SITE}


def field_label(path: str) -> str:
    """The form label of a document field path, e.g. 'wages[0].currency' -> 'Site 1: Currency (ISO code)'."""
    if path in _LABELS:
        return _LABELS[path]
    if path.startswith("wages[") and "]." in path:
        index, _, key = path[len("wages[") :].partition("].")
        if index.isdigit() and key in _SITE_LABELS:
            return f"Site {int(index) + 1}: {_SITE_LABELS[key]}"
    return path
