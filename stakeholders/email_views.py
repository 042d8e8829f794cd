"""The page an email's decision link opens, and the verdict posted from it.

Logged out is fine: the link is the credential (signed, single use, bound to one person,
one review and the wording mailed, 72 hours), the GET changes nothing and the POST needs
the page's CSRF token. Logged in as someone else is refused: one browser, one person.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from deals.diff import word_diff

from . import rules
from .email_decision import (
    TokenRefused,
    decide_by_email,
    last_seen,
    revisions_since,
    terms_changed_since,
    token_open,
    token_replace,
)
from .forms import VerdictForm
from .models import Concern, EmailDecisionToken
from .services import VerdictAlreadyGiven
from .signoff import TermsChanged, department_terms

PAGE = "stakeholders/email_decision.html"


def _page(request: HttpRequest, token: EmailDecisionToken, status: int = 200, **extra):
    review = token.review
    since = last_seen(token)
    context = {
        "token": token,
        "review": review,
        "deal": review.deal,
        "person": token.user,
        "terms": list(department_terms(review).select_related("updated_by").order_by("pk")),
        "changed_since_email": terms_changed_since(token),
        "since": since,
        "since_verdict": since != review.created_at,
        "changes": [
            {"revision": revision, "diff": word_diff(revision.old_wording, revision.new_wording)}
            for revision in revisions_since(token, since)
        ],
        "concerns": Concern.objects.open()
        .filter(deal=review.deal)
        .select_related("department", "raised_by")
        .annotate(n_replies=Count("replies")),
        "verdict_form": VerdictForm(),
        "may_decide": review.status == "pending" and rules.GIVE_VERDICT(token.user, review),
    }
    context.update(extra)
    return render(request, PAGE, context, status=status)


@login_not_required
@never_cache
def email_decision_view(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        token = token_open(signed, user=request.user)
    except TokenRefused as refused:
        return render(request, PAGE, {"refused": refused.message}, status=refused.status)
    if request.method != "POST":
        return _page(request, token)
    if not rules.GIVE_VERDICT(token.user, token.review):
        raise PermissionDenied(rules.GIVE_VERDICT.sentence.format(obj=token.review))
    form = VerdictForm(request.POST)
    if not form.is_valid():
        return _page(request, token, status=422, verdict_form=form)
    try:
        review = decide_by_email(
            token=token, verdict=form.cleaned_data["verdict"], text=form.cleaned_data["text"]
        )
    except TokenRefused as refused:
        return render(request, PAGE, {"refused": refused.message}, status=refused.status)
    except VerdictAlreadyGiven as first:
        return render(request, PAGE, {"lost_race": first.review}, status=409)
    except TermsChanged as changed:
        return render(
            request,
            PAGE,
            {
                "stale": True,
                "review": token.review,
                "deal": token.review.deal,
                "changed_terms": changed.changed_terms,
                "fresh_path": token_replace(token=token),
            },
            status=409,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, token, status=422, verdict_form=form)
    return render(request, PAGE, {"decided": review, "review": review, "deal": review.deal})
