"""The login backend reads, with the user, whether they are in a department or invited to
a session, and their roles (stakeholders.backends); who sees a confidential deal and
what a person may do are decided from it on every request, never from what it said
before."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from stakeholders.models import Membership, Role
from tests.factories import DealFactory, ReviewFactory, WorkingSessionFactory, department

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(personas, partnership):
    """A confidential deal that Legal reviews, owned and sponsored by others than the
    people below: they see it only through a department or an invitation."""
    deal = DealFactory(
        partnership=partnership, owner=personas.owner, confidential=True, title="Quiet buy-out"
    )
    ReviewFactory(deal=deal, department=department("legal"))
    return deal


def sees(client, deal) -> bool:
    dashboard = client.get(reverse("dashboard")).content.decode()
    page = client.get(deal.get_absolute_url())
    assert (deal.title in dashboard) == (page.status_code == 200)
    return page.status_code == 200


def test_the_reach_is_read_with_the_user_on_every_request(
    client, personas, secret, django_capture_on_commit_callbacks
):
    newcomer = personas.outsider
    client.force_login(newcomer)
    response = client.get(reverse("dashboard"))
    user = response.wsgi_request.user
    assert (user.in_department, user.invited) == (False, False)
    assert not sees(client, secret)

    # Joins Legal: the next request sees what Legal reviews. (The change commits: the
    # cached dashboards are dropped, stakeholders.visibility.)
    with django_capture_on_commit_callbacks(execute=True):
        membership = Membership.objects.create(user=newcomer, department=department("legal"))
    assert sees(client, secret)
    with django_capture_on_commit_callbacks(execute=True):
        membership.delete()
    assert not sees(client, secret)

    # Invited to a working session on the deal: sees it while invited.
    with django_capture_on_commit_callbacks(execute=True):
        session = WorkingSessionFactory(
            deal=secret, starts_at=timezone.now() + dt.timedelta(days=1), invitees=[newcomer]
        )
    assert client.get(reverse("dashboard")).wsgi_request.user.invited
    assert sees(client, secret)
    with django_capture_on_commit_callbacks(execute=True):
        session.invitees.remove(newcomer)
    assert not sees(client, secret)


def test_a_reviewer_sees_the_confidential_deals_their_department_reviews(client, personas, secret):
    client.force_login(personas.legal)
    assert client.get(reverse("dashboard")).wsgi_request.user.in_department
    assert sees(client, secret)
    client.force_login(personas.it)
    assert not sees(client, secret)


def test_the_roles_are_read_with_the_user_on_every_request(
    client, personas, django_assert_num_queries
):
    """Every role, none and several at once; a role given or taken counts from the next
    request, and asking about roles costs no query of its own."""
    person = personas.outsider
    person.groups.clear()
    client.force_login(person)

    def roles() -> dict[Role, bool]:
        user = client.get(reverse("healthz")).wsgi_request.user
        with django_assert_num_queries(0):
            return {role: user.has_role(role) for role in Role}

    assert not any(roles().values())
    for role in Role:
        person.groups.set([Group.objects.get(name=role.value)])
        assert [held for held, yes in roles().items() if yes] == [role]
    person.groups.set(Group.objects.filter(name__in=[Role.EXECUTIVE, Role.REVIEWER]))
    assert roles() == {role: role in (Role.EXECUTIVE, Role.REVIEWER) for role in Role}
    person.groups.clear()
    assert not any(roles().values())
