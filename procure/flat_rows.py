"""A marshmallow schema for many plain rows: dumped with each field's own formatting, without
marshmallow's lookup per field.

A page of `GET /api/v1/scores` is 100 stored rows of 20 fields: marshmallow's `Field.serialize`
looks each value up through its accessor (dotted keys, `__getitem__` then `getattr`, the dump
default), which took most of the request's Python time at 10,000 vendors (#23). A plain dict
holding every field needs none of that: each value is read by its key and formatted by the
field's `_serialize`, as `Schema._serialize` would, so the output is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, missing

# (output key, the row's key, the field's attribute name, the field's formatting)
_Plan = list[tuple[str, str, str, Callable[..., Any]]]


class FlatRowSchema(Schema):
    """A Schema whose objects are usually dicts that hold every field (by its `attribute`, else
    its name): those are dumped straight, each value formatted by its field. Anything else (an
    object, a dict missing a field, a dotted attribute, a field that reads no attribute, a schema
    that overrides `get_attribute`) is dumped by marshmallow as usual."""

    _flat_plan: _Plan | None = None
    _flat_keys: frozenset[str] | None = None  # None: not planned yet

    def _plan(self) -> _Plan | None:
        """How to dump a row straight (None: it cannot be), worked out once per schema."""
        if self._flat_keys is None:
            steps: _Plan = []
            straight = type(self).get_attribute is Schema.get_attribute
            for name, field in self.dump_fields.items():
                source = field.attribute if field.attribute is not None else name
                if not field._CHECK_ATTRIBUTE or "." in source:
                    straight = False
                    break
                key = field.data_key if field.data_key is not None else name
                steps.append((key, source, name, field._serialize))
            self._flat_plan = steps if straight else None
            self._flat_keys = frozenset(source for _, source, _, _ in self._flat_plan or ())
        return self._flat_plan

    def _serialize(self, obj: Any, *, many: bool = False) -> Any:
        if many and obj is not None:
            return [self._serialize(row) for row in obj]
        plan = self._plan() if type(obj) is dict else None
        if plan is None or not self._flat_keys <= obj.keys():
            return super()._serialize(obj, many=False)
        result = self.dict_class()
        for key, source, name, formatted in plan:
            value = formatted(obj[source], name, obj)
            if value is not missing:
                result[key] = value
        return result
