from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates

from procure.api_fields import MAX_RECORD_ID
from procure.notifications.email_choices import receivable_kinds
from procure.notifications.models import MAX_PER_PAGE, PER_PAGE
from procure.states import NotificationKind


class NotificationSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True, validate=validate.OneOf(tuple(NotificationKind)))
    title = fields.String(dump_only=True, metadata={"description": "A short sentence"})
    link = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "App-relative URL of the page where the work waits"},
    )
    subject_type = fields.String(dump_only=True, allow_none=True)
    subject_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    read_at = fields.DateTime(dump_only=True, allow_none=True)
    unread = fields.Boolean(dump_only=True)


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema), dump_only=True)
    total = fields.Integer(dump_only=True, metadata={"description": "Your notifications in all"})
    unread = fields.Integer(dump_only=True, metadata={"description": "Of them, unread"})
    page = fields.Integer(dump_only=True)
    per_page = fields.Integer(dump_only=True)
    pages = fields.Integer(dump_only=True)


class NotificationQuerySchema(Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_RECORD_ID),
        metadata={"description": "Page number, from 1 (newest first)"},
    )
    per_page = fields.Integer(
        load_default=PER_PAGE,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Notifications per page, 1 to {MAX_PER_PAGE}"},
    )


class ReadAllSchema(Schema):
    marked_read = fields.Integer(dump_only=True, metadata={"description": "Were unread until now"})
    unread = fields.Integer(dump_only=True)


class MailSettingsUpdateSchema(Schema):
    email_kinds = fields.List(
        fields.String(validate=validate.OneOf(tuple(NotificationKind))),
        required=True,
        validate=validate.Length(max=len(NotificationKind)),
        metadata={
            "description": "The kinds of notification you want by email (in the daily digest, "
            "or at once for a campaign reminder), among `offered_kinds`, the kinds your role "
            "receives; the others only in the app. [] mails nothing"
        },
    )

    @validates("email_kinds")
    def _offered_to_the_role(self, value: list[str], data_key: str) -> None:
        """A kind the signed-in user's role never receives cannot be chosen (a vendor is never
        told of a submitted scenario)."""
        offered = receivable_kinds(current_user)
        refused = [kind for kind in value if kind not in offered]
        if refused:
            raise ValidationError(
                f"Your role never receives {', '.join(refused)}: choose among "
                + (", ".join(offered) if offered else "none ([] only)")
                + "."
            )


class MailSettingsSchema(MailSettingsUpdateSchema):
    offered_kinds = fields.List(
        fields.String(validate=validate.OneOf(tuple(NotificationKind))),
        dump_only=True,
        metadata={"description": "The kinds your role receives: those you choose among"},
    )
    mail_configured = fields.Boolean(
        dump_only=True,
        metadata={"description": "Whether this service sends mail at all (setting smtp_url)"},
    )
    digest_sent_on = fields.Date(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The day (UTC) your last daily digest went out"},
    )
