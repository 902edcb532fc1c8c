"""Pages: scenarios of the buyer organization, with allocation, targets, explanation and
frontier."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import defer, undefer

from procure import charts
from procure.access import access, get_scoped_or_404, roles, scoped_select
from procure.accounts.models import User
from procure.api_fields import RecordId
from procure.audit.models import AuditEvent
from procure.deliveries.actuals import actuals_if_approved, shown_vendors
from procure.editing import check_version
from procure.errors import ConflictError, ValidationFailed
from procure.events.models import SourcingEvent
from procure.extensions import db
from procure.formatting import field_words, input_number, plain_number, refusal_words
from procure.forms import form_body, form_int, load_form
from procure.jobs.models import ACTIVE_STATUSES, Job
from procure.jobs.services import TooManyJobs, latest_job
from procure.needs.models import Need
from procure.page_query import page_asked, read_query
from procure.scenarios import award_rules, figures, listing, page_facts, review, services, trail
from procure.scenarios import jobs as scenario_jobs
from procure.scenarios.models import Scenario
from procure.scenarios.schemas import (
    FrontierRequestSchema,
    ScenarioSchema,
    ScenarioUpdateSchema,
)
from procure.scoring.services import profiles_for
from procure.scoring.shared_profiles import default_profile_label
from procure.states import Objective, ScenarioStatus
from procure.transactions import attempt, discard, writes

bp = Blueprint("scenario_pages", __name__)

# what the scenario pages read from their query, as the API reads ids (the comparison's "two to
# five" is the form's rule, told by a message)
INDEX_QUERY = Schema.from_dict({"event_id": RecordId()}, name="ScenarioIndexQuerySchema")()
COMPARE_QUERY = Schema.from_dict(
    {"ids": fields.List(RecordId(), load_default=list)}, name="ScenarioCompareQuerySchema"
)()

TARGET_FIELDS = review.TARGET_FIELDS  # (key, label, hint) of "Change the targets"
OBJECTIVES = (
    (Objective.MIN_COST, "Least cost within the targets"),
    (Objective.MAX_IMPACT, "Most impact within the budget"),
    (Objective.MAX_IMPACT_WORKER_HOURS, "Most impact-worker hours (jobs) within the budget"),
)
FRONTIER_MEASURES = (
    (figures.IMPACT, "Average impact (weighted by labour hours)"),
    (figures.HOURS, "Impact-worker hours (full-time jobs)"),
)
OBJECTIVE_WORDS = {
    Objective.MIN_COST: "least cost",
    Objective.MAX_IMPACT: "most impact",
    Objective.MAX_IMPACT_WORKER_HOURS: "most impact-worker hours",
}


@bp.route("/scenarios", methods=["GET", "POST"])
@access(roles("buyer", "executive", "admin"), POST=roles("buyer"))
@writes
def index():
    read_query(INDEX_QUERY)  # a form posts its `event_id` too: read below, as before
    errors, status = {}, 200
    # an award scenario: "Make an award scenario" on a closed event's page opens this form with
    # the event's lots as its needs (another organization's event answers 404)
    event = None
    if (event_id := form_int(request.values.get("event_id"))) is not None:
        event = get_scoped_or_404(SourcingEvent, event_id)
    values = {
        "objective": Objective.MIN_COST,
        "targets": {},
        "need_ids": [lot.need_id for lot in event.lots] if event is not None else [],
    }
    if request.method == "POST":
        schema = ScenarioSchema()
        # shown again as sent: the ticked need ids, the typed targets
        values = {"targets": {}} | form_body(
            schema,
            request.form,
            null_if_blank=("profile_id", "event_id"),
            checkboxes=("need_ids",),
        )
        try:
            loaded = load_form(schema, values)
            scenario = services.create_scenario(current_user.organization_id, loaded, current_user)
            services.solve_scenario(scenario, current_user)
        except ValidationFailed as failed:
            discard()
            errors = failed.errors
        else:
            return redirect(url_for("scenario_pages.show", scenario_id=scenario.id))
        status = 422
    scenarios = db.session.scalars(
        scoped_select(Scenario).options(*listing.LIST_LOAD).order_by(Scenario.id.desc())
    ).all()
    needs = db.session.scalars(
        scoped_select(Need)
        .where(
            Need.id.in_([lot.need_id for lot in event.lots])
            if event is not None
            else Need.archived.is_(False)
        )
        .order_by(Need.id)
    ).all()
    profile_options = [
        (str(p.id), f"{p.name} (v{p.number})") for p in profiles_for(current_user.organization_id)
    ]
    shown = listing.listed(scenarios)
    solving = set(
        db.session.scalars(
            select(Job.subject_id).where(
                Job.scope(current_user),
                Job.kind == "scenario.solve",
                Job.status.in_(ACTIVE_STATUSES),
            )
        ).all()
    )
    return render_template(
        "scenarios/index.html",
        scenarios=scenarios,
        needs=needs,
        event=event,
        errors=errors,
        values=values,
        shown=shown,
        solving=solving,
        profile_options=profile_options,
        default_profile_label=default_profile_label(current_user.organization_id),
        target_fields=TARGET_FIELDS,
        objectives=OBJECTIVES,
        objective_words=OBJECTIVE_WORDS,
    ), status


@bp.route("/scenarios/<int:scenario_id>")
@access(roles("buyer", "executive", "admin"))
def show(scenario_id):
    return _page(get_scoped_or_404(Scenario, scenario_id, *PAGE_LOAD))


COMPARE_LOAD = (
    defer(Scenario.problem),
    defer(Scenario.result),
    undefer(Scenario.projection),
    undefer(Scenario.page_facts),
)
"""What the comparison loads of each scenario: the page facts, never the documents."""
PAGE_LOAD = (*COMPARE_LOAD, undefer(Scenario.page_lines))
"""What the page loads of a scenario: its page facts, never its problem and result documents
(`page_facts`; a scenario solved before they were stored loads them when its facts are worked
out)."""


ALLOCATIONS_PER_PAGE = 100
"""Allocation lines per page of a scenario's page (the largest by cost first)."""

COUNTRY_CAP_LABELS = {
    "country": "Country (two letters, such as KE)",
    "measure": "Share of",
    "max_share": "At most (%)",
    "need": "On",
}
"""The "Cap the share of one country" form's fields and their labels."""


def _page(
    scenario: Scenario,
    errors: dict[str, list[str]] | None = None,
    refused: str = "",
    conflict: dict | None = None,
):
    """The scenario's page; after a refused form (`refused`: the form's id on the page) with its
    `errors` beside its fields (named in the summary by their labels) and what was typed
    (422); after a form sent from an older version (`conflict`: `_conflict`), with what was
    typed and the notice of the other change (409)."""
    # read from the page facts (`page_facts`), never from the problem and result documents
    facts, lines = page_facts.facts_and_lines(scenario)
    problem, result = facts["problem"], facts["result"]
    chart = None
    frontier_measure = (scenario.frontier or {}).get("measure", figures.IMPACT)
    if scenario.frontier is not None:
        chart = charts.frontier_chart(
            scenario.frontier.get("points", []),
            facts["chosen_point"],
            scenario.name,
            measure=frontier_measure,
        )
    names, need_titles = review.labels_of((facts["vendor_labels"], facts["need_labels"]))
    plain = review.plain_words(names, need_titles, facts["offers"])
    priority_rows = _priority_targets(scenario, problem) if scenario.editable else []
    labels = {
        # "Change the targets"
        **{f"targets.{key}": label for key, label in review.TARGET_LABELS.items()},
        **COUNTRY_CAP_LABELS,
        **AWARD_RULE_LABELS,
        **{PRIORITY_FIELD + row["key"]: f"Priority ({row['label']})" for row in priority_rows},
    }
    impact = review.projected_summary(scenario) if facts["allocated"] else None
    allocation_page, price_sources = page_facts.lines_page(
        lines, page_asked(), ALLOCATIONS_PER_PAGE
    )
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "Scenario", AuditEvent.target_id == str(scenario.id))
        .order_by(AuditEvent.id)
    ).all()
    people = {
        u.id: u.name
        for u in db.session.scalars(
            select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        ).all()
    }
    rule_vendors = lines["vendor_options"]
    rule_vendor_search = len(rule_vendors) > RULE_VENDOR_CHECKBOXES_MAX
    solve_job = latest_job(scenario, "scenario.solve")
    report_job = latest_job(scenario, "report.board_pdf")
    frontier_job = latest_job(scenario, "scenario.frontier")
    actuals = actuals_if_approved(scenario, undelivered=False)
    actual_vendors, vendors_left_out = shown_vendors(actuals)
    return render_template(
        "scenarios/show.html",
        scenario=scenario,
        event=db.session.get(SourcingEvent, scenario.event_id) if scenario.event_id else None,
        problem=problem,
        result=result,
        relaxed=scenario.relaxed,
        profile_label=services.profile_label(scenario),
        chart=chart,
        names=names,
        need_titles=need_titles,
        plain=plain,
        price_words=review.price_words,
        price_per_step=review.price_per_step,
        slack_words=review.slack_words,
        plan_limits=facts["plan_limits"],
        impact=impact,
        in_hours=figures.counts_hours(problem),
        labour_hours=facts["labour_hours"],
        need_rows=facts["need_rows"],
        allocation_page=allocation_page,
        price_sources=price_sources,
        frontier_measure=frontier_measure,
        frontier_measures=FRONTIER_MEASURES,
        frontier_job=frontier_job,
        objectives=OBJECTIVES,
        events=events,
        people=people,
        trail_words=trail.trail_words(events),
        solve_job=solve_job,
        show_solve_panel=review.shows_solve_panel(solve_job, scenario),
        target_labels=review.TARGET_LABELS,
        report_job=report_job,
        has_report=services.has_board_report(scenario, facts["allocated"]),
        report_outdated=review.report_outdated(report_job, scenario),
        infeasibility_lines=review.infeasibility_lines(result.get("explanation") or {}),
        target_fixes=review.target_fixes(result.get("explanation") or {}, review.TARGET_LABELS),
        award_rule_lines=award_rules.rule_sentences(problem),
        award_rule_notes=(problem.get("meta") or {}).get("award_rules") or [],
        award_costs=award_rules.cost_sentence(result),
        rule_fixes=_rule_fixes(scenario, problem, result),
        relaxations=review.relaxation_rows(result, plain),
        relaxed_frontier=scenario_jobs.RELAXED_FRONTIER,
        priority_targets=priority_rows,
        country_cap_needs=[
            (str(i), need_titles.get(f"N{i}", f"Need {i}")) for i in scenario.need_ids
        ],
        # projected against actual (templates/deliveries/_section.html): approved plans only
        actuals=actuals,
        actual_vendors=actual_vendors,
        vendors_left_out=vendors_left_out,
        country_cap_labels=COUNTRY_CAP_LABELS,
        award_rule_labels=AWARD_RULE_LABELS,
        rule_vendors=rule_vendors,
        rules=result.get("constraints", []),  # the listed ones (`page_facts.work_out`)
        rules_left_out=facts["rules_left_out"],
        vendor_checkboxes=_vendor_checkboxes(rule_vendors, by_name=rule_vendor_search),
        rule_vendor_search=rule_vendor_search,
        rule_vendor_names=_rule_vendor_names(rule_vendors, lines["awarded"])
        if rule_vendor_search
        else [],
        errors=errors or {},
        refused=refused,
        values=request.form.to_dict() if refused else {},
        error_label=lambda field: labels.get(field) or field_words(field),
        conflict=conflict,
    ), (409 if conflict else 422 if errors else 200)


RULE_VENDOR_CHECKBOXES_MAX = 50
"""Up to this many vendors in the plan, the award rule forms list each to tick; above it they
list only those ticked, and fields to add a vendor by name (`_vendors_named`): three lists of
10,000 checkboxes made a 3 MiB page."""


def _vendor_checkboxes(
    options: list[tuple[str, str]], by_name: bool = False
) -> Callable[[str, Collection[str]], Markup]:
    """The award rule forms' vendor checkboxes (`award_rules.vendor_options`): for a field name
    and the ids ticked, one labelled checkbox per vendor (`by_name`: per vendor ticked, the
    others being added by name). Built here, each name escaped once, rather than by a template
    loop: a plan of 50 vendors lists them in three forms. By name, only the ticked are escaped
    (a plan of 10,000 vendors ticks a few)."""
    labels = None if by_name else [(vendor_id, str(escape(name))) for vendor_id, name in options]
    position = {vendor_id: index for index, (vendor_id, _) in enumerate(options)} if by_name else {}

    def boxes(name: str, chosen: Collection[str]) -> Markup:
        field = escape(name)
        shown = labels
        if shown is None:  # the ticked, in the options' order
            ticked = sorted(
                position[vendor_id] for vendor_id in set(chosen) if vendor_id in position
            )
            shown = [(options[i][0], str(escape(options[i][1]))) for i in ticked]
        return Markup(
            "\n".join(
                f'<label class="check"><input type="checkbox" name="{field}" '
                f'value="{escape(vendor_id)}"{" checked" if vendor_id in chosen else ""}> '
                f"{label}</label>"
                for vendor_id, label in shown
            )
        )

    return boxes


def _rule_vendor_names(options: list[tuple[str, str]], vendors: Collection[str]) -> list[str]:
    """The names the award rule forms suggest as one types a vendor's name: the vendors of the
    plan that get volume (`vendors`, their optimizer ids), by name, at most
    RULE_VENDOR_CHECKBOXES_MAX of them (any other vendor of the plan can still be typed)."""
    awarded = set(vendors)
    return [name for vendor_id, name in options if f"V{vendor_id}" in awarded][
        :RULE_VENDOR_CHECKBOXES_MAX
    ]


def _vendors_named(options: list[tuple[str, str]], typed: list[str]) -> tuple[list[str], list[str]]:
    """The ids (as text) of the plan's vendors an award rule form names (by their names as the
    form lists them, `award_rules.vendor_options`, in any case), and the names typed that no
    vendor of the plan has."""
    exact = {name: vendor_id for vendor_id, name in options}
    folded: dict[str, str] = {}
    for vendor_id, name in options:
        folded.setdefault(name.casefold(), vendor_id)
    found: list[str] = []
    unknown: list[str] = []
    for name in typed:
        match = exact.get(name) or folded.get(name.casefold())
        if match is None:
            unknown.append(name)
        elif match not in found:
            found.append(match)
    return found, unknown


STALE_FORMS = {
    "edit": ("Change the targets", "review the current values and save again"),
    "add-country-cap": ("Cap the share of one country", "review the current values and save again"),
    "priorities": ("Target priorities", "review the current values and save again"),
    "award-rule-fixes": (None, "review the fixes offered now"),
    "frontier": ("Trace the frontier", "review the current plan and trace again"),
    "submit": (None, "review the current plan and submit again"),
    "decision": ("Your decision", "review the current plan and decide again"),
}
"""Each page form that sends the version it was loaded at (by its id on the page): its heading
(None: nothing typed to keep), and what to do when someone else changed the scenario
meanwhile."""


def _stale(failed: ConflictError) -> bool:
    """Whether a refusal is of a form loaded at an older version of the scenario: someone else
    saved it meanwhile (editing.check_version and save_changes name the version field)."""
    return "version" in failed.errors


def _conflict(
    scenario: Scenario,
    refused: str,
    saved_now: Callable[[Scenario], list[tuple[str, str]]] | None = None,
    unsaved: Callable[[Scenario], list[tuple[str, str]]] | None = None,
):
    """The page again (409) after the form `refused` came from an older version of the
    scenario: nothing was saved, what was typed stays in the form, the notice says what to do
    and `saved_now` lists the saved values (label, value in words) that differ from the form,
    read once the refused change is rolled back; `unsaved`: what was typed that the page no
    longer has a form for (label, text), to copy."""
    discard()
    heading, todo = STALE_FORMS[refused]
    return _page(
        scenario,
        refused=refused,
        conflict={
            "message": "Someone else changed this scenario since you opened the page, so "
            f"nothing was saved. Please {todo}.",
            # the other change may have taken the form off the page (a decision, a submission)
            "form": heading if _form_shown(scenario, refused) else None,
            "saved_now": saved_now(scenario) if saved_now is not None else [],
            "unsaved": unsaved(scenario) if unsaved is not None else [],
        },
    )


def _form_shown(scenario: Scenario, form: str) -> bool:
    """Whether the page (templates/scenarios/show.html) shows the form `form` for this
    scenario as it is now."""
    if form == "decision":
        return scenario.status == ScenarioStatus.SUBMITTED
    if form == "frontier":
        return (
            scenario.status == ScenarioStatus.SOLVED
            and not scenario.relaxed
            and scenario.frontier is not None
            and figures.counts_hours(scenario.problem)
        )
    return scenario.editable


def _sent_version() -> int | None:
    return form_int(request.form.get("version"))


def _check_sent_version(scenario: Scenario) -> None:
    """Refuse a form loaded at an older version (409); a form that sent none (an API-shaped
    post) is not checked here."""
    if request.form.get("version") is not None:
        check_version(scenario, _sent_version(), "scenario")


def _rule_fixes(
    scenario: Scenario, problem: Mapping | None = None, result: Mapping | None = None
) -> list[dict]:
    """The award rules of the scenario's infeasibility explanation with their fixes; none to
    apply where the document left a rule out (the explanation's positions are the document's).
    `problem` and `result`: the documents as the page facts keep them, else the scenario's."""
    problem = (scenario.problem if problem is None else problem) or {}
    result = scenario.result if result is None else result
    kept_all = not (problem.get("meta") or {}).get("award_rules")
    return award_rules.rule_fixes(
        (result or {}).get("explanation"), scenario.targets if kept_all else None
    )


@bp.route("/scenarios/<int:scenario_id>/vendor-group", methods=["POST"])
@access(roles("buyer"))
@writes
def add_vendor_group(scenario_id):
    """Add a cap on the share of the vendors based in one country, and solve again; refused, the
    page again (422) with the error beside the field and what was typed."""
    scenario = get_scoped_or_404(Scenario, scenario_id)
    form = request.form
    try:
        errors = _save_targets_and_solve(
            scenario,
            lambda: award_rules.with_country_cap(
                scenario.targets,
                form.get("country", ""),
                form.get("measure", ""),
                form.get("max_share", ""),
                form.get("need", ""),
            ),
            "Saved. A new solve with this cap has started.",
            _country_cap_field,
        )
    except ConflictError:  # only a stale form comes back (_save_targets_and_solve)
        return _conflict(scenario, "add-country-cap")
    if errors:
        return _page(scenario, errors, "add-country-cap")
    return redirect(url_for("scenario_pages.show", scenario_id=scenario_id) + "#award-rules")


def _country_cap_field(key: str) -> str | None:
    """The country cap form's field of an error: the new rule's "max_share" for
    "targets.vendor_groups[2].max_share"."""
    field = key.rpartition("].")[2]
    return field if field in COUNTRY_CAP_LABELS else None


def _save_targets_and_solve(
    scenario: Scenario,
    targets_of: Callable[[], dict],
    done: str,
    field_of: Callable[[str], str | None] | None = None,
) -> dict[str, list[str]]:
    """Save the targets `targets_of()` gives (at the form's version) and solve again. A refusal
    changes nothing; a form whose fields the page shows (`field_of`: an error's key to the
    form's field, None where it has none) gets its errors back, by field, to show beside them;
    otherwise the refusal is flashed, each field named. A form loaded at an older version is
    raised (ConflictError naming the version) for the page to show it again (`_conflict`)."""
    try:
        version = _sent_version()
        services.update_scenario(scenario, {"targets": targets_of()}, version, current_user)
        services.solve_scenario(scenario, current_user)
    except ConflictError as failed:
        discard()
        if _stale(failed):
            raise
        flash(f"Nothing was changed. {_refusal(failed)}", "error")
    except ValidationFailed as failed:
        discard()
        if field_of is not None:
            return {field_of(key) or key: messages for key, messages in failed.errors.items()}
        # the rule's own field: "targets.vendor_groups[2].max_share" is its "max_share"
        words = "; ".join(
            refusal_words({key.rpartition("].")[2]: messages})
            for key, messages in failed.errors.items()
        )
        flash(f"Nothing was changed. {words}", "error")
    else:
        flash(done, "success")
    return {}


@bp.route("/scenarios/<int:scenario_id>/rule-fix", methods=["POST"])
@access(roles("buyer"))
@writes
def rule_fix(scenario_id):
    """The "Apply this fix" of an award rule: set its limit to the figure the explanation found
    (read from the stored result, not the form) and solve again."""
    scenario = get_scoped_or_404(Scenario, scenario_id)
    fixes = {row["field"]: row["fix"] for row in _rule_fixes(scenario) if row["fix"] is not None}
    field = request.form.get("field", "")
    if field not in fixes:
        flash(
            "Nothing was changed: this fix is not offered. Solve again for the current ones.",
            "error",
        )
        return redirect(url_for("scenario_pages.show", scenario_id=scenario_id))
    try:
        _save_targets_and_solve(
            scenario,
            lambda: award_rules.with_fix(scenario.targets, field, fixes[field]),
            "Saved. A new solve with this rule changed has started.",
        )
    except ConflictError:  # a stale form
        return _conflict(scenario, "award-rule-fixes")
    return redirect(url_for("scenario_pages.show", scenario_id=scenario_id))


@bp.route("/scenarios/<int:scenario_id>/priorities", methods=["POST"])
@access(roles("buyer"))
@writes
def priorities(scenario_id):
    """The target priorities form: each target's priority (empty: hard), saved, and a new
    solve; refused, the page again (422) with the errors beside the fields and what was typed."""
    scenario = get_scoped_or_404(Scenario, scenario_id)
    sent = {
        key.removeprefix(PRIORITY_FIELD): value
        for key, value in request.form.items()
        if key.startswith(PRIORITY_FIELD)
    }
    sent_as = f"targets.{award_rules.PRIORITIES}."  # the key of "priority.budget"'s errors
    try:
        errors = _save_targets_and_solve(
            scenario,
            lambda: award_rules.with_priorities(scenario.targets, sent),
            "Saved. A new solve with these priorities has started.",
            lambda key: (
                PRIORITY_FIELD + key.removeprefix(sent_as) if key.startswith(sent_as) else None
            ),
        )
    except ConflictError:  # a stale form
        return _conflict(scenario, "priorities", lambda saved: _saved_priorities(saved, sent))
    if errors:
        return _page(scenario, errors, "priorities")
    return redirect(url_for("scenario_pages.show", scenario_id=scenario_id) + "#priorities")


PRIORITY_FIELD = "priority."
"""The priorities form names each target's field "priority.<key in targets.priorities>"."""

AWARD_RULE_LABELS = {
    "incumbent.need": "Need",
    "incumbent.vendors": "Incumbent vendors",
    "incumbent.min_share": "They keep at least (%)",
    "incumbent.min_volume": "Or at least this many units",
    "adjustment.vendors": "Vendors",
    "adjustment.group": "Or a vendor group",
    "adjustment.percent": "Percent added to their prices (negative: taken off)",
    "adjustment.per_unit": "Dollars added to a unit's price (negative: taken off)",
    "group.label": "Name of the group",
    "group.vendors": "Vendors in the group",
    "incumbent.vendor_names": "Add an incumbent vendor by name",
    "adjustment.vendor_names": "Add a vendor by name",
    "group.vendor_names": "Add a vendor to the group by name",
    "group.measure": "Share of",
    "group.min_share": "At least (%)",
    "group.max_share": "At most (%)",
    "group.need": "On",
    "region.label": "Name of the region",
    "region.countries": "Countries (two letters each, such as KE, UG, TZ)",
    "region.measure": "Share of",
    "region.min_share": "At least (%)",
    "region.max_share": "At most (%)",
    "region.need": "On",
}
"""The award rule forms' fields (named "<form>.<field of the rule's record>") and labels."""


@dataclass(frozen=True)
class RuleForm:
    """One award rule form of the scenario page: its id on the page, the prefix of its fields'
    names, the targets list it adds a record to, the fields, and how it adds one."""

    page_id: str
    heading: str
    prefix: str
    key: str
    fields: tuple[str, ...]
    add: Callable[[Mapping[str, Any], Mapping[str, Any], str], dict[str, Any]]
    done: str
    # the form's field that a refusal of the whole record (no field named) is shown beside
    record_field: str


RULE_FORMS = {
    form.page_id: form
    for form in (
        RuleForm(
            "add-incumbent",
            "Keep a share with the incumbents",
            "incumbent",
            "incumbents",
            award_rules.INCUMBENT_FIELDS,
            award_rules.with_incumbent_rule,
            "Saved. A new solve with this incumbent rule has started.",
            "min_share",
        ),
        RuleForm(
            "add-adjustment",
            "Adjust prices when choosing the plan",
            "adjustment",
            "adjustments",
            award_rules.ADJUSTMENT_FIELDS,
            award_rules.with_adjustment,
            "Saved. A new solve with this price adjustment has started.",
            "vendors",
        ),
        RuleForm(
            "add-vendor-list",
            "Limit the share of vendors you choose",
            "group",
            "vendor_groups",
            award_rules.VENDOR_LIST_FIELDS,
            award_rules.with_vendor_list_group,
            "Saved. A new solve with this vendor group has started.",
            "max_share",
        ),
        RuleForm(
            "add-region",
            "Limit the share of a region",
            "region",
            "vendor_groups",
            award_rules.REGION_FIELDS,
            award_rules.with_region_group,
            "Saved. A new solve with this region's limits has started.",
            "countries",
        ),
    )
}


STALE_FORMS.update(
    {
        form.page_id: (form.heading, "review the current values and save again")
        for form in RULE_FORMS.values()
    }
)


def _add_rule(scenario_id: int, form: RuleForm):
    """Add the rule a form of the page sent to the scenario's targets, through the API's schema
    and the scenario's services (as a PATCH of its targets would), and solve again; refused,
    the page again (422) with the errors beside the fields and what was typed."""
    scenario = get_scoped_or_404(Scenario, scenario_id)
    sent: dict[str, Any] = {
        name: request.form.getlist(f"{form.prefix}.{name}")
        if name == "vendors"
        else request.form.get(f"{form.prefix}.{name}", "")
        for name in form.fields
    }
    # a large plan's forms name the vendors to add (RULE_VENDOR_CHECKBOXES_MAX)
    names_field = f"{form.prefix}.vendor_names"
    named, unknown = _vendors_named(
        award_rules.vendor_options(scenario.problem, review.problem_labels(scenario.problem)[0]),
        [name.strip() for name in request.form.getlist(names_field) if name.strip()],
    )
    if "vendors" in sent:  # a region's form names countries, not vendors
        sent["vendors"] = [*sent["vendors"], *(v for v in named if v not in sent["vendors"])]
    position = len((scenario.targets or {}).get(form.key) or [])
    path = f"targets.{form.key}[{position}]"

    def field_of(key: str) -> str | None:
        if key.startswith(f"{form.prefix}."):
            return key
        if key == path:
            return f"{form.prefix}.{form.record_field}"
        if key.startswith(f"{path}."):
            name = key.removeprefix(f"{path}.").partition("[")[0]
            return f"{form.prefix}.{name}" if name in form.fields else None
        return None

    def targets_of() -> dict:
        unknown_errors = {
            names_field: [
                "No vendor in this plan is named "
                + " or ".join(f"“{name}”" for name in unknown)
                + ": type the name as the plan lists it."
            ]
        }
        try:
            targets = load_form(
                ScenarioUpdateSchema(only=("targets",)),
                {"targets": form.add(scenario.targets or {}, sent, form.prefix)},
            )["targets"]
        except ValidationFailed as refused:
            if not unknown:
                raise
            # the vendors field's own refusal ("tick at least one") is moot while a name is wrong
            kept = {
                key: messages
                for key, messages in refused.errors.items()
                if field_of(key) != f"{form.prefix}.vendors"
            }
            raise ValidationFailed({**kept, **unknown_errors}) from None
        if unknown:
            raise ValidationFailed(unknown_errors)
        return targets

    try:
        errors = _save_targets_and_solve(scenario, targets_of, form.done, field_of)
    except ConflictError:  # only a stale form comes back (_save_targets_and_solve)
        return _conflict(scenario, form.page_id)
    if errors:
        return _page(scenario, errors, form.page_id)
    return redirect(url_for("scenario_pages.show", scenario_id=scenario_id) + "#award-rules")


@bp.route("/scenarios/<int:scenario_id>/incumbent-rule", methods=["POST"])
@access(roles("buyer"))
@writes
def add_incumbent_rule(scenario_id):
    """Keep at least a share or volume of one need with the incumbents the buyer ticks."""
    return _add_rule(scenario_id, RULE_FORMS["add-incumbent"])


@bp.route("/scenarios/<int:scenario_id>/bid-adjustment", methods=["POST"])
@access(roles("buyer"))
@writes
def add_bid_adjustment(scenario_id):
    """Count the prices of the ticked vendors (or of one vendor group) higher or lower when
    choosing the plan."""
    return _add_rule(scenario_id, RULE_FORMS["add-adjustment"])


@bp.route("/scenarios/<int:scenario_id>/vendor-list-group", methods=["POST"])
@access(roles("buyer"))
@writes
def add_vendor_list_group(scenario_id):
    """A group of the vendors the buyer ticks, with the least and most share it gets."""
    return _add_rule(scenario_id, RULE_FORMS["add-vendor-list"])


@bp.route("/scenarios/<int:scenario_id>/region-group", methods=["POST"])
@access(roles("buyer"))
@writes
def add_region_group(scenario_id):
    """A group of the vendors based in the countries the buyer lists (a region it names), with
    the least and most share it gets."""
    return _add_rule(scenario_id, RULE_FORMS["add-region"])


def _saved_priorities(scenario: Scenario, sent: dict[str, str]) -> list[tuple[str, str]]:
    """The saved priorities that differ from the ones sent, in words."""
    return [
        (
            f"Priority ({row['label']})",
            plain_number(row["priority"])
            if row["priority"] is not None
            else "none (it never gives way)",
        )
        for row in (_priority_targets(scenario) if scenario.editable else [])
        if input_number(row["priority"]) != (sent.get(row["key"]) or "").strip()
    ]


def _priority_targets(scenario: Scenario, problem: Mapping | None = None) -> list[dict]:
    """The scenario's targets that may take a priority (award_rules.priority_targets);
    `problem`: as the page facts keep it, else the scenario's."""
    needs = db.session.scalars(
        scoped_select(Need).where(Need.id.in_(scenario.need_ids)).order_by(Need.id)
    ).all()
    problem = scenario.problem if problem is None else problem
    budget = ((problem or {}).get("targets") or {}).get("budget")
    return award_rules.priority_targets(scenario.targets, needs, budget)


@bp.route("/scenarios/<int:scenario_id>/solve", methods=["POST"])
@access(roles("buyer"))
@writes
def solve(scenario_id):
    scenario = get_scoped_or_404(Scenario, scenario_id)
    attempt(
        lambda: services.solve_scenario(scenario, current_user), "Solving again with today's data."
    )
    return redirect(url_for("scenario_pages.show", scenario_id=scenario_id))


@bp.route("/scenarios/<int:scenario_id>/report", methods=["POST"])
@access(roles("buyer", "executive", "admin"))
@writes
def report(scenario_id):
    """Start rendering the board PDF; the page shows its progress and then a download link."""
    scenario = get_scoped_or_404(Scenario, scenario_id)
    try:
        attempt(lambda: services.start_board_report(scenario, current_user), None)
    except TooManyJobs as refused:  # the API answers 429; the page says why
        discard()
        flash(refused.description or "Too many reports are being prepared.", "error")
    return redirect(url_for("scenario_pages.show", scenario_id=scenario_id) + "#report")


@bp.route("/scenarios/<int:scenario_id>/frontier", methods=["POST"])
@access(roles("buyer"))
@writes
def frontier(scenario_id):
    """Trace the frontier again by the measure the buyer chose in the frontier's form."""
    scenario = get_scoped_or_404(Scenario, scenario_id)
    schema = FrontierRequestSchema()
    try:
        _check_sent_version(scenario)
        body = load_form(schema, form_body(schema, request.form, null_if_blank=("measure",)))
        scenario_jobs.start_frontier(scenario, body["measure"], current_user)
    except ConflictError as failed:
        if _stale(failed):
            return _conflict(scenario, "frontier")
        discard()
        flash(f"The frontier was not traced again. {_refusal(failed)}", "error")
    except ValidationFailed as failed:
        discard()
        flash(f"The frontier was not traced again. {_refusal(failed)}", "error")
    else:
        flash("Tracing the frontier again by the measure you chose.", "success")
    return redirect(url_for("scenario_pages.show", scenario_id=scenario_id) + "#frontier")


def _refusal(failed: ValidationFailed | ConflictError) -> str:
    """A refused change in words, each refused field named."""
    if isinstance(failed, ConflictError):
        return failed.message
    return refusal_words(failed.errors)


@bp.route("/scenarios/<int:scenario_id>/copy", methods=["POST"])
@access(roles("buyer"))
@writes
def copy(scenario_id):
    copied = services.copy_scenario(get_scoped_or_404(Scenario, scenario_id), current_user)
    services.solve_scenario(copied, current_user)
    flash("Copied and solving. Change its targets below.", "success")
    return redirect(url_for("scenario_pages.show", scenario_id=copied.id))


@bp.route("/scenarios/<int:scenario_id>/edit", methods=["POST"])
@access(roles("buyer"))
@writes
def edit(scenario_id):
    scenario = get_scoped_or_404(Scenario, scenario_id)
    schema = ScenarioUpdateSchema()
    body = form_body(schema, request.form, null_if_blank=("profile_id",), absent_if_blank=("name",))
    body.pop("need_ids", None)  # the needs stay; copy the scenario to choose others
    if "targets" in body:  # the form holds the number targets; the award rules stay
        body["targets"] = {**award_rules.award_targets(scenario.targets), **body["targets"]}
    try:
        values = load_form(schema, body)
        services.update_scenario(scenario, values, values.pop("version"), current_user)
        services.solve_scenario(scenario, current_user)
    except ConflictError as failed:
        if _stale(failed):
            return _conflict(scenario, "edit", _saved_targets)
        discard()
        flash(f"Nothing was changed. {_refusal(failed)}", "error")
    except ValidationFailed as failed:  # the page again, with what was typed and why (422)
        discard()
        return _page(get_scoped_or_404(Scenario, scenario_id), failed.errors, "edit")
    else:
        flash("Saved. A new solve with these targets has started.", "success")
    return redirect(url_for("scenario_pages.show", scenario_id=scenario_id))


def _saved_targets(scenario: Scenario) -> list[tuple[str, str]]:
    """The saved name, objective and targets that differ from the "Change the targets" form
    sent, in words."""
    form = request.form
    saved = (scenario.problem or {}).get("targets") or scenario.targets
    rows = []
    if "name" in form and form["name"].strip() != scenario.name:
        rows.append(("Name", scenario.name))
    if "objective" in form and form["objective"] != scenario.objective:
        objectives: dict[str, str] = dict(OBJECTIVES)
        rows.append(("Objective", objectives.get(scenario.objective, scenario.objective)))
    for key, label, _ in TARGET_FIELDS:
        name = f"targets.{key}"
        if name in form and form[name].strip() != input_number(saved.get(key)):
            rows.append(
                (label, plain_number(saved.get(key)) if saved.get(key) is not None else "empty")
            )
    return rows


@bp.route("/scenarios/<int:scenario_id>/submit", methods=["POST"])
@access(roles("buyer"))
@writes
def submit(scenario_id):
    """Send the scenario to the executives (its board PDF is queued with it); a form loaded
    before someone else changed it shows the page again (409)."""
    scenario = get_scoped_or_404(Scenario, scenario_id)
    try:
        services.submit_scenario(scenario, current_user, _sent_version())
    except ConflictError as failed:
        if _stale(failed):
            return _conflict(scenario, "submit")
        discard()
        flash(failed.message, "error")
    else:
        flash(
            "Sent to your executives for review. The scenario is frozen now; its board PDF is "
            "being prepared for them.",
            "success",
        )
    return redirect(url_for("scenario_pages.show", scenario_id=scenario_id))


@bp.route("/scenarios/<int:scenario_id>/decision", methods=["POST"])
@access(roles("executive"))
@writes
def decide(scenario_id):
    scenario = get_scoped_or_404(Scenario, scenario_id)
    try:
        _check_sent_version(scenario)
        services.decide_scenario(
            scenario,
            request.form.get("decision", ""),
            request.form.get("comment", ""),
            current_user,
        )
    except ConflictError as failed:
        if _stale(failed):
            return _conflict(scenario, "decision", unsaved=_unsaved_comment)
        discard()
        flash(f"Nothing was decided. {failed.message}", "error")
    except ValidationFailed as failed:
        discard()
        detail = " ".join(m for messages in failed.errors.values() for m in messages)
        flash(f"Nothing was decided. {detail}", "error")
    else:
        flash(f"{scenario.name} is {scenario.status}.", "success")
    return redirect(url_for("scenario_pages.show", scenario_id=scenario_id))


def _unsaved_comment(scenario: Scenario) -> list[tuple[str, str]]:
    """The decision's comment, when the scenario is no longer waiting for a decision (someone
    decided it meanwhile: the form is gone from the page)."""
    comment = request.form.get("comment", "").strip()
    if scenario.status == ScenarioStatus.SUBMITTED or not comment:
        return []
    return [("Your comment", comment)]


@bp.route("/scenarios/<int:scenario_id>/check")
@access(roles("buyer", "executive", "admin"))
def check(scenario_id):
    """Re-solve the stored problem and say whether the allocation is identical (changes nothing)."""
    scenario = get_scoped_or_404(Scenario, scenario_id)
    try:
        outcome = services.check_frozen(scenario)
    except ConflictError as conflict:
        flash(conflict.message, "error")
    else:
        cost = lambda value: "no plan" if value is None else f"${value:,.2f}"  # noqa: E731 (infeasible: no total)
        if outcome["identical"]:
            flash(
                f"Re-solved the stored problem: the same {outcome['stored_allocations']} "
                f"allocation lines and the same total ({cost(outcome['stored_cost'])}).",
                "success",
            )
        else:
            flash(
                f"Re-solving gave a different plan ({cost(outcome['resolved_cost'])} against "
                f"{cost(outcome['stored_cost'])}). Please report this.",
                "error",
            )
    return redirect(url_for("scenario_pages.show", scenario_id=scenario_id))


COMPARED_VENDORS_SHOWN = 100
"""Vendors the comparison's work-by-vendor table lists: those whose work differs most between
the plans (a plan of 10,000 vendors would list them all)."""


@bp.route("/scenarios/compare")
@access(roles("buyer", "executive", "admin"))
def compare():
    ids = read_query(COMPARE_QUERY)["ids"]
    if not 2 <= len(ids) <= 5:
        flash("Choose two to five scenarios to compare.", "error")
        return redirect(url_for("scenario_pages.index"))
    scenarios = [get_scoped_or_404(Scenario, i, *COMPARE_LOAD) for i in ids]
    comparison = review.compare(scenarios)
    largest = max((max(r["values"]) for r in comparison["vendor_rows"]), default=0.0)
    chart = review.chart_inputs(comparison)
    return render_template(
        "scenarios/compare.html",
        comparison=comparison,
        vendor_rows=comparison["vendor_rows"][:COMPARED_VENDORS_SHOWN],
        vendors_left_out=max(0, len(comparison["vendor_rows"]) - COMPARED_VENDORS_SHOWN),
        largest=largest,
        chart=chart,
        chart_svg=charts.plans_chart(chart["plans"], chart["drawn"], chart["measure"]),
    )
