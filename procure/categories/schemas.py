from marshmallow import Schema, fields, validate

from procure.api_fields import RecordVersion
from procure.vendors.categories import DESCRIPTION_LENGTH, KEY_LENGTH, LABEL_LENGTH, UNITS


class Trimmed(fields.String):
    """Text read without the spaces around it (" Data annotation " is "Data annotation")."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


KEY = validate.Regexp(
    rf"^(?=.{{2,{KEY_LENGTH}}}$)[a-z][a-z0-9]*(_[a-z0-9]+)*$",
    error=f"Write the key as a lowercase slug of 2 to {KEY_LENGTH} characters: letters a-z, "
    "digits and single underscores, starting with a letter, e.g. voice_data_collection.",
)
LABEL = validate.Length(
    min=1, max=LABEL_LENGTH, error=f"Give a label of 1 to {LABEL_LENGTH} characters."
)
DESCRIPTION = validate.Length(
    max=DESCRIPTION_LENGTH, error=f"Keep the description to {DESCRIPTION_LENGTH} characters."
)
UNIT = validate.OneOf(UNITS, error=f"Use one of: {', '.join(UNITS)}.")


class ServiceCategorySchema(Schema):
    id = fields.Integer(dump_only=True)
    key = fields.String(
        dump_only=True, metadata={"description": "What offers, needs and profiles store"}
    )
    label = fields.String(dump_only=True)
    unit = fields.String(dump_only=True, metadata={"description": "The usual unit of work"})
    description = fields.String(dump_only=True)
    retired = fields.Boolean(
        dump_only=True,
        metadata={"description": "Refused for new offers, needs and profiles; kept by old ones"},
    )
    retired_at = fields.DateTime(dump_only=True, allow_none=True)
    created_by_id = fields.Integer(
        dump_only=True, allow_none=True, metadata={"description": "None: seeded"}
    )
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class ServiceCategoryCreateSchema(Schema):
    key = Trimmed(
        required=True,
        validate=KEY,
        metadata={"description": "Lowercase slug, never changed once added"},
    )
    label = Trimmed(required=True, validate=LABEL)
    unit = fields.String(
        required=True, validate=UNIT, metadata={"description": "hour, item or task"}
    )
    description = Trimmed(load_default="", validate=DESCRIPTION)


class ServiceCategoryUpdateSchema(Schema):
    label = Trimmed(validate=LABEL)
    description = Trimmed(validate=DESCRIPTION)
    unit = fields.String(
        validate=UNIT,
        metadata={"description": "Only while no offer or need uses the category"},
    )
    retired = fields.Boolean(
        metadata={"description": "true retires the category, false brings it back"}
    )
    version = RecordVersion(
        required=True, metadata={"description": "The version you edited; a stale one gets 409."}
    )
