"""The activity feed in plain sentences: every audit action the services write, rendered
by deals.activity, says what happened without field names, ids, "None" or ISO stamps."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from agreements import amendment_approval, amendments
from agreements import obligations as obligation_services
from agreements import services as agreement_services
from agreements.calendar import calendar_address_replace
from agreements.models import Agreement, Amendment
from api.keys import api_key_create, api_key_revoke
from core.audit import changed, snapshot
from core.models import AuditAction, AuditEvent
from deals import services as deal_services
from deals.activity import RENDERERS, sentence
from deals.models import Stage
from dossier import services as dossier_services
from intake import services as intake_services
from metrics import business_case
from metrics import services as metric_services
from metrics.models import Assumption, OutcomeMetric
from notifications.services import digest_preference_set, event_channels_set, unsubscribe
from partnerships.models import Partner
from partnerships.services import partner_saved
from stakeholders import email_decision, signoff
from stakeholders import services as review_services
from stakeholders.models import Department, ReviewRule, RuleCondition
from tests.intake.builders import build_form
from tests.playbooks.walk import playbook_walk
from webhooks.models import WebhookDelivery
from webhooks.services import delivery_redeliver, endpoint_create, endpoint_disable

pytestmark = pytest.mark.django_db
D = Decimal

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Every table's next id is a seven-digit number: any id leaking into a sentence shows.
ID_BASE = 7_000_000
RAW = [
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "an ISO date"),
    (re.compile(r"\d{2}:\d{2}:\d{2}"), "seconds of a timestamp"),
    (re.compile(r"\b\d{7,}\b"), "an object id"),
    (re.compile(r"\b[a-z]+_[a-z_]+\b"), "a field name or raw choice value"),
    (re.compile(r"\b(None|True|False)\b"), "a Python value"),
    (re.compile(r"[{}\[\]]"), "a raw dict or list"),
    (re.compile(r"\b(deals|metrics|stakeholders|partnerships|notifications)\.\w+"), "a model"),
]


@pytest.fixture
def big_ids(db):
    """Start every table's ids at a distinct seven-digit number."""
    models = [m for m in apps.get_models() if m._meta.app_label not in ("contenttypes",)]
    with connection.cursor() as cursor:
        for n, model in enumerate(models):
            table, start = model._meta.db_table, ID_BASE + 1000 * n
            if model._meta.pk.get_internal_type() not in ("AutoField", "BigAutoField"):
                continue
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                    [table, model._meta.pk.column, start],
                )
            else:
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start]
                )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def walk(personas, partnership, client_for) -> object:
    """One deal's life through the real services (and the pages where the view does the
    work): every audit action is written at least once."""
    owner, sponsor = personas.owner, personas.executive
    owner.first_name, owner.last_name = "Oliver", "Grant"
    owner.save()
    today = timezone.localdate()
    deal = deal_services.deal_create(
        user=owner,
        data={
            "partnership": partnership,
            "title": "Cloud migration",
            "summary": "Move the estate.",
            "owner": owner,
            "sponsor": sponsor,
            "contract_value": D("250000"),
            "expected_annual_value": D("120000"),
            "term_months": 36,
            "target_signature_date": today + dt.timedelta(days=60),
        },
    )
    deal_services.deal_update(
        deal=deal,
        user=owner,
        data={
            "contract_value": D("310000"),
            "target_signature_date": today + dt.timedelta(days=90),
            "confidential": True,
            "summary": "Move the whole estate.",
            "currency": "GBP",
        },
    )
    deal_services.deal_advance(deal=deal, user=owner, to_stage=Stage.BUSINESS_CASE, note="")
    case = business_case.business_case_save(
        deal=deal,
        user=owner,
        discount_rate=D(8),
        years=[
            {
                "year": n,
                "revenue_growth": D(104_000),
                "cost_savings": D(0),
                "one_off_costs": D(50_000 if n == 1 else 0),
                "running_costs": D(0),
            }
            for n in (1, 2)
        ],
        assumptions=[{"statement": "Customers switch.", "owner": None, "confidence": "high"}],
    )
    case = business_case.business_case_save(
        deal=deal,
        user=owner,
        discount_rate=D(10),
        years=[
            {"year": y.year, **{f: getattr(y, f) for f in business_case.MONEY_FIELDS}}
            for y in case.years.all()
        ],
        assumptions=[{"statement": "Customers switch.", "owner": None, "confidence": "high"}],
        note="A higher discount rate",
        based_on=1,
    )
    case = business_case.business_case_sign_off(
        business_case=case, user=personas.finance, note="Sound."
    )
    deal = deal_services.deal_advance(
        deal=deal, user=owner, to_stage=Stage.REVIEW, note="Ready for the departments."
    )
    legal = Department.objects.get(slug="legal")
    term = deal_services.term_create(
        deal=deal,
        user=owner,
        data={
            "category": "liability_cap",
            "title": "Liability cap",
            "wording": "Capped at 12 months of fees.",
            "department": legal,
        },
    )
    term = deal_services.term_revise(
        term=term,
        user=owner,
        wording="Capped at 18 months of fees.",
        expected_version=term.version,
        note="Legal asked for more.",
        status="agreed",
    )
    playbook_walk(deal, term, personas)
    reviews = {r.department.slug: r for r in deal.reviews.select_related("department")}
    review_services.review_reassign(
        review=reviews["legal"], user=personas.legal, reviewer=personas.legal
    )
    review_services.review_comment(
        review=reviews["legal"], user=personas.legal, body="Reading it now."
    )
    review_services.review_give_verdict(
        review=reviews["legal"],
        user=personas.legal,
        verdict="approve_with_conditions",
        text="Cap at 18 months.",
    )
    review_services.review_give_verdict(
        review=reviews["procurement"],
        user=personas.procurement,
        verdict="request_changes",
        text="Get a second quote.",
    )
    review_services.review_give_verdict(
        review=reviews["it"], user=personas.it, verdict="reject", text="No single sign-on."
    )
    signoff.review_reopen(review=reviews["it"], user=owner, reason="Single sign-on added")
    # IT's second verdict comes from the link in its email (the channel is said).
    [link] = email_decision.tokens_issue(pairs=[(personas.it.pk, reviews["it"].pk)]).values()
    email_decision.decide_by_email(
        token=email_decision.token_open(link.split("/")[-2], user=personas.it),
        verdict="approve",
        text="",
    )
    concern = review_services.concern_raise(
        deal=deal,
        user=personas.it,
        data={
            "title": "Data residency",
            "detail": "Where is it hosted?",
            "severity": "high",
            "blocking": True,
        },
    )
    review_services.concern_reply(concern=concern, user=owner, body="In Frankfurt.")
    review_services.concern_resolve(
        concern=concern, user=personas.it, resolution="Hosted in the EU."
    )
    session = review_services.session_schedule(
        deal=deal,
        user=owner,
        data={
            "title": "Terms walk-through",
            "starts_at": timezone.now() + dt.timedelta(days=3),
            "agenda": "The cap.",
        },
        departments=[legal],
        invitees=[personas.legal],
    )
    review_services.session_record(
        session=session,
        user=owner,
        outcomes="Cap agreed.",
        decisions="18 months.",
        attendees=[personas.legal],
    )
    later = review_services.session_schedule(
        deal=deal,
        user=owner,
        data={
            "title": "Pricing",
            "starts_at": timezone.now() + dt.timedelta(days=4),
            "agenda": "The price.",
        },
        departments=[legal],
        invitees=[personas.legal],
    )
    later = review_services.session_reschedule(
        session=later,
        user=owner,
        data={"starts_at": timezone.now() + dt.timedelta(days=5), "location": "Room 2"},
    )
    review_services.session_cancel(session=later, user=owner)
    deal_services.deal_request_decision(deal=deal, user=owner, note="Overrule Procurement?")
    deal_services.decision_record(
        deal=deal,
        user=sponsor,
        data={
            "kind": "override",
            "title": "Go ahead",
            "rationale": "The quote is fair.",
            "overrules_gate": True,
        },
    )
    assert (
        client_for(owner)
        .post(
            reverse("document_upload", args=[deal.pk]),
            {"file": SimpleUploadedFile("msa.pdf", PDF, "application/pdf")},
        )
        .status_code
        == 302
    )
    deal_services.briefing_request(deal=deal, user=owner)
    dossier_services.dossier_request(deal=deal, user=sponsor, as_of=today)
    metric = metric_services.metric_create(
        deal=deal,
        user=owner,
        data={
            "name": "Tickets per week",
            "unit": "tickets",
            "baseline": D(120),
            "target": D(80),
            "direction": "decrease",
            "start_date": today - dt.timedelta(days=30),
            "target_date": today + dt.timedelta(days=300),
        },
    )
    metric_services.metric_update(metric=metric, user=owner, data={"target": D(70)})
    metric = OutcomeMetric.objects.get(pk=metric.pk)
    check_in = metric_services.check_in_record(
        metric=metric,
        user=owner,
        date=today - dt.timedelta(days=1),
        actual=D(110),
        note="First week.",
    )
    check_in = metric_services.check_in_update(
        check_in=check_in, user=owner, date=check_in.date, actual=D(105), note="First week."
    )
    metric_services.check_in_delete(check_in=check_in, user=owner)
    first = metric_services.journey_stage_save(
        deal=deal, user=owner, data={"name": "Report a fault"}
    )
    metric_services.journey_stage_save(deal=deal, user=owner, data={"name": "Get it fixed"})
    metric_services.journey_stage_save(
        deal=deal,
        user=owner,
        stage=first,
        data={"name": "Report a fault", "touchpoint": "Mobile app"},
    )
    metric_services.journey_stage_move(stage=first, user=owner, direction="down")
    metric_services.journey_stage_delete(stage=first, user=owner)
    deal_services.deal_archive(deal=deal, user=owner, archive=True)
    deal_services.deal_archive(deal=deal, user=owner, archive=False)
    # Judged once the deal is live (the stage itself is set: the path there is tested elsewhere).
    type(deal).objects.filter(pk=deal.pk).update(stage=Stage.LIVE)
    assumption = Assumption.objects.select_related("business_case__deal").get(business_case=case)
    assumption.business_case.deal.stage = Stage.LIVE
    business_case.assumption_assess(
        assumption=assumption, user=owner, outcome="held", evidence="Churn fell."
    )
    agreement_walk(deal, personas, today)
    digest_preference_set(user=sponsor, subscribed=True, weekday=0)
    digest_preference_set(user=sponsor, subscribed=False, weekday=0)
    digest_preference_set(user=sponsor, subscribed=True, weekday=0)
    unsubscribe(user=sponsor, kind="digest")
    event_channels_set(user=sponsor, channels={"mention": "off"})
    calendar_address_replace(user=sponsor)
    key, _ = api_key_create(user=sponsor, owner=sponsor, name="CRM sync", scope="write")
    api_key_revoke(key=key, user=personas.admin)
    with override_settings(WEBHOOK_ALLOW_LOOPBACK=True):
        endpoint = endpoint_create(
            user=personas.admin,
            name="ERP",
            url="http://127.0.0.1:9/hooks",
            events=["term.revised"],
            owner=personas.admin,
        )
    sent = WebhookDelivery.objects.create(
        endpoint=endpoint, msg_id="msg_test", event_type="term.revised", payload={}
    )
    delivery_redeliver(delivery=sent, user=personas.admin)
    endpoint_disable(endpoint=endpoint, reason="manual", user=personas.admin)
    # A partner, saved as partnerships.views.partner_form saves it.
    partner = Partner.objects.create(name="Northwind", kind="technology", country="Germany")
    partner_saved(
        partner=partner,
        user=personas.admin,
        created=True,
        old={},
        new=changed({}, snapshot(partner))[1],
    )
    before = snapshot(partner)
    partner.country, partner.risk_tier = "France", "high"
    partner.save()
    old, new = changed(before, snapshot(partner))
    partner_saved(partner=partner, user=personas.admin, created=False, old=old, new=new)
    intake_walk(personas)
    return deal


def intake_walk(personas) -> None:
    """A form published, a request submitted through it, routed on an answer, and the
    answer changed: the review it asked for is no longer needed."""
    version = intake_services.form_version_publish(
        version=build_form(name="Data sharing", publish=False), user=personas.admin
    )
    ReviewRule.objects.create(
        department=Department.objects.get(slug="security"),
        condition=RuleCondition.ANSWER,
        answer_key="personal_data",
        answer_label="handles personal data",
        answer_value="yes",
    )
    answers = {"summary": "Share loyalty data.", "total_value": "90000", "personal_data": "yes"}
    request = intake_services.request_submit(
        version=version,
        user=personas.owner,
        title="Loyalty data sharing",
        partner_name="Northwind Loyalty",
        sponsor=personas.executive,
        answers={**answers, "categories": ["Contact"]},
    )
    deal = deal_services.deal_advance(
        deal=request.deal, user=personas.owner, to_stage=Stage.BUSINESS_CASE
    )
    deal_services.deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)
    intake_services.request_answers_change(
        request=request, user=personas.owner, answers={**answers, "personal_data": "no"}
    )


def amendment_walk(agreement, personas, today) -> None:
    """Amendments: one approved (the notice period, an obligation added), one that ends
    that obligation, one rejected."""
    owner, sponsor = personas.owner, personas.executive

    def propose(title: str, *changes) -> Amendment:
        amendment = amendments.amendment_draft(
            agreement=agreement,
            user=owner,
            data={"title": title, "reason": "Agreed.", "effective_date": today},
        )
        for change, kwargs in changes:
            change(amendment=amendment, user=owner, **kwargs)
        return amendments.amendment_propose(amendment=amendment, user=owner)

    current = Agreement.objects.get(pk=agreement.pk)
    stated = {name: getattr(current, name) for name in amendments.DATE_FIELDS}
    first = propose(
        "Shorter notice",
        (amendments.amendment_change_dates, {"data": {**stated, "notice_amount": 30}}),
        (
            amendments.amendment_change_obligation,
            {
                "kind": "obligation_add",
                "data": {
                    "title": "Annual audit",
                    "owed_by": "partner",
                    "category": "audit",
                    "clause": "",
                    "owner": owner,
                    "reviewer": sponsor,
                    "recurrence": "yearly",
                    "first_due": today + dt.timedelta(days=300),
                    "until": None,
                    "lead_days": 14,
                },
            },
        ),
    )
    amendment_approval.amendment_decide(amendment=first, user=sponsor, approve=True, note="Fine.")
    audit = agreement.obligations.get(title="Annual audit")
    second = propose(
        "No more audits",
        (
            amendments.amendment_change_obligation,
            {"kind": "obligation_end", "obligation": audit, "data": {"until": audit.first_due}},
        ),
    )
    amendment_approval.amendment_decide(amendment=second, user=sponsor, approve=True)
    stated = {
        name: getattr(Agreement.objects.get(pk=agreement.pk), name)
        for name in amendments.DATE_FIELDS
    }
    third = propose(
        "Longer notice",
        (amendments.amendment_change_dates, {"data": {**stated, "notice_amount": 120}}),
    )
    amendment_approval.amendment_decide(
        amendment=third, user=sponsor, approve=False, note="Not agreed."
    )


def agreement_walk(deal, personas, today) -> None:
    """The signed contract's life: opened, its terms recorded, renewed by the daily task,
    a renewal decided, ended; an obligation of the partner's, its evidence rejected, missed."""
    owner, sponsor = personas.owner, personas.executive
    agreement = agreement_services.agreement_open(deal=deal, user=owner)
    agreement = agreement_services.agreement_update(
        agreement=agreement,
        user=owner,
        data={
            "effective_date": today - dt.timedelta(days=400),
            "initial_term_months": 12,
            "renewal_type": "automatic",
            "renewal_term_months": 12,
            "max_renewals": 1,
            "notice_unit": "days",
            "notice_amount": 60,
        },
    )
    agreement_services.agreements_open_windows(
        today=agreement.notice_deadline - dt.timedelta(days=30)
    )
    agreement_services.agreement_roll_forward(agreement_id=agreement.pk, today=today)
    agreement = Agreement.objects.get(pk=agreement.pk)
    agreement_services.agreement_decide(
        agreement=agreement, user=sponsor, decision="renegotiate", note="A better price."
    )
    amendment_walk(agreement, personas, today)
    agreement_services.agreement_roll_forward(
        agreement_id=agreement.pk, today=today + dt.timedelta(days=800)
    )
    obligation = obligation_services.obligation_add(
        agreement=agreement,
        user=owner,
        data={
            "title": "Quarterly service report",
            "owed_by": "partner",
            "owner": owner,
            "reviewer": sponsor,
            "first_due": today - dt.timedelta(days=2),
        },
    )
    occurrence = obligation.occurrences.get()
    upload = SimpleUploadedFile("report.pdf", PDF, "application/pdf")
    upload.kind = "pdf"
    occurrence = obligation_services.evidence_submit(
        occurrence=occurrence, user=owner, upload=upload
    )
    obligation_services.evidence_review(
        occurrence=occurrence, user=sponsor, accept=False, note="Last quarter's figures."
    )
    obligation_services.occurrences_mark_missed(today=today)


def test_every_audit_action_the_services_write_reads_as_a_sentence(
    big_ids, media, personas, partnership, client_for
):
    deal = walk(personas, partnership, client_for)
    events = list(AuditEvent.objects.select_related("actor", "deal"))

    # No service writes "term removed" any more (a term is withdrawn: "term revised");
    # older rows may carry it, and it has its renderer.
    written = set(AuditAction.values) - {AuditAction.TERM_REMOVED}
    assert {e.action for e in events} == written, "the walk misses an action"
    assert set(RENDERERS) == set(AuditAction), "an action has no renderer"
    for event in events:
        text = sentence(event)
        for pattern, what in RAW:
            assert not pattern.search(text), f"{what} in {text!r} ({event.action})"
        assert event.object_id not in text, text
        keys = {k for k in [*event.before, *event.after] if "_" in k}
        assert not any(k in text for k in keys), text
        assert text.endswith((".", "”")), text

    said = {sentence(e) for e in events if e.deal_id == deal.pk}
    assert (
        "Oliver Grant moved the deal from Business case to Review: “Ready for the departments.”"
        in said
    )
    text = " ".join(said)
    assert (
        "the contract value from 250,000 EUR to 310,000 GBP, the currency from EUR to GBP" in text
    )
    it = personas.it.display_name
    assert f"{it} rejected the deal for IT: “No single sign-on.”" in said
    assert f"{it} approved the deal for IT by email." in said
    assert f"{it} raised a blocking concern of high severity: “Data residency”" in said
    assert "Oliver Grant removed the check-in of 105 on " in text


def test_an_event_with_fields_nobody_knows_leaves_them_out(personas, deal):
    event = AuditEvent(
        deal=deal,
        actor=personas.owner,
        action=AuditAction.EDITED,
        object_type="deals.deal",
        object_id=str(deal.pk),
        before={"internal_flag": None, "contract_value": "100"},
        after={"internal_flag": "x", "contract_value": "200", "sponsor": 12},
    )
    text = sentence(event)
    assert "internal" not in text and "12" not in text and "None" not in text
    assert text.endswith("changed the sponsor and the contract value from 100 EUR to 200 EUR.")


def test_the_deal_page_shows_five_sentences_and_the_history_page_all_of_them(
    client_for, personas, deal_in_review
):
    for n in range(8):
        deal_services.deal_request_decision(
            deal=deal_in_review, user=personas.owner, note=f"Ask {n}"
        )
    client = client_for(personas.owner)
    page = client.get(deal_in_review.get_absolute_url()).content.decode()
    activity = page.split('id="activity-title"')[1].split("</section>")[0]
    assert activity.count("<li>") == 5
    assert "asked the sponsor to decide: “Ask 7”" in activity
    assert "Show all" in activity and reverse("deal_history", args=[deal_in_review.pk]) in activity
    history = client.get(reverse("deal_history", args=[deal_in_review.pk])).content.decode()
    assert "asked the sponsor to decide: “Ask 0”" in history
    assert "moved the deal from Business case to Review." in history
    assert "decision_requested" not in history and "None" not in history


def test_the_review_page_puts_the_verdict_panel_before_the_history(
    client_for, personas, deal_in_review
):
    review = deal_in_review.reviews.get(department__slug="legal")
    page = client_for(personas.legal).get(review.get_absolute_url()).content.decode()
    assert page.index('id="verdict-panel"') < page.index('id="history-title"')
    assert page.index('id="terms-title"') < page.index('id="history-title"')
