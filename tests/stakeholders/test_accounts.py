import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import AuditEvent
from stakeholders.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_people_log_in_with_their_email_address_in_any_case(client, personas):
    response = client.post(
        reverse("login"), {"username": "OWNER@Example.TEST", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(response["Location"])["Location"] == reverse("dashboard")
    assert client.get("/").context["user"] == personas.owner


def test_a_wrong_password_gets_a_clear_message_and_no_session(client, personas):
    response = client.post(reverse("login"), {"username": "owner@example.test", "password": "nope"})
    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()
    assert client.get("/").status_code == 302


def test_logout_asks_first_and_logs_out_on_post(client_for, personas):
    client = client_for(personas.owner)
    assert "Log out?" in client.get(reverse("logout")).content.decode()
    assert client.get("/").status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def all_url_names(resolver=None, prefix="") -> list[tuple[str, str]]:
    """(route, name) for every named pattern of the project's own apps."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "app_name", None) == "admin":
                continue
            found += all_url_names(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((prefix + str(pattern.pattern), pattern.name))
    return found


PUBLIC = {
    "login",
    "logout",
    "healthz",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    # Reached from an email, signed token in the URL; RFC 8058 one-click needs no login
    # (tests/notifications/test_mail_conventions.py).
    "unsubscribe",
    # The site icon: browsers ask for it before anyone logs in.
    "favicon",
    # A person's calendar feed: calendar apps cannot log in; its signed token is the check.
    "calendar_feed",
    # A review's decision link from an email: its signed single-use token is the check
    # (tests/stakeholders/test_email_decision.py).
    "review_email_decision",
    # The API's description: integrators read it before they hold a key. The API itself
    # answers 401 (a problem document, not a login page) without a key: tests/api/.
    "openapi-json",
}


def test_every_page_but_login_logout_and_healthz_requires_login(client, deal):
    names = all_url_names()
    assert len(names) > 10
    for route, name in names:
        url = "/" + re.sub(r"<int:\w+>", str(deal.pk), route).lstrip("^").rstrip("$")
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if name in PUBLIC:
                continue
            if url.startswith("/api/"):
                # Bearer keys, not sessions: no key is a 401 problem, never a login page
                # (the API's root is no operation at all: 404).
                allowed = (404,) if url == "/api/v1/" else (401, 405)
                assert response.status_code in allowed, (method, url)
                continue
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith(reverse("login")), url


def test_the_login_redirect_returns_to_the_page_asked_for(client, personas, deal):
    response = client.get(deal.get_absolute_url())
    assert response["Location"] == f"/accounts/login/?next=/deals/{deal.pk}/"
    response = client.post(
        response["Location"],
        {"username": "owner@example.test", "password": PASSWORD, "next": f"/deals/{deal.pk}/"},
    )
    assert response["Location"] == f"/deals/{deal.pk}/"


def test_the_admin_is_for_administrators_only(client_for, personas):
    assert client_for(personas.admin).get("/admin/").status_code == 200
    for someone in (personas.executive, personas.owner, personas.legal):
        response = client_for(someone).get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_nobody_edits_or_deletes_the_audit_trail_in_the_admin(client_for, personas, deal):
    from deals.services import deal_advance

    deal_advance(deal=deal, user=personas.owner, to_stage="business_case")
    event = AuditEvent.objects.get(action="moved")
    client = client_for(personas.admin)
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert (
        client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    client.post(f"/admin/core/auditevent/{event.pk}/change/", {"action": "forged"})
    event.refresh_from_db()
    assert event.action == "moved"


def test_roles_are_groups_with_the_permissions_they_need(personas):
    assert personas.owner.has_perm("deals.add_deal")
    assert personas.executive.has_perm("partnerships.add_partnership")
    assert not personas.legal.has_perm("deals.add_deal")
    assert not personas.legal.has_perm("partnerships.change_partner")


def test_repeated_failed_logins_lock_the_address_out(client, personas):
    for _ in range(5):
        client.post(reverse("login"), {"username": "owner@example.test", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "owner@example.test", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert client.get("/").status_code == 302  # still not logged in


def test_a_password_change_checks_the_validators(client_for, personas):
    client = client_for(personas.owner)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    personas.owner.refresh_from_db()
    assert personas.owner.check_password(PASSWORD)


def test_a_password_reset_sends_a_link_that_sets_a_new_password(
    client, personas, mailbox, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "owner@example.test"})
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "owner@example.test"
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", body).group(1)
    form = client.get(link, follow=True)
    assert "Set a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-much-longer-secret-42", "new_password2": "a-much-longer-secret-42"},
    )
    assert done.status_code == 302
    personas.owner.refresh_from_db()
    assert personas.owner.check_password("a-much-longer-secret-42")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client, personas, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert callbacks == [] and mailoutbox == []


def test_a_password_reset_is_mailed_by_a_worker_and_survives_a_down_smtp_server(
    client, personas, settings, mailbox, django_capture_on_commit_callbacks
):
    """The page answers without talking to SMTP; the task sees the SMTP error (so Celery
    retries it) and sends once the server is back."""
    from celery.exceptions import Retry

    from stakeholders import accounts
    from stakeholders.tasks import send_password_reset

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("password_reset"), {"email": "owner@example.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(callbacks) == 1  # queued for after the commit, not sent in the request
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = 9, 2  # nothing listens: connection refused
    with pytest.raises(OSError):
        accounts.send_password_reset(
            user_id=personas.owner.pk, domain="testserver", protocol="http"
        )
    with pytest.raises(Retry):  # the task asks Celery to try again later
        send_password_reset.apply(args=(personas.owner.pk, "testserver", "http"), throw=True)
    assert mailbox.messages == []
    settings.EMAIL_PORT = good_port
    assert send_password_reset.apply(args=(personas.owner.pk, "testserver", "http")).get()
    assert [m["To"] for m in mailbox.wait_for(1)] == ["owner@example.test"]


def test_behind_a_proxy_a_lock_out_is_per_client_not_for_everyone(client, personas, settings):
    """Every request comes from the proxy's address; the client is in X-Forwarded-For."""
    from django.test import Client

    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    # A forged left-most entry does not let the attacker pose as someone else.
    forged = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.9"}
    for headers in [attacker] * 3 + [forged] * 2:
        client.post(
            reverse("login"), {"username": "owner@example.test", "password": "wrong"}, **headers
        )
    locked = client.post(
        reverse("login"), {"username": "owner@example.test", "password": PASSWORD}, **attacker
    )
    assert locked.status_code == 429
    colleague = Client().post(
        reverse("login"),
        {"username": "owner@example.test", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert colleague.status_code == 302  # the real owner, elsewhere, still logs in


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("198.51.100.7, 203.0.113.9", "203.0.113.9"),  # the left entry is the client's word
        ("203.0.113.9:4711", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("not-an-ip", "10.0.0.2"),  # garbage counts as absent: the proxy's address
        ("", "10.0.0.2"),
    ],
)
def test_the_client_address_behind_one_proxy(settings, rf, forwarded, expected):
    from config.security import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.post("/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings, rf):
    from config.security import client_ip

    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.post("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "192.0.2.1"


# Lock-outs on the normalised address (issue 12, finding 3): failures count against the
# address as login matches it, so capitals or spaces do not open a fresh count.

LOCKED = "lockme@probe.test"


def _lock_out(client) -> None:
    for _ in range(5):
        client.post(reverse("login"), {"username": LOCKED, "password": "wrong"})


@pytest.mark.parametrize(
    "typed", ["LockMe@Probe.Test", " lockme@probe.test ", " LOCKME@probe.test"]
)
def test_a_locked_address_stays_locked_in_any_case_or_with_spaces(client, typed):
    UserFactory(email=LOCKED)
    _lock_out(client)

    dodge = client.post(reverse("login"), {"username": typed, "password": PASSWORD})
    assert dodge.status_code == 429
    assert "Too many failed attempts" in dodge.content.decode()
    assert client.get("/").status_code == 302  # not logged in
    # The right password in another spelling did not clear the lock either.
    again = client.post(reverse("login"), {"username": LOCKED, "password": PASSWORD})
    assert again.status_code == 429


def test_failures_typed_in_capitals_count_against_the_same_address(client):
    UserFactory(email=LOCKED)
    for typed in (
        "LockMe@Probe.Test",
        "LOCKME@PROBE.TEST",
        " lockme@probe.test",
        "lockMe@probe.test ",
        LOCKED,
    ):
        client.post(reverse("login"), {"username": typed, "password": "wrong"})

    locked = client.post(reverse("login"), {"username": LOCKED, "password": PASSWORD})
    assert locked.status_code == 429


@pytest.mark.parametrize(
    "second", ["LockMe@Probe.Test", " lockme@probe.test ", "LOCKME@PROBE.TEST"]
)
def test_an_account_cannot_be_created_twice_in_another_case(second):
    User.objects.create_user(LOCKED, PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(second, PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email=second)
    assert list(User.objects.values_list("email", flat=True)) == [LOCKED]


NO_MEMBERSHIPS = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}


def _admin_add(client, email: str):
    return client.post(
        "/admin/stakeholders/user/add/",
        {
            "email": email,
            "usable_password": "true",
            "password1": "a-much-longer-secret-42",
            "password2": "a-much-longer-secret-42",
            **NO_MEMBERSHIPS,
        },
    )


def test_the_admin_refuses_a_second_account_in_another_case_at_the_field(client_for, personas):
    UserFactory(email=LOCKED)
    client = client_for(personas.admin)
    response = _admin_add(client, " LockMe@Probe.Test ")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        "User with this Email address already exists."
    ]
    assert User.objects.filter(email__iexact=LOCKED).count() == 1


def test_the_admin_stores_a_new_address_trimmed_and_in_lower_case(client_for, personas):
    client = client_for(personas.admin)
    response = _admin_add(client, " New.Person@Probe.Test ")
    assert response.status_code == 302
    assert User.objects.filter(email="new.person@probe.test").exists()


def test_the_admin_refuses_renaming_an_account_onto_another_in_another_case(client_for, personas):
    UserFactory(email=LOCKED)
    other = UserFactory(email="other@probe.test")
    client = client_for(personas.admin)
    page = client.get(f"/admin/stakeholders/user/{other.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("password", "last_login", "date_joined")
    }
    data.update(
        {
            "email": "LockMe@Probe.Test",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            **NO_MEMBERSHIPS,
        }
    )
    response = client.post(f"/admin/stakeholders/user/{other.pk}/change/", data)
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"email"}
    other.refresh_from_db()
    assert other.email == "other@probe.test"
