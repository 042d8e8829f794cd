"""Amendments of a signed contract: nothing changes before a second person approves;
approval applies every change at once (terms through their revisions, dates, obligations)
and re-opens exactly the reviews of the departments whose wording changed; approved and
rejected amendments are final; a stale one is refused with what changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements import dates
from agreements.amendment_approval import AmendmentStale, amendment_decide
from agreements.amendments import (
    DATE_FIELDS,
    amendment_change_dates,
    amendment_change_obligation,
    amendment_change_term,
    amendment_draft,
    amendment_propose,
    amendment_update,
)
from agreements.models import (
    Agreement,
    Amendment,
    AmendmentChange,
    AmendmentStatus,
    NoticeUnit,
    Obligation,
    Occurrence,
)
from agreements.obligations import obligation_add, occurrences_mark_missed
from agreements.services import agreement_update, agreements_roll_forward
from core.models import AuditAction, AuditEvent
from deals.activity import sentence
from deals.models import Deal, Stage, Term, TermRevision, TermStatus
from deals.services import deal_advance
from notifications.models import Notification, NotificationKind
from stakeholders.models import Concern, ReviewStatus
from stakeholders.services import review_give_verdict
from tests.factories import TermFactory, department

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def terms(deal_in_negotiation_all_approved):
    """Three agreed terms, one per department that approved the deal (made before signing)."""
    deal = deal_in_negotiation_all_approved
    made = {
        "fee": ("Annual fee", "price", "procurement", "EUR 120,000 per year, paid quarterly."),
        "cap": ("Liability cap", "liability_cap", "legal", "Capped at the fees of 12 months."),
        "sla": ("Uptime", "sla", "it", "99.9% monthly availability."),
    }
    return {
        key: TermFactory(
            deal=deal,
            title=title,
            category=category,
            department=department(slug),
            wording=wording,
            status=TermStatus.AGREED,
        )
        for key, (title, category, slug, wording) in made.items()
    }


@pytest.fixture
def contract(terms, agreement):
    """The signed agreement (automatic yearly renewal, 90 days' notice) with its terms."""
    return agreement


@pytest.fixture
def report(personas, contract):
    return obligation_add(
        agreement=contract,
        user=personas.owner,
        data={
            "title": "Quarterly service report",
            "owed_by": "partner",
            "category": "reporting",
            "owner": personas.owner,
            "reviewer": personas.executive,
            "recurrence": "quarterly",
            "first_due": timezone.localdate() + dt.timedelta(days=5),
            "lead_days": 10,
        },
    )


def draft(contract, user, title="Price uplift"):
    return amendment_draft(
        agreement=contract,
        user=user,
        data={
            "title": title,
            "reason": "Agreed with the partner at the QBR.",
            "effective_date": timezone.localdate(),
        },
    )


def full_amendment(personas, contract, terms, report):
    """Reword the fee, add a data-protection term for Legal, 60 days' notice, a new
    obligation and the report ended: proposed by the owner."""
    owner = personas.owner
    amendment = draft(contract, owner)
    amendment_change_term(
        amendment=amendment,
        user=owner,
        kind="term_revise",
        term=terms["fee"],
        data={"wording": "EUR 132,000 per year, paid quarterly."},
    )
    amendment_change_term(
        amendment=amendment,
        user=owner,
        kind="term_add",
        data={
            "title": "Sub-processors",
            "category": "data_protection",
            "department": department("legal"),
            "wording": "No new sub-processor without 30 days' notice.",
        },
    )
    data = {
        name: getattr(contract, name)
        for name in ("effective_date", "term_kind", "initial_term_months", "initial_end_date")
    }
    amendment_change_dates(
        amendment=amendment,
        user=owner,
        data={
            **data,
            "renewal_type": "automatic",
            "renewal_term_months": 12,
            "max_renewals": None,
            "notice_unit": NoticeUnit.DAYS,
            "notice_amount": 60,
            "notice_business_days": False,
            "notice_method": "Registered letter",
        },
    )
    amendment_change_obligation(
        amendment=amendment,
        user=owner,
        kind="obligation_add",
        data={
            "title": "Annual security audit",
            "owed_by": "partner",
            "category": "audit",
            "clause": "§ 9",
            "owner": owner,
            "reviewer": personas.executive,
            "recurrence": "yearly",
            "first_due": timezone.localdate() + dt.timedelta(days=200),
            "until": None,
            "lead_days": 30,
        },
    )
    amendment_change_obligation(
        amendment=amendment,
        user=owner,
        kind="obligation_end",
        obligation=report,
        data={"until": report.first_due},
    )
    return amendment_propose(amendment=amendment, user=owner)


def statuses(deal):
    return {r.department.slug: r.status for r in deal.reviews.select_related("department")}


def test_nothing_in_the_contract_changes_before_approval(personas, contract, terms, report):
    before_terms = {t.pk: (t.wording, t.version) for t in Term.objects.filter(deal=contract.deal)}
    before_dates = (contract.current_term_end, contract.notice_deadline, contract.notice_amount)
    amendment = full_amendment(personas, contract, terms, report)
    assert amendment.status == AmendmentStatus.PROPOSED
    assert amendment.changes.count() == 5
    after_terms = {t.pk: (t.wording, t.version) for t in Term.objects.filter(deal=contract.deal)}
    assert after_terms == before_terms
    fresh = Agreement.objects.get(pk=contract.pk)
    assert (fresh.current_term_end, fresh.notice_deadline, fresh.notice_amount) == before_dates
    assert list(contract.obligations.values_list("title", flat=True)) == [report.title]
    assert Obligation.objects.get(pk=report.pk).until is None
    assert set(statuses(contract.deal).values()) == {ReviewStatus.APPROVED}


def test_approval_applies_every_change_and_reopens_exactly_the_affected_reviews(
    personas, contract, terms, report
):
    amendment = full_amendment(personas, contract, terms, report)
    approved = amendment_decide(amendment=amendment, user=personas.executive, approve=True)

    assert approved.status == AmendmentStatus.APPROVED and approved.decided_at
    fee = Term.objects.get(pk=terms["fee"].pk)
    assert fee.wording == "EUR 132,000 per year, paid quarterly." and fee.version == 2
    revision = fee.revisions.get(number=2)
    assert revision.note.startswith("Amendment 1") and revision.reopened_review
    added = Term.objects.get(deal=contract.deal, title="Sub-processors")
    assert added.department.slug == "legal"
    assert TermRevision.objects.get(term=added).note == "Amendment 1"
    fresh = Agreement.objects.get(pk=contract.pk)
    assert fresh.notice_amount == 60
    assert fresh.notice_deadline == fresh.deadline_for(fresh.current_term_end)
    assert fresh.notice_deadline > contract.notice_deadline  # 60 days' notice, not 90
    assert contract.obligations.filter(title="Annual security audit").exists()
    assert Obligation.objects.get(pk=report.pk).until == report.first_due
    # Procurement (the fee) and Legal (the new term) re-open; IT's approval stands.
    deal = Deal.objects.get(pk=contract.deal_id)
    assert statuses(deal) == {
        "procurement": ReviewStatus.PENDING,
        "legal": ReviewStatus.PENDING,
        "it": ReviewStatus.APPROVED,
    }
    assert approved.reopened == ["Legal", "Procurement"]
    # The contract stays signed: a re-opened review does not move the deal.
    assert deal.stage == Stage.SIGNED


def test_a_signed_deal_goes_live_only_once_the_reopened_reviews_sign_off_again(
    personas, contract, terms
):
    amendment = draft(contract, personas.owner)
    amendment_change_term(
        amendment=amendment,
        user=personas.owner,
        kind="term_revise",
        term=terms["cap"],
        data={"wording": "Capped at the fees of 24 months."},
    )
    amendment = amendment_propose(amendment=amendment, user=personas.owner)
    amendment_decide(amendment=amendment, user=personas.executive, approve=True)
    deal = Deal.objects.get(pk=contract.deal_id)
    with pytest.raises(ValidationError, match="Legal"):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.LIVE)
    review_give_verdict(
        review=deal.reviews.get(department__slug="legal"), user=personas.legal, verdict="approve"
    )
    assert deal_advance(deal=deal, user=personas.owner, to_stage=Stage.LIVE).stage == Stage.LIVE


def test_terms_of_a_signed_deal_still_do_not_change_in_place(client_for, personas, terms, contract):
    term = terms["fee"]
    response = client_for(personas.owner).post(
        reverse("term_detail", args=[term.pk]),
        {"wording": "Free of charge.", "status": "agreed", "version": term.version, "note": ""},
    )
    assert response.status_code == 422
    assert Term.objects.get(pk=term.pk).wording == term.wording


def test_an_approved_amendment_is_final_and_a_rejected_one_stays(
    client_for, personas, contract, terms
):
    first = draft(contract, personas.owner)
    amendment_change_term(
        amendment=first, user=personas.owner, kind="term_withdraw", term=terms["sla"], data={}
    )
    first = amendment_propose(amendment=first, user=personas.owner)
    amendment_decide(amendment=first, user=personas.executive, approve=True)
    assert Term.objects.get(pk=terms["sla"].pk).status == TermStatus.WITHDRAWN
    with pytest.raises(ValidationError, match="only a draft changes"):
        amendment_update(amendment=first, user=personas.owner, data={"title": "Other"})
    with pytest.raises(ValidationError, match="only a draft changes"):
        amendment_change_term(
            amendment=first,
            user=personas.owner,
            kind="term_revise",
            term=terms["fee"],
            data={"wording": "Free."},
        )
    with pytest.raises(ValidationError, match="nothing to decide"):
        amendment_decide(amendment=first, user=personas.executive, approve=False, note="No")

    second = draft(contract, personas.owner, title="Free service")
    amendment_change_term(
        amendment=second,
        user=personas.owner,
        kind="term_revise",
        term=terms["fee"],
        data={"wording": "Free of charge."},
    )
    second = amendment_propose(amendment=second, user=personas.owner)
    with pytest.raises(ValidationError):
        amendment_decide(amendment=second, user=personas.executive, approve=False)  # no note
    rejected = amendment_decide(
        amendment=second, user=personas.executive, approve=False, note="Not what we agreed."
    )
    assert rejected.status == AmendmentStatus.REJECTED and rejected.number == 2
    assert Term.objects.get(pk=terms["fee"].pk).wording == terms["fee"].wording
    # Through the pages: the drafts' forms send back to the amendment, changing nothing.
    client = client_for(personas.owner)
    response = client.post(
        reverse("amendment_edit", args=[rejected.pk]),
        {"title": "x", "reason": "y", "effective_date": "2030-01-01"},
    )
    assert response.status_code == 302
    assert Amendment.objects.get(pk=rejected.pk).title == "Free service"
    assert Amendment.objects.filter(agreement=contract).count() == 2
    page = client.get(reverse("agreement_detail", args=[contract.pk])).content.decode()
    assert "Amendment 2: Free service" in page and "Rejected" in page


def test_four_eyes_the_proposer_never_approves(personas, contract, terms):
    def proposed_by(user):
        amendment = draft(contract, user)
        amendment_change_term(
            amendment=amendment,
            user=user,
            kind="term_revise",
            term=terms["cap"],
            data={"wording": f"Changed by {user.email}."},
        )
        return amendment_propose(amendment=amendment, user=user)

    by_owner = proposed_by(personas.owner)
    for person in (personas.owner, personas.admin, personas.legal, personas.outsider):
        with pytest.raises(PermissionDenied):
            amendment_decide(amendment=by_owner, user=person, approve=False, note="No")
    amendment_decide(amendment=by_owner, user=personas.executive, approve=False, note="No")

    by_sponsor = proposed_by(personas.executive)
    for person in (personas.executive, personas.admin, personas.procurement):
        with pytest.raises(PermissionDenied):
            amendment_decide(amendment=by_sponsor, user=person, approve=True)
    assert amendment_decide(amendment=by_sponsor, user=personas.owner, approve=True).status == (
        AmendmentStatus.APPROVED
    )
    # Drafting is the owner's or the sponsor's only.
    for person in (personas.legal, personas.outsider):
        with pytest.raises(PermissionDenied):
            draft(contract, person)


def test_people_who_cannot_see_the_deal_get_404(client_for, personas, contract, terms):
    amendment = draft(contract, personas.owner)
    change = amendment_change_term(
        amendment=amendment, user=personas.owner, kind="term_withdraw", term=terms["sla"], data={}
    )
    Deal.objects.filter(pk=contract.deal_id).update(confidential=True)
    client = client_for(personas.outsider)
    for name, pk in (
        ("amendment_create", contract.pk),
        ("amendment_detail", amendment.pk),
        ("amendment_term_change", amendment.pk),
        ("amendment_dates_change", amendment.pk),
        ("amendment_obligation_change", amendment.pk),
        ("amendment_propose", amendment.pk),
        ("amendment_decide", amendment.pk),
        ("amendment_change_remove", change.pk),
    ):
        assert client.post(reverse(name, args=[pk])).status_code == 404, name
        assert client.get(reverse(name, args=[pk])).status_code in (404, 405), name
    assert AmendmentChange.objects.filter(pk=change.pk).exists()
    # Finance has no part in the deal but it is open to them once it is not confidential.
    assert client_for(personas.legal).get(amendment.get_absolute_url()).status_code == 200


def test_a_stale_amendment_is_refused_with_what_changed(client_for, personas, contract, terms):
    def proposal(wording):
        amendment = draft(contract, personas.owner)
        amendment_change_term(
            amendment=amendment,
            user=personas.owner,
            kind="term_revise",
            term=terms["fee"],
            data={"wording": wording},
        )
        return amendment_propose(amendment=amendment, user=personas.owner)

    first, second = proposal("EUR 130,000."), proposal("EUR 140,000.")
    amendment_decide(amendment=first, user=personas.executive, approve=True)
    with pytest.raises(AmendmentStale) as stale:
        amendment_decide(amendment=second, user=personas.executive, approve=True)
    assert stale.value.reasons == ["the term “Annual fee” was changed"]
    # The page says so with a 409, and nothing was applied.
    client = client_for(personas.executive)
    response = client.post(reverse("amendment_decide", args=[second.pk]), {"verdict": "approve"})
    assert response.status_code == 409
    assert "the contract changed since this was proposed" in response.content.decode()
    assert "The term “Annual fee” was changed" in response.content.decode()
    assert Term.objects.get(pk=terms["fee"].pk).wording == "EUR 130,000."
    assert Amendment.objects.get(pk=second.pk).status == AmendmentStatus.PROPOSED

    # The agreement edited meanwhile: named too.
    third = proposal("EUR 150,000.")
    agreement_update(agreement=contract, user=personas.owner, data={"notice_amount": 45})
    with pytest.raises(AmendmentStale, match="notice period length"):
        amendment_decide(amendment=third, user=personas.executive, approve=True)
    # Rejecting a stale amendment is allowed: it applies nothing.
    rejected = amendment_decide(amendment=third, user=personas.executive, approve=False, note="Old")
    assert rejected.status == AmendmentStatus.REJECTED


def test_bad_input_gets_a_message_at_the_field_and_saves_nothing(
    client_for, personas, contract, terms
):
    client = client_for(personas.owner)
    response = client.post(
        reverse("amendment_create", args=[contract.pk]), {"title": "", "reason": ""}
    )
    assert response.status_code == 422
    assert not Amendment.objects.exists()
    amendment = draft(contract, personas.owner)
    url = reverse("amendment_term_change", args=[amendment.pk])
    response = client.post(url, {"kind": "term_revise", "term": terms["fee"].pk, "wording": ""})
    assert response.status_code == 422
    assert 'id="id_wording_error"' in response.content.decode()
    response = client.post(
        url, {"kind": "term_revise", "term": terms["fee"].pk, "wording": terms["fee"].wording}
    )
    assert response.status_code == 422
    assert "That is the wording it has" in response.content.decode()
    response = client.post(url, {"kind": "term_add", "title": "New", "wording": "Words."})
    assert response.status_code == 422
    assert 'id="id_category_error"' in response.content.decode()
    dates = reverse("amendment_dates_change", args=[amendment.pk])
    response = client.post(dates, {"term_kind": "months", "effective_date": "2026-01-01"})
    assert response.status_code == 422
    assert 'id="id_initial_term_months_error"' in response.content.decode()
    obligation = reverse("amendment_obligation_change", args=[amendment.pk])
    response = client.post(
        obligation,
        {
            "kind": "obligation_add",
            "title": "Report",
            "owed_by": "us",
            "category": "reporting",
            "owner": personas.owner.pk,
            "reviewer": personas.owner.pk,
            "recurrence": "once",
            "first_due": "2027-01-01",
            "lead_days": 14,
        },
    )
    assert response.status_code == 422
    assert "someone other than its owner" in response.content.decode()
    assert not AmendmentChange.objects.exists()
    # Proposing an empty draft: said on the page, still a draft.
    response = client.post(reverse("amendment_propose", args=[amendment.pk]))
    assert response.status_code == 422
    assert "at least one change" in response.content.decode()
    assert Amendment.objects.get(pk=amendment.pk).status == AmendmentStatus.DRAFT


def test_the_whole_path_through_the_pages_without_javascript(
    client_for, personas, contract, terms, report
):
    owner = client_for(personas.owner)
    page = owner.get(reverse("agreement_detail", args=[contract.pk])).content.decode()
    assert "No amendments." in page and "Draft an amendment" in page
    response = owner.post(
        reverse("amendment_create", args=[contract.pk]),
        {"title": "Uplift", "reason": "Agreed.", "effective_date": "2026-12-01"},
    )
    amendment = Amendment.objects.get()
    assert response.url == amendment.get_absolute_url()
    form = owner.get(
        reverse("amendment_term_change", args=[amendment.pk]) + f"?term={terms['fee'].pk}"
    )
    assert terms["fee"].wording in form.content.decode()
    owner.post(
        reverse("amendment_term_change", args=[amendment.pk]),
        {"kind": "term_revise", "term": terms["fee"].pk, "wording": "EUR 125,000 per year."},
    )
    response = owner.post(
        reverse("amendment_obligation_change", args=[amendment.pk]),
        {
            "obligation": report.pk,
            "kind": "obligation_change",
            "title": report.title,
            "owed_by": "partner",
            "category": "reporting",
            "owner": personas.owner.pk,
            "reviewer": personas.executive.pk,
            "recurrence": "monthly",
            "first_due": report.first_due.isoformat(),
            "lead_days": 10,
        },
    )
    assert response.status_code == 302
    page = owner.get(amendment.get_absolute_url()).content.decode()
    assert "<del>120,000</del><ins>125,000</ins>" in page.replace("EUR ", "")
    assert "Procurement" in page and "re-opens for a new round" in page
    assert "Quarterly" in page and "Monthly" in page
    assert owner.post(reverse("amendment_propose", args=[amendment.pk])).status_code == 302
    sponsor = client_for(personas.executive)
    response = sponsor.post(
        reverse("amendment_decide", args=[amendment.pk]), {"verdict": "approve", "note": "Fine."}
    )
    assert response.status_code == 302
    assert Obligation.objects.get(pk=report.pk).recurrence == "monthly"
    term_page = owner.get(reverse("term_detail", args=[terms["fee"].pk])).content.decode()
    assert "Amendment 1: Uplift" in term_page


def test_every_step_is_audited_and_reads_as_a_sentence(personas, contract, terms, report):
    amendment = full_amendment(personas, contract, terms, report)
    amendment_decide(amendment=amendment, user=personas.executive, approve=True, note="Agreed.")
    events = list(AuditEvent.objects.filter(deal=contract.deal).order_by("pk"))
    actions = [e.action for e in events]
    for action in (
        AuditAction.AMENDMENT_DRAFTED,
        AuditAction.AMENDMENT_EDITED,
        AuditAction.AMENDMENT_PROPOSED,
        AuditAction.TERM_REVISED,
        AuditAction.TERM_ADDED,
        AuditAction.AGREEMENT_EDITED,
        AuditAction.OBLIGATION_ADDED,
        AuditAction.OBLIGATION_CHANGED,
        AuditAction.REVIEW_REOPENED,
        AuditAction.AMENDMENT_APPROVED,
    ):
        assert action in actions, action
    assert actions[-1] == AuditAction.AMENDMENT_APPROVED
    said = [sentence(e) for e in events if e.action.startswith(("amendment", "obligation c"))]
    assert all("made a change" not in s for s in said)
    approved = sentence(events[-1])
    assert approved.startswith(personas.executive.display_name)
    assert "Amendment 1 “Price uplift” (5 changes)" in approved
    assert "re-opened the review of Legal and Procurement" in approved
    added = next(e for e in events if e.action == AuditAction.TERM_ADDED)
    assert "by Amendment 1" in sentence(added)
    ended = next(e for e in events if e.action == AuditAction.OBLIGATION_CHANGED)
    assert sentence(ended).endswith(f"by Amendment 1: last due {report.first_due:%-d %b %Y}.")


@pytest.mark.parametrize("count", [2, 8])
def test_the_agreement_page_lists_amendments_in_a_fixed_number_of_queries(
    client_for, personas, contract, terms, count, django_assert_max_num_queries
):
    for n in range(count):
        amendment = draft(contract, personas.owner, title=f"Change {n}")
        amendment_change_term(
            amendment=amendment,
            user=personas.owner,
            kind="term_revise",
            term=terms["cap"],
            data={"wording": f"Capped at {n} months."},
        )
        if n % 2:
            amendment_propose(amendment=amendment, user=personas.owner)
    client = client_for(personas.owner)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("agreement_detail", args=[contract.pk])).content.decode()
    assert page.count("Change ") >= count
    with django_assert_max_num_queries(16):
        client.get(reverse("amendment_detail", args=[amendment.pk]))


def test_the_approver_is_asked_and_the_proposer_told(personas, contract, terms):
    amendment = draft(contract, personas.executive)
    amendment_change_term(
        amendment=amendment,
        user=personas.executive,
        kind="term_withdraw",
        term=terms["sla"],
        data={},
    )
    amendment = amendment_propose(amendment=amendment, user=personas.executive)
    asked = Notification.objects.get(kind=NotificationKind.DECISION_REQUESTED)
    assert asked.recipient == personas.owner  # the sponsor proposed: the owner approves
    assert "asks you to approve Amendment 1" in asked.payload["text"]
    amendment_decide(amendment=amendment, user=personas.owner, approve=False, note="Keep it.")
    told = Notification.objects.get(kind=NotificationKind.DECISION_RECORDED)
    assert told.recipient == personas.executive
    assert "rejected Amendment 1" in told.payload["text"]


def test_a_longer_term_moves_the_term_end_and_the_notice_deadline_shown_before_and_after(
    client_for, personas, contract
):
    amendment = draft(contract, personas.owner, title="Two-year term")
    stated = {name: getattr(contract, name) for name in DATE_FIELDS}
    start = contract.effective_date - dt.timedelta(days=1)
    amendment_change_dates(
        amendment=amendment,
        user=personas.owner,
        data={**stated, "effective_date": start, "initial_term_months": 24},
    )
    amendment = amendment_propose(amendment=amendment, user=personas.owner)
    page = client_for(personas.executive).get(amendment.get_absolute_url()).content.decode()
    new_end = dates.term_end(start, 24)
    for day in (contract.current_term_end, new_end, contract.notice_deadline):
        assert f"{day:%-d %b %Y}" in page
    assert "Current term ends" in page and "Initial term in months" in page
    amendment_decide(amendment=amendment, user=personas.executive, approve=True)
    fresh = Agreement.objects.get(pk=contract.pk)
    assert (fresh.effective_date, fresh.initial_term_months) == (start, 24)
    assert fresh.current_term_end == new_end
    assert fresh.notice_deadline == dates.notice_deadline(new_end, amount=90, unit="days")
    assert Amendment.objects.get(pk=amendment.pk).reopened == []


@pytest.fixture
def renewed_twice(personas, contract):
    """The contract started ~2 years and 7 months ago: renewed twice, its term in
    progress ends in about five months."""
    today = timezone.localdate()
    agreement_update(
        agreement=contract,
        user=personas.owner,
        data={"effective_date": today - dt.timedelta(days=365 * 2 + 200), "max_renewals": 3},
    )
    agreements_roll_forward(today=today)
    renewed = Agreement.objects.get(pk=contract.pk)
    assert renewed.renewals_done == 2 and renewed.current_term_end > today
    return renewed


def test_an_amendment_may_not_recount_the_renewals_already_done(personas, renewed_twice):
    """A one-month renewal term, counted back over two renewals, would have ended the term
    in progress last year: the daily run would then end a running contract at once."""
    amendment = draft(renewed_twice, personas.owner)
    data = {name: getattr(renewed_twice, name) for name in DATE_FIELDS}
    with pytest.raises(ValidationError, match="renewed 2 time"):
        amendment_change_dates(
            amendment=amendment, user=personas.owner, data={**data, "renewal_term_months": 1}
        )
    assert not amendment.changes.exists()
    # What does not move the term in progress is still amended.
    amendment_change_dates(
        amendment=amendment, user=personas.owner, data={**data, "notice_amount": 30}
    )
    amendment_propose(amendment=amendment, user=personas.owner)
    amendment_decide(amendment=amendment, user=personas.executive, approve=True)
    after = Agreement.objects.get(pk=renewed_twice.pk)
    assert after.current_term_end == renewed_twice.current_term_end and after.ended_on is None
    assert after.notice_amount == 30


def test_a_draft_that_recounts_renewals_done_since_it_was_written_is_not_proposed(
    personas, contract
):
    amendment = draft(contract, personas.owner)
    data = {name: getattr(contract, name) for name in DATE_FIELDS}
    amendment_change_dates(
        amendment=amendment, user=personas.owner, data={**data, "renewal_term_months": 1}
    )
    # The contract renews (its start moved back by its owner) before the draft is proposed.
    today = timezone.localdate()
    agreement_update(
        agreement=contract,
        user=personas.owner,
        data={"effective_date": today - dt.timedelta(days=365 * 2 + 200)},
    )
    agreements_roll_forward(today=today)
    with pytest.raises(ValidationError, match="renewed 2 time"):
        amendment_propose(amendment=amendment, user=personas.owner)
    assert Amendment.objects.get(pk=amendment.pk).is_draft


def test_an_amended_schedule_makes_no_occurrence_due_before_it_applies(personas, contract):
    """A yearly report first due 300 days ago, amended to monthly: the months already
    past were never due under the contract as it stood; made now, each would be missed at
    once and raise a concern against the partner."""
    today = timezone.localdate()
    yearly = obligation_add(
        agreement=contract,
        user=personas.owner,
        data={
            "title": "Annual report",
            "owed_by": "partner",
            "category": "reporting",
            "owner": personas.owner,
            "reviewer": personas.executive,
            "recurrence": "yearly",
            "first_due": today - dt.timedelta(days=300),
            "lead_days": 10,
        },
    )
    occurrences_mark_missed(today=today)
    concerns = Concern.objects.count()
    amendment = draft(contract, personas.owner)
    amendment_change_obligation(
        amendment=amendment,
        user=personas.owner,
        kind="obligation_change",
        obligation=yearly,
        data={"recurrence": "monthly"},
    )
    amendment_propose(amendment=amendment, user=personas.owner)
    amendment_decide(amendment=amendment, user=personas.executive, approve=True)
    made = Occurrence.objects.filter(obligation=yearly).exclude(due_on=yearly.first_due)
    assert made.exists() and not made.filter(due_on__lt=today).exists()
    assert occurrences_mark_missed(today=today) == 0
    assert Concern.objects.count() == concerns


def test_an_amendment_s_reason_is_bounded(client_for, personas, contract):
    response = client_for(personas.owner).post(
        reverse("amendment_create", args=[contract.pk]),
        {"title": "Long", "reason": "r" * 1_000_000, "effective_date": "2026-01-01"},
    )
    assert response.status_code == 422
    assert 'id="id_reason_error"' in response.content.decode()
    assert not Amendment.objects.exists()
