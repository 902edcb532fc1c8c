"""A coalition's feed: what the backbone announces and what the app posts by itself (a target set
or changed, a member joining or leaving, the shared measurement changed). Every post notifies
the active members' buyers, executives and admins."""

from __future__ import annotations

from sqlalchemy import select

from procure.accounts.models import User
from procure.coalitions.models import Coalition, CoalitionMember, CoalitionPost
from procure.extensions import db
from procure.notifications.services import active_users, link_to, notify
from procure.states import CoalitionMemberState, CoalitionPostKind, NotificationKind

# who of a member organization reads the coalition and is told of its posts
MEMBER_READERS = ("buyer", "executive", "admin")


def post_to_feed(
    coalition: Coalition,
    kind: CoalitionPostKind,
    text: str,
    author: User,
    link: str | None = None,
) -> CoalitionPost:
    """Add a post to the feed and tell the active members' buyer side (flushes); the notice
    links to `link`, by default the coalition's page."""
    post = CoalitionPost(coalition_id=coalition.id, kind=kind, text=text, author_id=author.id)
    db.session.add(post)
    db.session.flush()
    members = select(CoalitionMember.organization_id).where(
        CoalitionMember.coalition_id == coalition.id,
        CoalitionMember.state == CoalitionMemberState.ACTIVE,
    )
    notify(
        active_users(*MEMBER_READERS, organizations=members),
        NotificationKind.COALITION_POST,
        f"{coalition.name}: {text}",
        link=link or link_to("coalition_pages.show", coalition_id=coalition.id),
        subject=coalition,
    )
    return post
