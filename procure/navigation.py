"""The navigation per role: each area adds its entries here; only routes that exist show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from procure.access import Rule, roles, rule_for
from procure.coalitions.services import NavigationAudience
from procure.notifications.services import unread_count


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    # how many things wait behind the entry for this user (shown in text after the label)
    count: Callable[[Any], int] | None = None
    # who gets the entry when fewer should than the page admits (a page everyone may read that
    # only those who keep it need in the navigation); None: everyone the page admits
    audience: Rule | NavigationAudience | None = None


NAV_ITEMS = (
    NavItem("Home", "accounts_pages.home"),
    NavItem("Profile", "vendor_pages.profile"),
    NavItem("Rate card", "vendor_pages.offers"),
    NavItem("Disclosures", "disclosure_pages.index"),
    NavItem("Assurance", "assurance_pages.index"),
    NavItem("Scorecard", "scoring_pages.own_scorecard"),
    NavItem("Needs", "need_pages.index"),
    NavItem("Scenarios", "scenario_pages.index"),
    NavItem("Impact spend", "spend_pages.index"),
    NavItem("Vendors", "vendor_pages.directory"),
    NavItem("Compare", "scoring_pages.compare"),
    NavItem("Profiles", "scoring_pages.profiles"),
    NavItem("Reviews", "disclosure_pages.queue"),
    NavItem("Data", "disclosure_pages.table"),
    NavItem("Events", "event_pages.index"),
    # a backbone's users, and buyer organizations invited to or members of a coalition
    NavItem("Coalitions", "coalition_pages.index", audience=NavigationAudience()),
    NavItem("Campaigns", "campaign_pages.index"),
    NavItem("Invitations", "invitation_pages.index"),
    NavItem("Users", "accounts_pages.admin_users"),
    # a buyer organization's admin (the page admits admins; roles("admin", "buyer") their buyers')
    NavItem("Settings", "accounts_pages.organization_settings", audience=roles("admin", "buyer")),
    NavItem("Organizations", "accounts_pages.admin_organizations"),
    NavItem("Exchange rates", "rate_pages.index", audience=roles("operator")),
    NavItem("Service categories", "category_pages.index", audience=roles("operator")),
    NavItem("Notifications", "notification_pages.index", count=unread_count),
)


def nav_items() -> list[dict]:
    """The entries the current user's rule admits, in order, marking the current page."""
    items = []
    for item in NAV_ITEMS:
        rule = rule_for(current_app, item.endpoint, "GET")
        if rule is None or not rule.admits(current_user):
            continue
        if item.audience is not None and not item.audience.admits(current_user):
            continue
        items.append(
            {
                "label": item.label,
                "url": url_for(item.endpoint),
                "active": request.endpoint == item.endpoint,
                "count": item.count(current_user) if item.count else None,
            }
        )
    return items


def register_navigation(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
