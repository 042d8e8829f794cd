"""One-click unsubscribe (RFC 8058): a signed link in each email that stops that kind of
email for its recipient, with no login.

The token is the recipient and the kind, signed with SECRET_KEY (django.core.signing,
its own salt): it cannot be forged or moved to another person or kind. It does not
expire — RFC 8058 wants the link to keep working as long as the mail may be read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.urls import reverse

from core.emails import absolute

from .models import EVENT_KINDS, NotificationKind

SALT = "notifications.unsubscribe"

# The kinds one can stop from the email itself, and what the page calls them: the
# digest, and each kind of event notification (its email stops; the app still lists
# it). Review reminders, escalations and invitations are not here: they stop when the
# review is decided or the session is over.
UNSUBSCRIBABLE = {
    NotificationKind.DIGEST: "the weekly digest",
    **{kind: f"emails when: {kind.label[0].lower()}{kind.label[1:]}" for kind in EVENT_KINDS},
}


@dataclass(frozen=True)
class Subscription:
    user_id: int
    kind: str

    @property
    def label(self) -> str:
        return UNSUBSCRIBABLE[self.kind]


def make_token(*, user_id: int, kind: str) -> str:
    return signing.dumps([user_id, kind], salt=SALT, compress=True)


def read_token(token: str) -> Subscription:
    """The subscription a token names; signing.BadSignature if it was tampered with."""
    value = signing.loads(token, salt=SALT)
    if not (isinstance(value, list) and len(value) == 2 and value[1] in UNSUBSCRIBABLE):
        raise signing.BadSignature("Not an unsubscribe token.")
    return Subscription(user_id=int(value[0]), kind=value[1])


def unsubscribe_headers(*, user_id: int, kind: str) -> dict[str, str]:
    """The headers that let a mail client offer its own "Unsubscribe" button (RFC 8058)."""
    url = absolute(reverse("unsubscribe", args=[make_token(user_id=user_id, kind=kind)]))
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
