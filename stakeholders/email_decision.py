"""Deciding a review from its email: personal, single-use links that open a confirmation page.

The link is `/reviews/by-email/<signed>/`, `<signed>` being `django.core.signing` over
(the review, the person, a random secret). Only the secret's SHA-256 is stored
(`EmailDecisionToken`), with the person, the review and the stamp of the department's
terms when the email was composed. So:

- a link that was tampered with fails its signature before any query;
- a leaked database gives no working link (hashes only);
- opening the link changes nothing (mail scanners open every link): the page is a GET
  that reads; the verdict is a POST from that page, with Django's CSRF token;
- the POST claims the token with a conditional UPDATE (`used_at` from NULL to now), in
  the same transaction as the verdict: of two clicks exactly one acts, and a verdict
  refused (terms changed, someone else first, a missing reason) leaves the link unused;
- the verdict covers the stamp the email was sent with: a term changed since is refused
  (409) exactly as on the review page, and a fresh link for the current wording is given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import AuditAction
from core.models import AuditEvent
from deals.models import Deal, Term, TermRevision

from . import signoff
from .models import EmailDecisionToken, Review, ReviewStatus, VerdictChannel
from .services import review_give_verdict

LIFETIME = dt.timedelta(hours=72)
SALT = "stakeholders.email_decision"


class TokenRefused(Exception):
    """The link does not open the page: `status` and the sentence said to the person."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _sign(review_id: int, user_id: int, secret: str) -> str:
    return signing.dumps([review_id, user_id, secret], salt=SALT, compress=False)


def decide_path(signed: str) -> str:
    return reverse("review_email_decision", args=[signed])


def tokens_issue(
    *, pairs: Iterable[tuple[int, int]], now: dt.datetime | None = None
) -> dict[tuple[int, int], str]:
    """A link per (person id, review id) whose review still waits for a verdict, bound to
    the department's terms as they stand: {(person, review): path}. Three queries,
    whatever the number of pairs (the reviews, their terms, one insert)."""
    now = now or timezone.now()
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    reviews = {
        review.pk: review
        for review in Review.objects.filter(
            pk__in={review_id for _, review_id in pairs}, status=ReviewStatus.PENDING
        ).only("pk", "deal_id", "department_id")
    }
    terms: dict[tuple[int, int], list[Term]] = defaultdict(list)
    for term in Term.objects.filter(deal_id__in={r.deal_id for r in reviews.values()}).only(
        "pk", "version", "deal_id", "department_id"
    ):
        terms[(term.deal_id, term.department_id)].append(term)
    rows, paths = [], {}
    for user_id, review_id in pairs:
        review = reviews.get(review_id)
        if review is None:
            continue
        secret = secrets.token_urlsafe(32)
        rows.append(
            EmailDecisionToken(
                token_hash=_hash(secret),
                user_id=user_id,
                review_id=review_id,
                stamp=signoff.terms_stamp(terms[(review.deal_id, review.department_id)]),
                created_at=now,
                expires_at=now + LIFETIME,
            )
        )
        paths[(user_id, review_id)] = decide_path(_sign(review_id, user_id, secret))
    EmailDecisionToken.objects.bulk_create(rows)
    return paths


def token_open(signed: str, *, user, now: dt.datetime | None = None) -> EmailDecisionToken:
    """The token a link names, if it may still be used by whoever holds it; reads only.

    `user` is whoever is logged in on this browser (perhaps nobody): the link is the
    person's credential, so someone else logged in is refused even when holding it.
    """
    now = now or timezone.now()
    try:
        review_id, user_id, secret = signing.loads(
            signed, salt=SALT, max_age=LIFETIME + dt.timedelta(minutes=5)
        )
    except signing.SignatureExpired as expired:
        raise TokenRefused(
            410, "This link has expired: links in emails last 72 hours."
        ) from expired
    except (signing.BadSignature, ValueError, TypeError) as bad:
        raise TokenRefused(404, "This link is not one Deal Desk sent.") from bad
    token = (
        EmailDecisionToken.objects.select_related(
            "user", "review__deal__partnership__partner", "review__department", "review__decided_by"
        )
        .filter(token_hash=_hash(str(secret)), review_id=review_id, user_id=user_id)
        .first()
    )
    if token is None:
        raise TokenRefused(404, "This link is not one Deal Desk sent.")
    if user.is_authenticated and user.pk != token.user_id:
        raise TokenRefused(
            403, "This link was sent to someone else. Log out, or open the review in Deal Desk."
        )
    if token.used_at is not None:
        raise TokenRefused(410, "This link has been used already: each link decides once.")
    if token.expires_at <= now:
        raise TokenRefused(410, "This link has expired: links in emails last 72 hours.")
    if not token.user.is_active:
        raise TokenRefused(403, "This account is no longer active.")
    # The link shows the deal's terms and concerns: only while its person may still see
    # the deal (a membership ended, a deal made confidential: 404 as for anyone else).
    if not Deal.objects.visible_to(token.user).filter(pk=token.review.deal_id).exists():
        raise TokenRefused(404, "You may no longer see this deal: its link no longer opens.")
    return token


def tokens_purge(now: dt.datetime | None = None) -> int:
    """Delete the links a day past their lifetime (the beat task, daily). Their signature
    has expired with them, so such a link is refused as expired before any lookup: the
    rows only kept hashes nobody can use. Returns how many went."""
    now = now or timezone.now()
    deleted, _ = EmailDecisionToken.objects.filter(
        expires_at__lt=now - dt.timedelta(days=1)
    ).delete()
    return deleted


def terms_changed_since(token: EmailDecisionToken) -> list[Term]:
    """The department's terms whose wording changed after the email was composed (or
    that were added since): what the page says changed, with the new wording."""
    versions = signoff.parse_stamp(token.stamp) or {}
    return [
        term
        for term in signoff.department_terms(token.review).select_related("updated_by")
        if versions.get(term.pk) != term.version
    ]


def last_seen(token: EmailDecisionToken) -> dt.datetime:
    """When this person last saw the department's terms for this review: their last
    verdict on it, else when the review was requested."""
    review = token.review
    if review.decided_by_id == token.user_id and review.decided_at:
        return review.decided_at
    last = (
        AuditEvent.objects.filter(
            action=AuditAction.VERDICT_GIVEN,
            object_type="stakeholders.review",
            object_id=str(review.pk),
            actor_id=token.user_id,
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return last or review.created_at


def revisions_since(token: EmailDecisionToken, since: dt.datetime) -> list[TermRevision]:
    """The department's wording changes after `since`, oldest first (for word diffs)."""
    return list(
        TermRevision.objects.filter(
            term__deal_id=token.review.deal_id,
            term__department_id=token.review.department_id,
            at__gt=since,
        )
        .select_related("term", "by")
        .order_by("at", "pk")
    )


@transaction.atomic
def decide_by_email(*, token: EmailDecisionToken, verdict: str, text: str) -> Review:
    """Give the review's verdict through its email link: claim the link, then decide on
    the wording the email was sent with. Any refusal rolls the claim back."""
    claimed = EmailDecisionToken.objects.filter(
        pk=token.pk, used_at=None, expires_at__gt=timezone.now()
    ).update(used_at=timezone.now())
    if not claimed:
        raise TokenRefused(410, "This link has been used already: each link decides once.")
    return review_give_verdict(
        review=token.review,
        user=token.user,
        verdict=verdict,
        text=text,
        terms_seen=token.stamp,
        channel=VerdictChannel.EMAIL,
    )


@transaction.atomic
def token_replace(*, token: EmailDecisionToken) -> str | None:
    """A link for the wording as it stands now, in place of one whose stamp went stale:
    the old link is spent, so only one of a person's links for the review stays live.
    None when the review no longer waits for a verdict."""
    EmailDecisionToken.objects.filter(pk=token.pk, used_at=None).update(used_at=timezone.now())
    key = (token.user_id, token.review_id)
    return tokens_issue(pairs=[key]).get(key)
