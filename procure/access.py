"""The one access-control layer: a rule declared on every route, and organization scoping.

Every view declares who may call it with `@access(...)`. A before-request hook enforces the
rule, so a route without a declaration is refused (deny by default) and a test can list every
route with its rule (`route_rules`). Records are read through `scoped_select` / `get_scoped_or_404`,
which apply the model's `scope(user)` clause: another organization's record answers 404.

An admin is a member of its own organization. A rule that names "admin" next to other roles
admits an admin only when its organization is of a kind those roles belong to: the buyer-side
reads (buyer, executive, admin) admit a buyer organization's admin, not a vendor's; a rule that
names "admin" alone (user administration) admits every admin, and the records it reaches are
scoped to the admin's own organization. A vendor organization's admin also acts as that vendor
(`ACTS_AS`): a rule naming "vendor" admits it, and the vendor records' scopes keep it to its own
organization's profile, offers and disclosures. Why: an invited vendor's first user is its
organization's admin, and it must answer the buyer's disclosure campaign without first creating a
second user (README, "Who administers what"); an assurance provider's admin acts as its assurer
and a backbone's admin as its coordinator (procure.coalitions) for the same reason. The
operator holds the platform role: it creates organizations and sees counts across tenants, and
the models' scopes give it no tenant's records. An assurer reads only the disclosure versions
vendors shared with it (procure.assurance): the vendor-side scopes give it nothing either
(`NO_VENDOR_READS`), nor a backbone's coordinator, which reads the members' plans only as the
aggregates of its coalitions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select, select

# ACTS_AS: the role an organization's admin also acts as, by the organization's kind
from procure.accounts.models import ACTS_AS, ROLES_BY_KIND
from procure.extensions import db

ROLES = ("admin", "buyer", "vendor", "executive", "operator", "assurer", "coordinator")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Rule:
    """Who may call a route: anyone, any signed-in user, or signed-in users with given roles."""

    name: str
    signed_in: bool = True
    roles: frozenset[str] | None = None

    def admits(self, user) -> bool:
        if not self.signed_in:
            return True
        if not user.is_authenticated:
            return False
        if self.roles is None:
            return True
        if user.role != "admin" or self.roles == {"admin"}:
            return user.role in self.roles
        kind = user.organization.kind
        if ACTS_AS.get(kind) in self.roles:
            return True
        members = set(ROLES_BY_KIND[kind]) - {"admin"}
        return "admin" in self.roles and bool(self.roles & members)


PUBLIC = Rule("public", signed_in=False)
SIGNED_IN = Rule("signed_in")


def roles(*names: str) -> Rule:
    """The users holding one of these roles (in any organization the rule's scopes allow)."""
    unknown = set(names) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    return Rule("roles:" + ",".join(sorted(names)), roles=frozenset(names))


def access(rule: Rule, **by_method: Rule) -> Callable[[F], F]:
    """Declare the access rule of a view function or MethodView method. A page that answers
    several methods may give a rule per method (`POST=roles("buyer")`); `rule` is the rule of
    the others."""

    def mark(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        view.access_rules = {m.upper(): r for m, r in by_method.items()}  # type: ignore[attr-defined]
        return view

    return mark


# Endpoints that other packages register, with their rules.
EXTERNAL_RULES: dict[str, Rule] = {
    "static": PUBLIC,
    "api-docs.openapi_json": PUBLIC,
    "api-docs.openapi_swagger_ui": PUBLIC,
}


def rule_for(app: Flask, endpoint: str, method: str) -> Rule | None:
    """The declared rule of an endpoint for one HTTP method, or None when undeclared."""
    if endpoint in EXTERNAL_RULES:
        return EXTERNAL_RULES[endpoint]
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        return getattr(handler, "access_rule", None)
    by_method = getattr(view, "access_rules", {})
    return by_method.get(method, getattr(view, "access_rule", None))


def permitted(method: str = "POST", endpoint: str | None = None) -> bool:
    """Whether the signed-in user may call `endpoint` (default: this request's) with `method`,
    by its declared rule: pages show a form only to those who may send it."""
    rule = rule_for(current_app, endpoint or request.endpoint or "", method.upper())
    return rule is not None and rule.admits(current_user)


def route_rules(app: Flask) -> Iterator[tuple[str, str, str, Rule | None]]:
    """Every (path, method, endpoint, rule) in the URL map, HEAD and OPTIONS left out."""
    for url_rule in app.url_map.iter_rules():
        if url_rule.methods is None:  # Flask's add_url_rule always names the methods
            raise ValueError(f"{url_rule.rule} accepts any method; name the methods it serves")
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            yield url_rule.rule, method, url_rule.endpoint, rule_for(app, url_rule.endpoint, method)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def enforce_access_rule():
    """Before-request hook: refuse what the route's rule does not admit."""
    if request.endpoint is None or request.method == "OPTIONS":
        return None  # 404/405 are answered by routing; OPTIONS reveals nothing
    rule = rule_for(current_app, request.endpoint, request.method)
    if rule is None:
        current_app.logger.error("route %s has no access rule; refused", request.endpoint)
        abort(403, "This route has no access rule and is refused.")
    if rule.admits(current_user):
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            abort(401, "Sign in: send 'Authorization: Bearer <token>' (POST /api/v1/auth/tokens).")
        return redirect(url_for("accounts_pages.sign_in", next=request.full_path.rstrip("?")))
    abort(403, "Your role may not do this.")


def scoped_select(model) -> Select:
    """`select(model)` limited to the rows the current user's organization may see."""
    return select(model).where(model.scope(current_user))


def get_scoped_or_404(model, record_id: Any, *options: Any):
    """The record if it exists and the current user may see it; otherwise 404 (never 403).
    `options`: loader options of the query (columns deferred or undeferred)."""
    record = db.session.scalars(
        scoped_select(model).where(model.id == record_id).options(*options)
    ).first()
    if record is None:
        abort(404, f"No {record_name(model)} with id {record_id} is visible to you.")
    return record


def record_name(model) -> str:
    """A model's name as people write it: SourcingEvent -> "sourcing event"."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()
