"""Random and hostile data posted to every form the app shows: no 500, no partial write.

Forms are found by reading the pages people use (so new forms are covered
without listing them here); hypothesis fills every field.
"""

import re
from html import unescape

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE deals_deal; --",
    "{{ 7*7 }}{% debug %}",
    "../../etc/passwd",
    "\u202eevil\u202c",
    "0" * 40,
    "-1",
    "1e309",
    "NaN",
    "9" * 30,
    "2026-02-30",
    "x" * 100_000,
    "\x00",
    "",
    " ",
]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers().map(str))
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)
SKIP_ACTIONS = ("/accounts/logout/", "/accounts/login/", "/accounts/password/")
COUNTED = [
    "deals.Deal",
    "deals.Term",
    "deals.Decision",
    "core.AuditEvent",
    "stakeholders.Concern",
    "stakeholders.WorkingSession",
]


def page_urls(objects) -> list[str]:
    deal = objects["deal"]
    return [
        "/",
        "/deals/new/",
        f"/deals/{deal.pk}/",
        f"/deals/{deal.pk}/edit/",
        f"/deals/{deal.pk}/terms/new/",
        f"/deals/{deal.pk}/concerns/new/",
        f"/deals/{deal.pk}/sessions/new/",
        f"/deals/{deal.pk}/decisions/new/",
        f"/reviews/{objects['review'].pk}/",
        f"/terms/{objects['term'].pk}/",
        f"/concerns/{objects['concern'].pk}/",
        f"/sessions/{objects['session'].pk}/",
        "/partners/new/",
        "/partnerships/new/",
        f"/deals/{deal.pk}/metrics/new/",
        f"/metrics/{objects['metric'].pk}/",
        f"/deals/{deal.pk}/business-case/",
        f"/deals/{deal.pk}/journey/",
    ]


def discover_forms(client, urls) -> dict[str, list[str]]:
    forms: dict[str, list[str]] = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        for attrs, body in FORM.findall(response.content.decode()):
            if not re.search(r"method=\"post\"", attrs, re.I):
                continue
            action = re.search(r"action=\"([^\"]*)\"", attrs)
            target = unescape(action.group(1)) if action and action.group(1) else url
            if target.startswith(SKIP_ACTIONS):
                continue
            names = sorted({n for n in NAME.findall(body) if n != "csrfmiddlewaretoken"})
            forms.setdefault(target, names)
    return forms


def counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


@pytest.mark.parametrize("role", ["owner", "legal", "sponsor"])
def test_hostile_input_to_every_form_never_errors_or_half_writes(client, access_world, role):
    client.force_login(access_world.user(role))
    forms = discover_forms(client, page_urls(access_world.confidential))
    assert len(forms) >= 5, forms
    tried = sum(fuzz(client, action, names) for action, names in forms.items())
    print(f"[hostile forms] {role}: {len(forms)} forms, {tried} hostile submissions")


def fuzz(client, action: str, names: list[str]) -> int:
    """Post hypothesis-made data to one form; return how many submissions were tried."""
    tried = 0

    @settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries(dict.fromkeys(names, VALUES)))
    def post_it(data):
        nonlocal tried
        before = counts()
        response = client.post(action, data)
        tried += 1
        assert response.status_code < 500, (action, data)
        if response.status_code != 302:
            assert counts() == before, (action, response.status_code)

    post_it()
    return tried
