import pytest
from django.core.management import call_command

from deals.models import Deal, Stage, StageChange
from partnerships.models import Partner, PartnerKind
from stakeholders.models import Review, Role, User

pytestmark = pytest.mark.django_db

LOGINS = [
    "exec@demo.test",
    "owner@demo.test",
    "legal@demo.test",
    "procurement@demo.test",
    "it@demo.test",
    "finance@demo.test",
    "admin@demo.test",
]


def test_seed_demo_makes_a_realistic_portfolio_and_prints_the_logins(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out

    assert 12 <= Partner.objects.count() <= 20
    assert set(Partner.objects.values_list("kind", flat=True)) == set(PartnerKind.values)
    assert 35 <= Deal.objects.count() <= 45
    assert set(Deal.objects.values_list("stage", flat=True)) == set(Stage.values)
    for deal in Deal.objects.all():
        history = list(StageChange.objects.filter(deal=deal).order_by("at"))
        assert history[0].from_stage == ""
        assert history[-1].to_stage == deal.stage
        assert deal.stage_changed_at == history[-1].at
    assert Review.objects.filter(deal__stage=Stage.REVIEW).exists()
    for email in LOGINS:
        assert email in output
        assert User.objects.get(email=email).check_password("dealdesk-demo")
    assert "dealdesk-demo" in output


def test_demo_logins_have_their_roles_and_departments():
    call_command("seed_demo")
    assert User.objects.get(email="exec@demo.test").has_role(Role.EXECUTIVE)
    assert User.objects.get(email="owner@demo.test").has_role(Role.OWNER)
    legal = User.objects.get(email="legal@demo.test")
    assert list(legal.departments.values_list("slug", flat=True)) == ["legal"]
    assert User.objects.get(email="admin@demo.test").is_superuser


def test_running_seed_demo_twice_creates_no_duplicates():
    call_command("seed_demo")
    counts = (User.objects.count(), Partner.objects.count(), Deal.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Partner.objects.count(), Deal.objects.count()) == counts


def test_seed_demo_adds_bulk_deals_with_histories_for_benchmarks():
    call_command("seed_demo", deals=300)
    assert Deal.objects.count() == 343  # 40 hand-made, 3 through intake, 300 bulk
    assert StageChange.objects.count() >= 340
    assert not Deal.objects.filter(stage_changes__isnull=True).exists()


def test_demo_deals_have_distinct_titles():
    call_command("seed_demo", verbosity=0)
    titles = list(Deal.objects.values_list("title", flat=True))
    assert len(titles) == len(set(titles)) >= 40
