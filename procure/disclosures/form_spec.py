"""The disclosure form's fields and turning posted form data into a document.

Labels, hints and kinds of input come from the disclosure field table (`scoring.fields`), as do
the validator's, so an error for `workforce.impact_worker_hires` lands next to that input and
names it as the input's label does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procure.formatting import field_words
from scoring.fields import FieldType, fields_in

# The input each type of field gets; `_value` parses the posted text by it.
_KINDS = {
    FieldType.COUNT: "int",
    FieldType.AMOUNT: "float",
    FieldType.POSITIVE: "float",
    FieldType.TEXT: "text",
    FieldType.DATE: "date",
    FieldType.CODE: "code",  # upper-cased ISO code
    FieldType.PAY_PERIOD: "choice",
    FieldType.EVIDENCE_LEVEL: "choice",
}


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    hint: str = ""
    kind: str = "int"  # int, float, text, code (upper-cased ISO code), date, choice


def _form_fields(section: str) -> tuple[FormField, ...]:
    """The inputs for the fields of one section of the document, in table order."""
    return tuple(FormField(f.key, f.label, f.hint, _KINDS[f.type]) for f in fields_in(section))


PERIOD_START, PERIOD_END = _form_fields("period")
_WORKFORCE = _form_fields("workforce")
# The other category's label is asked under the categories, apart from the workforce counts.
OTHER_CATEGORY_LABEL = next(f for f in _WORKFORCE if f.key == "other_category_label")
WORKFORCE = tuple(f for f in _WORKFORCE if f is not OTHER_CATEGORY_LABEL)
CATEGORIES = _form_fields("categories")
SITE = _form_fields("wages")
TRAINING = _form_fields("training")
EVIDENCE = _form_fields("evidence")


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
    workforce[OTHER_CATEGORY_LABEL.key] = _value(
        form.get(f"workforce.{OTHER_CATEGORY_LABEL.key}"), OTHER_CATEGORY_LABEL.kind
    )
    wages = []
    index = 0
    while f"wages[{index}].site" in form:
        site = {f.key: _value(form.get(f"wages[{index}].{f.key}"), f.kind) for f in SITE}
        if any(value is not None for value in site.values()):
            wages.append(site)
        index += 1
    training = {f.key: _value(form.get(f"training.{f.key}"), f.kind) for f in TRAINING}
    evidence = {f.key: _value(form.get(f"evidence.{f.key}"), f.kind) for f in EVIDENCE}
    return {"workforce": workforce, "wages": wages, "training": training, "evidence": evidence}


_LABELS = {
    **{f.key: f.label for f in (PERIOD_START, PERIOD_END)},
    **{f"workforce.{f.key}": f.label for f in (*WORKFORCE, OTHER_CATEGORY_LABEL)},
    **{f"workforce.categories.{f.key}": f.label for f in CATEGORIES},
    # the form's headings, for what is said of a whole group (a warning, a missing section)
    "workforce.categories": "Impact workers by category at period end",
    "wages": "Wages per site",
    **{f"training.{f.key}": f.label for f in TRAINING},
    **{f"evidence.{f.key}": f.label for f in EVIDENCE},
    # a buyer's review of one section (the disclosure page's section forms)
    **{
        f"sections.{f.key}.{field}": f"Review of the {f.key} section: {field}"
        for f in EVIDENCE
        for field in ("decision", "comment")
    },
    # the hidden field that says which saved version the page was opened on
    "edit_version": "The version of the draft this page was opened on",
}
_SITE_LABELS = {f.key: f.label for f in SITE}


def field_label(path: str) -> str:
    """The form label of a document field path, e.g. 'wages[0].currency' ->
    'Site 1: Currency'; a path the form has no label for in words, never as its key."""
    if path in _LABELS:
        return _LABELS[path]
    if path.startswith("wages[") and "]." in path:
        index, _, key = path[len("wages[") :].partition("].")
        if index.isdigit() and key in _SITE_LABELS:
            return f"Site {int(index) + 1}: {_SITE_LABELS[key]}"
    return field_words(path)
