"""Pages: the coalitions a backbone runs or a buyer organization is invited to or a member of
(the list); making one and editing its charter; a coalition's page, with its charter, each
target's projected (and actual) progress as a bar and a chart over the target's months, the
members, the vendor load (the backbone) or the member's own flagged vendors, the feed, and the
forms of whoever may act: find buyer organizations by name and invite them, set a target,
announce (the backbone), accept, decline, leave and share the contribution by name (a buyer
organization's executives and admin), and the coalition report (PDF) the backbone and the
active members make and download. The search for organizations to invite is a GET of the page
itself (`q`), so it works without JavaScript. Forms are read through the API's schemas."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from procure.access import access, get_scoped_or_404, permitted, scoped_select
from procure.coalitions import jobs as coalition_jobs
from procure.coalitions import measurement as shared_measurement
from procure.coalitions import services
from procure.coalitions.models import Coalition
from procure.coalitions.report import figure_text, in_measure, progress_charts
from procure.coalitions.routes import (
    ADOPTERS,
    ANSWERING,
    BACKBONE,
    LISTERS,
    READERS,
    CoalitionView,
    insider_or_404,
    target_or_404,
)
from procure.coalitions.schemas import (
    AnnouncementSchema,
    CharterSchema,
    CoalitionUpdateSchema,
    CoalitionWeightsFormSchema,
    InviteSchema,
    SharingSchema,
    TargetSchema,
    TargetUpdateSchema,
    UsesProfileSchema,
)
from procure.errors import ValidationFailed
from procure.extensions import db
from procure.formatting import refusal_words
from procure.forms import form_body, load_form
from procure.jobs.services import TooManyJobs
from procure.scoring.schemas import MetricFormSchema
from procure.scoring.views import new_metric_values, standard_choices
from procure.states import CoalitionMemberState, TargetMeasure
from procure.transactions import attempt, discard, submit, writes
from scoring.contract import FORMULA_FIELDS

bp = Blueprint("coalition_pages", __name__)

FEED_ON_PAGE = 30
MEASURE_OPTIONS = [(measure.value, services.MEASURE_LABELS[measure]) for measure in TargetMeasure]
# the page's words for a measure it does not know: the labels its select shows (the API's
# message names the keys, which the select does not show)
UNKNOWN_MEASURE = (
    "Choose one of the measures: " + "; ".join(label for _, label in MEASURE_OPTIONS) + "."
)


def _target_errors(errors: dict[str, list[str]], sent: str | None) -> dict[str, list[str]]:
    """A refused target form's errors as the page says them: an unknown measure by the labels
    of the measures, not their keys."""
    if "measure" in errors and sent not in tuple(TargetMeasure):
        return {**errors, "measure": [UNKNOWN_MEASURE]}
    return errors


def _user():
    return current_user._get_current_object()


@bp.context_processor
def _helpers():
    return {
        "measure_label": services.measure_words,
        "in_measure": in_measure,
        "figure_text": figure_text,
    }


@bp.route("/coalitions")
@access(LISTERS)
def index():
    coalitions = db.session.scalars(
        scoped_select(Coalition)
        .options(selectinload(Coalition.organization))
        .order_by(Coalition.id.desc())
        .limit(500)
    ).all()
    return render_template(
        "coalitions/index.html",
        coalitions=coalitions,
        readers=services.readers(coalitions, _user()),
        can_make=permitted("POST", "coalition_pages.new"),
    )


def _charter_values(coalition: Coalition | None) -> dict:
    if coalition is None:
        return {"impact_vendor_min_score": 50}
    return {name: getattr(coalition, name) for name in services.CHARTER_FIELDS} | {
        "version": coalition.version
    }


@bp.route("/coalitions/new", methods=["GET", "POST"])
@access(BACKBONE)
@writes
def new():
    values, errors, status = _charter_values(None), {}, 200
    if request.method == "POST":
        schema = CharterSchema()
        body = form_body(schema, request.form, null_if_blank=("theory_of_change",))
        values = {**values, **body}
        made = submit(lambda: services.create_coalition(_user(), load_form(schema, body)))
        if (coalition := made.result) is not None:
            flash(f"The coalition {coalition.name!r} is made: set its targets, invite members.")
            return redirect(url_for("coalition_pages.show", coalition_id=coalition.id))
        errors, status = made.errors, made.status
    return render_template(
        "coalitions/edit.html", coalition=None, values=values, errors=errors
    ), status


@bp.route("/coalitions/<int:coalition_id>/edit", methods=["GET", "POST"])
@access(BACKBONE)
@writes
def edit(coalition_id):
    coalition = get_scoped_or_404(Coalition, coalition_id)
    values, errors, status = _charter_values(coalition), {}, 200
    if request.method == "POST":
        schema = CoalitionUpdateSchema()
        body = form_body(schema, request.form, null_if_blank=("theory_of_change",))
        values = {**values, **body}

        def change():
            loaded = load_form(schema, body)
            sent = loaded.pop("version")
            return services.update_coalition(coalition, _user(), loaded, sent)

        saved = submit(change)
        if saved.done:
            flash("The charter is saved.", "success")
            return redirect(url_for("coalition_pages.show", coalition_id=coalition.id))
        if saved.conflict:
            return redirect(url_for("coalition_pages.show", coalition_id=coalition.id))
        errors, status = saved.errors, saved.status
    return render_template(
        "coalitions/edit.html", coalition=coalition, values=values, errors=errors
    ), status


@bp.route("/coalitions/<int:coalition_id>")
@access(READERS)
def show(coalition_id):
    return _page(get_scoped_or_404(Coalition, coalition_id))


def _page(coalition: Coalition, errors: dict | None = None, values: dict | None = None):
    """The coalition's page; with the `errors` and `values` of a refused form on it (422)."""
    view = CoalitionView(coalition)
    seen_by = view.reader
    progress = load = None
    if seen_by.insider:
        loaded = services.figures(coalition)
        progress = services.progress_view(coalition, seen_by, loaded)
        load = services.vendor_load_view(coalition, seen_by, loaded)
    feed = (
        db.session.scalars(services.feed_select(coalition).limit(FEED_ON_PAGE)).all()
        if seen_by.insider
        else []
    )
    can_run = seen_by.backbone and permitted("POST", "coalition_pages.invite")
    query = request.args.get("q", "").strip()[: services.MAX_NAME_LENGTH]
    found, total = (
        services.candidates(coalition, query) if can_run and "q" in request.args else ([], None)
    )
    return render_template(
        "coalitions/show.html",
        coalition=coalition,
        view=view,
        seen_by=seen_by,
        progress=progress,
        drawn=progress_charts(progress) if progress else {},
        load=load,
        feed=feed,
        query=query,
        candidates=found,
        candidates_total=total,
        report_job=coalition_jobs.latest_report(coalition, _user()) if seen_by.insider else None,
        can_report=seen_by.insider and permitted("POST", "coalition_pages.report"),
        can_run=can_run,
        can_answer=permitted("POST", "coalition_pages.accept"),
        measure_options=MEASURE_OPTIONS,
        states=CoalitionMemberState,
        errors=errors or {},
        values=values or {},
    ), (422 if errors else 200)


def _from_page(
    coalition_id: int, change, done: str, done_url: str | None = None, inline: bool = False
):
    """Run a change from the coalition's page and go back to it (or, once done, to `done_url`
    when given). Refusals are flashed, or, for a form whose fields the page shows (`inline`),
    shown beside them on the page again (422), with what was typed."""
    coalition = get_scoped_or_404(Coalition, coalition_id)
    changed = submit(lambda: change(coalition))
    if changed.done:
        flash(done, "success")
        if done_url is not None:
            return redirect(done_url)
    elif changed.errors and inline:
        return _page(coalition, changed.errors, request.form.to_dict())
    for field, messages in changed.errors.items():
        flash(refusal_words({field: messages}), "error")
    return redirect(url_for("coalition_pages.show", coalition_id=coalition_id))


def _form(schema):
    return load_form(schema, form_body(schema, request.form))


@bp.route("/coalitions/<int:coalition_id>/members", methods=["POST"])
@access(BACKBONE)
@writes
def invite(coalition_id):
    return _from_page(
        coalition_id,
        lambda c: services.invite_member(c, _user(), _form(InviteSchema())["organization_id"]),
        "Invited: the organization's executives and admin are told.",
        inline=True,
    )


@bp.route("/coalitions/<int:coalition_id>/report", methods=["POST"])
@access(READERS)
@writes
def report(coalition_id):
    """Start the coalition report (PDF); the page shows its progress and then a download link.
    The backbone and the active members only (anyone else: 404, as the coalition's data)."""
    coalition, _ = insider_or_404(coalition_id)
    try:
        attempt(lambda: coalition_jobs.start_report(coalition, _user()), None)
    except TooManyJobs as refused:  # the API answers 429; the page says why
        discard()
        flash(refused.description or "Too many reports are being prepared.", "error")
    return redirect(url_for("coalition_pages.show", coalition_id=coalition_id) + "#report")


@bp.route("/coalitions/<int:coalition_id>/membership/accept", methods=["POST"])
@access(ANSWERING)
@writes
def accept(coalition_id):
    return _from_page(
        coalition_id,
        lambda c: services.accept_invitation(c, _user()),
        "Your organization joined the coalition.",
    )


@bp.route("/coalitions/<int:coalition_id>/membership/decline", methods=["POST"])
@access(ANSWERING)
@writes
def decline(coalition_id):
    return _from_page(
        coalition_id,
        lambda c: services.decline_invitation(c, _user()),
        "Declined: the backbone is told.",
        url_for("coalition_pages.index"),
    )


@bp.route("/coalitions/<int:coalition_id>/membership/leave", methods=["POST"])
@access(ANSWERING)
@writes
def leave(coalition_id):
    return _from_page(
        coalition_id,
        lambda c: services.leave_coalition(c, _user()),
        "Your organization left the coalition.",
        url_for("coalition_pages.index"),
    )


@bp.route("/coalitions/<int:coalition_id>/membership/sharing", methods=["POST"])
@access(ANSWERING)
@writes
def sharing(coalition_id):
    def change(coalition):
        shares = _form(SharingSchema())["shares_contribution"]
        return services.set_sharing(coalition, _user(), shares)

    return _from_page(coalition_id, change, "Your choice is saved.")


@bp.route("/coalitions/<int:coalition_id>/posts", methods=["POST"])
@access(BACKBONE)
@writes
def announce(coalition_id):
    return _from_page(
        coalition_id,
        lambda c: services.announce(c, _user(), _form(AnnouncementSchema())["text"]),
        "Announced: the members are told.",
        inline=True,
    )


@bp.route("/coalitions/<int:coalition_id>/targets/new", methods=["GET", "POST"])
@access(BACKBONE)
@writes
def new_target(coalition_id):
    coalition = get_scoped_or_404(Coalition, coalition_id)
    values = {
        "measure": TargetMeasure.IMPACT_WORKER_JOBS.value,
        "period_start": coalition.period_start,
        "period_end": coalition.period_end,
    }
    errors, status = {}, 200
    if request.method == "POST":
        schema = TargetSchema()
        body = form_body(schema, request.form)
        values = {**values, **body}
        made = submit(lambda: services.add_target(coalition, _user(), load_form(schema, body)))
        if made.done:
            flash("The target is set: the members are told in the feed.", "success")
            return redirect(url_for("coalition_pages.show", coalition_id=coalition.id))
        errors, status = _target_errors(made.errors, body.get("measure")), made.status
    return render_template(
        "coalitions/target.html",
        coalition=coalition,
        target=None,
        values=values,
        errors=errors,
        measure_options=MEASURE_OPTIONS,
        group_options=sorted(services.group_labels().items(), key=lambda item: item[1]),
    ), status


@bp.route("/coalitions/<int:coalition_id>/targets/<int:target_id>/edit", methods=["GET", "POST"])
@access(BACKBONE)
@writes
def edit_target(coalition_id, target_id):
    coalition = get_scoped_or_404(Coalition, coalition_id)
    target = target_or_404(coalition, target_id)
    values = {name: getattr(target, name) for name in services.TARGET_FIELDS} | {
        "version": target.version
    }
    errors, status = {}, 200
    if request.method == "POST":
        schema = TargetUpdateSchema()
        body = form_body(schema, request.form)
        values = {**values, **body}

        def change():
            loaded = load_form(schema, body)
            sent = loaded.pop("version")
            return services.update_target(target, _user(), loaded, sent)

        saved = submit(change)
        if saved.done:
            flash("The target is changed: the members are told in the feed.", "success")
            return redirect(url_for("coalition_pages.show", coalition_id=coalition.id))
        if saved.conflict:
            return redirect(url_for("coalition_pages.show", coalition_id=coalition.id))
        errors, status = _target_errors(saved.errors, body.get("measure")), saved.status
    return render_template(
        "coalitions/target.html",
        coalition=coalition,
        target=target,
        values=values,
        errors=errors,
        measure_options=MEASURE_OPTIONS,
        group_options=sorted(services.group_labels().items(), key=lambda item: item[1]),
    ), status


# ---------------------------------------------------------------- shared measurement


def _measurement_page(
    coalition: Coalition,
    errors: dict | None = None,
    values: dict | None = None,
    weight_errors: dict | None = None,
):
    """The coalition's metrics and profile: read-only for a member (with the control to adopt
    it or stop), with the forms to add and remove metrics and set the weights for the backbone;
    with a refused form's errors and what was typed (422)."""
    coalition, seen_by = insider_or_404(coalition.id)
    view = shared_measurement.profile_view(coalition, seen_by.membership)
    failed = bool(errors or weight_errors)
    return render_template(
        "coalitions/measurement.html",
        coalition=coalition,
        seen_by=seen_by,
        view=view,
        pillars=view["settings"]["pillar_weights"],
        can_edit=seen_by.backbone and permitted("POST", "coalition_pages.set_weights"),
        can_adopt=seen_by.member and permitted("POST", "coalition_pages.adopt_profile"),
        errors=errors or {},
        values=values or new_metric_values(),
        weight_errors=weight_errors or {},
        fields=sorted(FORMULA_FIELDS),
        standard_choices=standard_choices(),
    ), (422 if failed else 200)


@bp.route("/coalitions/<int:coalition_id>/measurement")
@access(READERS)
def measurement(coalition_id):
    return _measurement_page(get_scoped_or_404(Coalition, coalition_id))


def _back_to_measurement(coalition_id: int):
    return redirect(url_for("coalition_pages.measurement", coalition_id=coalition_id))


@bp.route("/coalitions/<int:coalition_id>/metrics", methods=["POST"])
@access(BACKBONE)
@writes
def add_metric(coalition_id):
    coalition = get_scoped_or_404(Coalition, coalition_id)
    schema = MetricFormSchema()
    body = form_body(schema, request.form)
    added = submit(
        lambda: shared_measurement.add_metric(coalition, _user(), load_form(schema, body))
    )
    if added.done:
        flash(
            f"Added {added.result.label}. Give it a weight in the coalition profile to count it.",
            "success",
        )
        return _back_to_measurement(coalition_id)
    bounds = body.get("goalposts") or {}
    typed = body | {"goalposts": [bounds.get("low"), bounds.get("high")]}
    return _measurement_page(coalition, errors=added.errors, values=typed)


@bp.route("/coalitions/<int:coalition_id>/metrics/<int:metric_id>/delete", methods=["POST"])
@access(BACKBONE)
@writes
def delete_metric(coalition_id, metric_id):
    def remove(coalition):
        metric = shared_measurement.metric_of(coalition, metric_id)
        if metric is None:
            raise ValidationFailed({"metric": ["No such metric in this coalition."]})
        shared_measurement.delete_metric(coalition, metric, _user())

    _from_page(coalition_id, remove, "The metric is removed.")
    return _back_to_measurement(coalition_id)


@bp.route("/coalitions/<int:coalition_id>/profile", methods=["POST"])
@access(BACKBONE)
@writes
def set_weights(coalition_id):
    coalition = get_scoped_or_404(Coalition, coalition_id)
    schema = CoalitionWeightsFormSchema()
    body = form_body(schema, request.form)

    def change():
        loaded = load_form(schema, body)
        current = shared_measurement.profile_view(coalition, None)["settings"]
        # a weight not sent stays as it is; one set to 0 weighs nothing (and is left out)
        weights = current["metric_weights"] | loaded["metric_weights"]
        chosen = {key: value for key, value in weights.items() if value}
        settings = current | {
            "pillar_weights": current["pillar_weights"] | loaded["pillar_weights"],
            "metric_weights": chosen,
        }
        return shared_measurement.set_profile(coalition, _user(), settings, loaded["version"])

    saved = submit(change)
    if saved.done:
        flash("The coalition profile is saved: members that adopted it rank under it.", "success")
        return _back_to_measurement(coalition_id)
    if saved.conflict:
        return _back_to_measurement(coalition_id)
    errors = {field.removeprefix("settings."): messages for field, messages in saved.errors.items()}
    return _measurement_page(coalition, weight_errors=errors)


@bp.route("/coalitions/<int:coalition_id>/membership/profile", methods=["POST"])
@access(ADOPTERS)
@writes
def adopt_profile(coalition_id):
    def change(coalition):
        uses = _form(UsesProfileSchema())["uses_profile"]
        return services.set_uses_profile(coalition, _user(), uses)

    _from_page(coalition_id, change, "Your choice is saved.")
    return _back_to_measurement(coalition_id)
