from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import freshness
from core.export import csv_response
from core.forms import form_status
from core.models import AuditEvent
from deals.models import Term
from deals.selectors import get_deal_for_user
from metrics.selectors import value_summary

from . import rules
from .calendar import Method, ics_invitation
from .forms import (
    CommentForm,
    ConcernForm,
    ReassignForm,
    ReplyForm,
    ResolveForm,
    SessionForm,
    SessionRecordForm,
    SessionRescheduleForm,
    VerdictForm,
)
from .models import (
    Concern,
    Membership,
    Review,
    ReviewStatus,
    Role,
    User,
)
from .selectors import (
    get_concern_for_user,
    get_review_for_user,
    get_session_for_user,
    inbox,
    inbox_counts,
    next_review,
)
from .services import (
    RESCHEDULABLE,
    VerdictAlreadyGiven,
    concern_raise,
    concern_reply,
    concern_resolve,
    review_comment,
    review_give_verdict,
    review_reassign,
    session_cancel,
    session_record,
    session_reschedule,
    session_schedule,
)
from .signoff import TermsChanged, terms_stamp


@login_not_required
@never_cache
def logout_view(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; POST (with CSRF token) logs out."""
    if request.method == "POST":
        logout(request)
        return redirect("login")
    return render(request, "registration/logout_confirm.html")


def home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: a reviewer and nothing else goes to their inbox; everyone
    else (executives, owners, administrators) to the dashboard."""
    user = request.user
    others = (Role.EXECUTIVE, Role.OWNER, Role.ADMINISTRATOR)
    if (
        not user.is_superuser
        and user.has_role(Role.REVIEWER)
        and not any(user.has_role(r) for r in others)
    ):
        return redirect("review_inbox")
    return redirect("dashboard")


def review_inbox_export(request: HttpRequest) -> StreamingHttpResponse:
    """The inbox as CSV, with its status filter: my departments' reviews only."""
    status = request.GET.get("status") or None
    if status and status not in ReviewStatus.values:
        status = None
    rows = (
        (
            review.deal.title,
            review.deal.partnership.partner.name,
            review.department.name,
            review.get_status_display(),
            review.reviewer.display_name if review.reviewer else "",
            review.due_on.isoformat(),
            review.is_overdue,
            review.verdict_text or review.conditions,
        )
        for review in inbox(request.user, status).iterator(chunk_size=500)
    )
    header = ["Deal", "Partner", "Department", "Status", "Reviewer", "Due", "Overdue", "Reason"]
    return csv_response(f"reviews-{timezone.localdate().isoformat()}.csv", header, rows)


def review_inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status and status not in ReviewStatus.values:
        status = None
    reviews = inbox(request.user, status)
    # Counting over all of a department's reviews grows with the data; it only
    # changes when the data does, so both counts are cached like the dashboard's.
    counts = freshness.cached(
        "inbox-counts",
        request.user,
        lambda: inbox_counts(request.user),
        scopes=(freshness.REVIEWS,),
    )
    paginator = Paginator(reviews, 25)
    paginator.count = (
        counts[status]
        if status
        else (counts[ReviewStatus.PENDING] + counts[ReviewStatus.CHANGES_REQUESTED])
    )
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "counts": [(s, counts[s.value]) for s in ReviewStatus],
        "open_count": counts[ReviewStatus.PENDING] + counts[ReviewStatus.CHANGES_REQUESTED],
        "status": status,
        "query": urlencode({"status": status}) if status else "",
        "is_member": Membership.objects.filter(user=request.user).exists(),
    }
    return render(request, "stakeholders/inbox.html", context)


def _review_context(request: HttpRequest, review: Review, terms_seen: str, **extra) -> dict:
    """`terms_seen`: the stamp of the department's terms that this response shows or that
    the person already saw (see review_give_verdict); never a fresh read that shows nothing."""
    deal = review.deal
    # One query gives both who may act and the colleagues to reassign to.
    members = list(
        User.objects.filter(memberships__department=review.department_id, is_active=True)
    )
    can_act = any(member.pk == request.user.pk for member in members)
    decided = review.status != ReviewStatus.PENDING
    context = {
        "review": review,
        "deal": deal,
        "can_act": can_act,
        # A reviewer of the department is involved: no query to ask the rule for them.
        "may_comment": can_act or rules.COMMENT_ON_REVIEW(request.user, review),
        "verdict_form": VerdictForm(),
        "terms_seen": terms_seen,
        "reassign_form": ReassignForm(
            department=review.department,
            members=members,
            initial={"reviewer": review.reviewer_id},
        ),
        "comment_form": CommentForm(),
        # After a verdict, the way on to the next one waiting (one query, decided only).
        "next_review": next_review(request.user, review) if can_act and decided else None,
    }
    context.update(extra)
    return context


def _review_page(request: HttpRequest, review: Review, status: int = 200, **extra) -> HttpResponse:
    deal = review.deal
    terms = list(Term.objects.filter(deal=deal).for_page())
    own_terms = [term for term in terms if term.department_id == review.department_id]
    context = _review_context(request, review, terms_seen=terms_stamp(own_terms), **extra)
    context.update(
        value_summary=value_summary(deal),
        terms=terms,
        concerns=Concern.objects.open()
        .filter(deal=deal)
        .select_related("department", "raised_by")
        .annotate(n_replies=Count("replies")),
        other_reviews=Review.objects.filter(deal=deal)
        .exclude(pk=review.pk)
        .select_related("department", "decided_by"),
        history=AuditEvent.objects.filter(deal=deal).select_related("actor", "deal")[:5],
    )
    context.setdefault("comments", review.comments.select_related("author"))
    return render(request, "stakeholders/review_detail.html", context, status=status)


def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, get_review_for_user(request.user, pk))


def _verdict_panel(
    request: HttpRequest, review: Review, status: int = 200, terms_seen: str | None = None, **extra
) -> HttpResponse:
    """The verdict panel alone (htmx) or the whole page. The panel keeps the terms stamp
    the person posted: the terms shown beside it are still the ones they loaded."""
    if request.htmx:
        if terms_seen is None:
            terms_seen = request.POST.get("terms_seen", "")
        context = _review_context(request, review, terms_seen, **extra)
        return render(
            request, "stakeholders/review_detail.html#verdict-panel", context, status=status
        )
    if status == 200:
        return redirect(review)
    return _review_page(request, review, status=status, **extra)


@require_POST
def review_verdict_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_review_for_user(request.user, pk)
    rules.GIVE_VERDICT.require(request.user, review)
    form = VerdictForm(request.POST)
    if form.is_valid() and "terms_seen" not in request.POST:
        form.add_error(None, "This review page is out of date: reload it to see the current terms.")
    if not form.is_valid():
        return _verdict_panel(request, review, status=422, verdict_form=form)
    try:
        review = review_give_verdict(
            review=review,
            user=request.user,
            verdict=form.cleaned_data["verdict"],
            text=form.cleaned_data["text"],
            terms_seen=form.cleaned_data["terms_seen"],
        )
    except VerdictAlreadyGiven as first:
        return _verdict_panel(request, first.review, status=409, lost_race=True)
    except TermsChanged as changed:
        # Show what changed right in the panel; the new form covers the wording shown.
        return _verdict_panel(
            request,
            review,
            status=409,
            terms_seen=changed.stamp,
            changed_terms=changed.changed_terms,
            verdict_form=VerdictForm(initial={"text": form.cleaned_data["text"]}),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _verdict_panel(request, review, status=422, verdict_form=form)
    messages.success(request, f"{review.get_status_display()} — recorded.")
    return _verdict_panel(request, review, verdict_given=True)


@require_POST
def review_reassign_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_review_for_user(request.user, pk)
    rules.REASSIGN_REVIEW.require(request.user, review)
    form = ReassignForm(request.POST, department=review.department)
    if not form.is_valid():
        return _verdict_panel(request, review, status=422, reassign_form=form)
    review = review_reassign(
        review=review, user=request.user, reviewer=form.cleaned_data["reviewer"]
    )
    return _verdict_panel(request, review, reassigned=True)


@require_POST
def review_comment_view(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_review_for_user(request.user, pk)
    rules.COMMENT_ON_REVIEW.require(request.user, review)
    form = CommentForm(request.POST)
    if form.is_valid():
        review_comment(review=review, user=request.user, body=form.cleaned_data["body"])
        form = CommentForm()
        status = 200
    else:
        status = 422
    if request.htmx:
        context = {
            "review": review,
            "comments": review.comments.select_related("author"),
            "comment_form": form,
            "may_comment": True,
        }
        return render(request, "stakeholders/review_detail.html#comments", context, status=status)
    if status == 200:
        return redirect(review)
    return _review_page(request, review, status=status, comment_form=form)


def concern_create(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    rules.RAISE_CONCERN.require(request.user, deal)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        concern = concern_raise(deal=deal, user=request.user, data=form.cleaned_data)
        messages.success(request, "Concern raised.")
        return redirect(concern)
    return render(
        request,
        "stakeholders/concern_form.html",
        {"form": form, "deal": deal},
        status=form_status(request, form),
    )


def concern_detail(
    request: HttpRequest, pk: int, reply_form=None, resolve_form=None, status=200
) -> HttpResponse:
    concern = get_concern_for_user(request.user, pk)
    context = {
        "concern": concern,
        "deal": concern.deal,
        "replies": concern.replies.select_related("author"),
        "reply_form": reply_form or ReplyForm(),
        "resolve_form": resolve_form or ResolveForm(),
        "can_resolve": concern.is_open and rules.RESOLVE_CONCERN(request.user, concern),
        "may_reply": rules.RAISE_CONCERN(request.user, concern.deal),
    }
    return render(request, "stakeholders/concern_detail.html", context, status=status)


@require_POST
def concern_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_concern_for_user(request.user, pk)
    rules.RAISE_CONCERN.require(request.user, concern.deal)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return concern_detail(request, pk, reply_form=form, status=422)
    concern_reply(concern=concern, user=request.user, body=form.cleaned_data["body"])
    return redirect(concern)


@require_POST
def concern_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_concern_for_user(request.user, pk)
    rules.RESOLVE_CONCERN.require(request.user, concern)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return concern_detail(request, pk, resolve_form=form, status=422)
    try:
        concern_resolve(
            concern=concern, user=request.user, resolution=form.cleaned_data["resolution"]
        )
    except ValidationError as error:
        form.add_error(None, error)
        return concern_detail(request, pk, resolve_form=form, status=409)
    messages.success(request, "Concern resolved.")
    return redirect(concern)


def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_user(request.user, pk)
    rules.SCHEDULE_SESSION.require(request.user, deal)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("departments", "invitees")}
        session = session_schedule(
            deal=deal,
            user=request.user,
            data=data,
            departments=form.cleaned_data["departments"],
            invitees=form.cleaned_data["invitees"],
        )
        messages.success(request, "Session scheduled. Invitees can download the invitation.")
        return redirect(session)
    return render(
        request,
        "stakeholders/session_form.html",
        {"form": form, "deal": deal},
        status=form_status(request, form),
    )


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    can_record = rules.RECORD_SESSION(request.user, session)
    form = SessionRecordForm(
        request.POST or None,
        session=session,
        initial={
            "outcomes": session.outcomes,
            "decisions": session.decisions,
            "attendees": session.attendees.all(),
        },
    )
    if request.method == "POST":
        rules.RECORD_SESSION.require(request.user, session)
        if form.is_valid():
            session_record(
                session=session,
                user=request.user,
                outcomes=form.cleaned_data["outcomes"],
                decisions=form.cleaned_data["decisions"],
                attendees=form.cleaned_data["attendees"],
            )
            messages.success(request, "Outcomes recorded.")
            return redirect(session)
    context = {
        "session": session,
        "deal": session.deal,
        "departments": session.departments.all(),
        "invitees": session.invitees.all(),
        "attendees": session.attendees.all(),
        "form": form,
        "can_record": can_record,
        "can_reschedule": rules.RESCHEDULE_SESSION(request.user, session),
        "can_cancel": rules.CANCEL_SESSION(request.user, session),
    }
    return render(
        request, "stakeholders/session_detail.html", context, status=form_status(request, form)
    )


def session_reschedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    rules.RESCHEDULE_SESSION.require(request.user, session)
    form = SessionRescheduleForm(
        request.POST or None, initial={name: getattr(session, name) for name in RESCHEDULABLE}
    )
    if request.method == "POST" and form.is_valid():
        try:
            session_reschedule(session=session, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Session changed. The invitees get the updated invitation.")
            return redirect(session)
    return render(
        request,
        "stakeholders/session_form.html",
        {"form": form, "deal": session.deal, "session": session},
        status=form_status(request, form),
    )


@require_POST
def session_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    rules.CANCEL_SESSION.require(request.user, session)
    try:
        session_cancel(session=session, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Session cancelled. The invitees are told.")
    return redirect(session)


def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    response = HttpResponse(
        ics_invitation(session, method=Method.PUBLISH), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="deal-desk-session-{session.pk}.ics"'
    return response
