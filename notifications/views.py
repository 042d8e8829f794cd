"""The notification settings page, a preview of one's own digest, and one's notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core import freshness
from core.emails import email_context
from core.forms import form_status
from stakeholders.models import User
from stakeholders.services import user_time_zone_set

from .digests import digest_contexts
from .forms import DigestPreferenceForm, EventChannelsForm
from .models import DigestPreference, Notification
from .services import (
    digest_preference_set,
    event_channels_set,
    notifications_mark_read,
    unsubscribe,
)
from .unsubscribe import read_token

NOTIFICATIONS_PER_PAGE = 20

# The preview shows the email's HTML as it is; emails carry inline styles, and
# nothing else on this page may run or load.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def notification_settings(request: HttpRequest) -> HttpResponse:
    preference = DigestPreference.objects.filter(user=request.user).first() or DigestPreference(
        user=request.user
    )
    # Two forms on one page; the events form says which it is.
    posted_events = request.method == "POST" and request.POST.get("form") == "events"
    form = DigestPreferenceForm(
        None if posted_events else (request.POST or None),
        initial={
            "subscribed": preference.subscribed,
            "weekday": preference.weekday,
            "time_zone": request.user.time_zone,
        },
    )
    events_form = EventChannelsForm(
        request.POST if posted_events else None, channels=preference.event_channels
    )
    if posted_events and events_form.is_valid():
        event_channels_set(user=request.user, channels=events_form.cleaned_data)
        messages.success(request, "Your notification choices are saved.")
        return redirect("notification_settings")
    if request.method == "POST" and not posted_events and form.is_valid():
        data = form.cleaned_data
        user_time_zone_set(user=request.user, time_zone=data["time_zone"] or request.user.time_zone)
        preference = digest_preference_set(
            user=request.user, subscribed=data["subscribed"], weekday=data["weekday"]
        )
        messages.success(
            request,
            (
                f"Your digest comes every {preference.get_weekday_display()}."
                if preference.subscribed
                else "You will not get the weekly digest any more."
            )
            + f" Times are shown in {request.user.time_zone}.",
        )
        return redirect("notification_settings")
    context = {
        "form": form,
        "events_form": events_form,
        "preference": preference,
        "recent": Notification.objects.filter(recipient=request.user)[:10],
        "reminder_hour": settings.REMINDER_HOUR,
    }
    return render(
        request,
        "notifications/notification_settings.html",
        context,
        status=form_status(request, events_form if posted_events else form),
    )


def notification_list(request: HttpRequest) -> HttpResponse:
    """What happened that concerns me, newest first."""
    template = "notifications/notification_list.html"
    if request.htmx:
        template += "#notification-list"
    return render(request, template, _list_context(request))


def _list_context(request: HttpRequest) -> dict:
    notifications = Notification.objects.filter(recipient=request.user, in_app=True)
    return {
        "page": Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    }


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user, in_app=True)
    notifications_mark_read(user=request.user, pk=notification.pk)
    if not request.htmx:
        return redirect("notification_list")
    notification.refresh_from_db(fields=["read_at"])
    # The item as it is now, and the badge in the navigation out of band.
    return render(request, "notifications/_read.html", {"notification": notification})


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    if not request.htmx:
        return redirect("notification_list")
    return render(request, "notifications/_read_all.html", _list_context(request))


def digest_preview(request: HttpRequest) -> HttpResponse:
    """This person's digest as the email would be today. Composing it counts over the
    whole desk; what it says changes only with the data (every setting and decision is
    audited), so a repeated preview is cached per person like the dashboard's body."""
    as_text = request.GET.get("format") == "text"
    name = f"digest-preview:{'text' if as_text else 'html'}:{timezone.localdate().isoformat()}"
    body = freshness.cached(name, request.user, lambda: _digest_preview(request.user, as_text))
    if as_text:
        return HttpResponse(body, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body)
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response


def _digest_preview(user, as_text: bool) -> str:
    context = email_context(digest_contexts([user.pk])[user.pk])
    if as_text:
        return render_to_string("emails/digest_body.txt", context)
    context.update(preview=True, back_url=reverse("dashboard"))
    return render_to_string("emails/digest_body.html", context)


# No login: the link is followed from the email, often on another device. No CSRF
# token either: a mail client's one-click POST (RFC 8058) cannot carry one. The
# signed token is what a CSRF token would prove — that the request comes from the
# email we sent this person — and the only thing it can do is stop that one email.
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and changes nothing (link scanners follow links); POST acts."""
    try:
        subscription = read_token(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    user = User.objects.filter(pk=subscription.user_id, is_active=True).first()
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        unsubscribe(user=user, kind=subscription.kind)
    context = {"subscription": subscription, "done": done, "email": user.email}
    return render(request, "notifications/unsubscribe.html", context)
