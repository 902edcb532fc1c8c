"""Notifications API: your own notifications, newest first, and marking them read. Another
user's notification answers 404, whoever asks (an admin and the operator too)."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from procure.access import SIGNED_IN, access, get_scoped_or_404
from procure.mail import mail_configured
from procure.notifications import email_choices, services
from procure.notifications.models import Notification
from procure.notifications.schemas import (
    MailSettingsSchema,
    MailSettingsUpdateSchema,
    NotificationPageSchema,
    NotificationQuerySchema,
    NotificationSchema,
    ReadAllSchema,
)
from procure.transactions import writes

blp = Blueprint(
    "notifications_api",
    __name__,
    url_prefix="/api/v1",
    description="Your notifications: what waits for you",
)


@blp.route("/notifications")
class Notifications(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, query):
        """Your notifications, newest first, a page at a time (`page` from 1, `per_page` up to
        200); `total` and `unread` count all of them"""
        return services.page_of(current_user, query["page"], query["per_page"])


@blp.route("/notifications/<int:notification_id>/read")
class NotificationRead(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, NotificationSchema)
    @writes
    def post(self, notification_id):
        """Mark one of your notifications read (again: no change); another user's answers 404"""
        notification = get_scoped_or_404(Notification, notification_id)
        return services.mark_read(notification, current_user)


@blp.route("/notifications/read-all")
class NotificationsReadAll(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, ReadAllSchema)
    @writes
    def post(self):
        """Mark all your notifications read"""
        marked = services.mark_all_read(current_user)
        return {"marked_read": marked, "unread": services.unread_count(current_user)}


def _settings_answer(user) -> dict:
    return {
        "email_kinds": [kind.value for kind in email_choices.email_kinds(user)],
        "offered_kinds": [kind.value for kind in email_choices.receivable_kinds(user)],
        "mail_configured": mail_configured(),
        "digest_sent_on": email_choices.mail_settings_of(user).digest_sent_on,
    }


@blp.route("/notifications/settings")
class NotificationMailSettings(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, MailSettingsSchema)
    def get(self):
        """Which kinds of notification you get by email (default: every kind your role
        receives, `offered_kinds`)"""
        return _settings_answer(current_user)

    @access(SIGNED_IN)
    @blp.arguments(MailSettingsUpdateSchema)
    @blp.response(200, MailSettingsSchema)
    @writes
    def put(self, body):
        """Choose which kinds of notification you get by email, among those your role
        receives (`offered_kinds`); another kind answers 422 naming `email_kinds`"""
        email_choices.choose_email_kinds(current_user._get_current_object(), body["email_kinds"])
        return _settings_answer(current_user)
