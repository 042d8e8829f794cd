"""Every URL pattern of the URLconf × every role, GET and POST: the status each one gets.

POLICY below is the access policy as a table: per URL name and method, the status
each role of tests.personas.ROLES gets. The deal, and everything under it, is one
that `owner` owns, `executive` sponsors and Legal, Procurement and IT review
(tests/conftest.py `access_world`); the last three columns are people with no part
in it. There are two such deals:

- a confidential one, walked by every role. People with no part get 404 for
  everything under it (nothing reachable by guessing ids), whatever their column
  says, except a 405: refusing the method comes before the id and reveals nothing.
- an open one, walked by the people with no part: there they get their column.
  (What the others may do follows from their part, not from the flag.)

A POST carries one field nobody reads, so a form that lets the role in is refused as
incomplete (422) and one that shuts the role out says 403. Each request runs in a
savepoint rolled back after it: every request meets the same data, whatever the order.

A URL name without a row fails: add the expected statuses for it. Reading a deal is
not acting on it: those with no part in an open deal read it, and only raise concerns,
comment or reply when they belong to a department.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.personas import NOT_INVOLVED, ROLES

pytestmark = pytest.mark.django_db

# The statuses of a row, by role. Rows used by several URLs are named for what they say.
# fmt: off
#                   anon  own spon  leg proc   it  adm    fin  out oexe
PUBLIC            = (200, 200, 200, 200, 200, 200, 200,   200, 200, 200)
NO_SUCH_METHOD    = (405, 405, 405, 405, 405, 405, 405,   405, 405, 405)
SIGNED_OUT_ONLY   = (200, 302, 302, 302, 302, 302, 302,   302, 302, 302)  # signed in: sent on
# Anyone signed in (who may see the deal). POSTs to a page that only reads answer as GETs.
READ              = (302, 200, 200, 200, 200, 200, 200,   200, 200, 200)
READ_FORM         = (302, 422, 422, 422, 422, 422, 422,   422, 422, 422)
ACTION_ONLY       = (302, 405, 405, 405, 405, 405, 405,   405, 405, 405)  # GET of a POST-only URL
# Partners, partnerships and deals are created by owners and executives (outsider: owner role).
CREATOR_PAGE      = (302, 200, 200, 403, 403, 403, 200,   403, 200, 200)
CREATOR_FORM      = (302, 422, 422, 403, 403, 403, 422,   403, 422, 422)
# The deal's owner or sponsor (and administrators) edit and move it and its business value.
EDITOR_PAGE       = (302, 200, 200, 403, 403, 403, 200,   403, 403, 403)
EDITOR_FORM       = (302, 422, 422, 403, 403, 403, 422,   403, 403, 403)
EDITOR_ACTION     = (302, 302, 302, 403, 403, 403, 302,   403, 403, 403)  # no form to refuse
# Only the owner edits terms (and administrators).
OWNER_PAGE        = (302, 200, 403, 403, 403, 403, 200,   403, 403, 403)
OWNER_FORM        = (302, 422, 403, 403, 403, 403, 422,   403, 403, 403)
# Only the sponsor records decisions: not administrators either.
SPONSOR_PAGE      = (302, 403, 200, 403, 403, 403, 403,   403, 403, 403)
SPONSOR_FORM      = (302, 403, 422, 403, 403, 403, 403,   403, 403, 403)
# A review is decided by its department's members: the review walked is Legal's.
LEGAL_FORM        = (302, 403, 403, 422, 403, 403, 403,   403, 403, 403)
LEGAL_ACTION      = (302, 403, 403, 302, 403, 403, 403,   403, 403, 403)
# Those with a part in the deal (owner, sponsor, its reviewers, administrators).
INVOLVED_ACTION   = (302, 302, 302, 302, 302, 302, 302,   403, 403, 403)
# Concerns come from the people with a part in the deal and from any department's members.
CONCERN_PAGE      = (302, 200, 200, 200, 200, 200, 200,   200, 403, 403)
CONCERN_FORM      = (302, 422, 422, 422, 422, 422, 422,   422, 403, 403)
# A concern is resolved by the owner, the sponsor or who raised it (IT), and administrators.
RESOLVER_FORM     = (302, 422, 422, 403, 403, 422, 422,   403, 403, 403)
# Finance's members sign off a business case.
FINANCE_PAGE      = (302, 403, 403, 403, 403, 403, 403,   200, 403, 403)
FINANCE_ACTION    = (302, 403, 403, 403, 403, 403, 403,   302, 403, 403)
# An obligation's evidence is reviewed by its reviewer (the sponsor here) and administrators.
REVIEWER_FORM     = (302, 403, 422, 403, 403, 403, 422,   403, 403, 403)
# Intake: the preview is the administrators'; the walked deals did not come through
# intake, so their answers page is not found for anyone (tests/intake/test_access.py).
ADMIN_PAGE        = (302, 403, 403, 403, 403, 403, 200,   403, 403, 403)
ADMIN_FORM        = (302, 403, 403, 403, 403, 403, 422,   403, 403, 403)
NOT_FOUND         = (302, 404, 404, 404, 404, 404, 404,   404, 404, 404)

POLICY: dict[tuple[str, str], tuple[int, ...]] = {
    #                                     anon  own spon  leg proc   it  adm    fin  out oexe
    # Accounts
    ("login", "GET"):                     SIGNED_OUT_ONLY,
    ("login", "POST"):                    SIGNED_OUT_ONLY,  # anonymous: the form again, 200
    ("logout", "GET"):                    PUBLIC,
    ("logout", "POST"):                   (302, 302, 302, 302, 302, 302, 302,   302, 302, 302),
    ("home", "GET"):                      (302, 302, 302, 302, 302, 302, 302,   302, 302, 302),
    ("home", "POST"):                     (302, 302, 302, 302, 302, 302, 302,   302, 302, 302),
    ("password_change", "GET"):           READ,
    ("password_change", "POST"):          READ,  # Django's form view answers 200 with errors
    ("password_change_done", "GET"):      READ,
    ("password_change_done", "POST"):     ACTION_ONLY,
    ("password_reset", "GET"):            PUBLIC,
    ("password_reset", "POST"):           PUBLIC,
    ("password_reset_done", "GET"):       PUBLIC,
    ("password_reset_done", "POST"):      NO_SUCH_METHOD,
    ("password_reset_complete", "GET"):   PUBLIC,
    ("password_reset_complete", "POST"):  NO_SUCH_METHOD,
    ("healthz", "GET"):                   PUBLIC,
    ("healthz", "POST"):                  PUBLIC,
    # To the static icon, for everyone: browsers ask for it on every page.
    ("favicon", "GET"):                   (301, 301, 301, 301, 301, 301, 301,   301, 301, 301),
    ("favicon", "POST"):                  (301, 301, 301, 301, 301, 301, 301,   301, 301, 301),
    ("notification_settings", "GET"):     READ,
    ("notification_settings", "POST"):    READ_FORM,
    ("digest_preview", "GET"):            READ,
    ("digest_preview", "POST"):           READ,
    ("notification_list", "GET"):         READ,
    ("notification_list", "POST"):        READ,
    ("notifications_read_all", "GET"):    ACTION_ONLY,
    # Marks only one's own as read: back to the list, whoever it is.
    ("notifications_read_all", "POST"):   (302, 302, 302, 302, 302, 302, 302,   302, 302, 302),
    ("notification_read", "GET"):         ACTION_ONLY,
    # The notification walked is Legal's: everyone else, administrators too, 404.
    ("notification_read", "POST"):        (302, 404, 404, 302, 404, 404, 404,   404, 404, 404),
    # Lists and the company's own records
    ("dashboard", "GET"):                 READ,
    ("dashboard", "POST"):                READ,
    ("review_inbox", "GET"):              READ,
    ("review_inbox", "POST"):             READ,
    # CSV of what the page lists, for anyone signed in (only rows they may see).
    ("dashboard_export", "GET"):          READ,
    ("dashboard_export", "POST"):         READ,
    ("review_inbox_export", "GET"):       READ,
    ("review_inbox_export", "POST"):      READ,
    ("portfolio_export", "GET"):          READ,
    ("portfolio_export", "POST"):         READ,
    ("goals_export", "GET"):              READ,
    ("goals_export", "POST"):             READ,
    ("portfolio", "GET"):                 READ,
    ("portfolio", "POST"):                READ,
    # API keys: anyone signed in makes keys acting as themselves (tests/api/test_api.py).
    ("api_key_list", "GET"):              READ,
    ("api_key_list", "POST"):             READ_FORM,
    ("api_key_revoke", "GET"):            ACTION_ONLY,
    # Webhooks are administrators' (tests/webhooks/test_webhooks.py).
    ("webhook_list", "GET"):              (302, 403, 403, 403, 403, 403, 200,   403, 403, 403),
    ("webhook_list", "POST"):             (302, 403, 403, 403, 403, 403, 422,   403, 403, 403),
    # The API's document is public; the API itself takes bearer keys (NOT_WALKED).
    ("openapi-json", "GET"):              PUBLIC,
    ("openapi-json", "POST"):             NO_SUCH_METHOD,
    # Search: only what each may see is found (tests/search/test_search.py).
    ("search", "GET"):                    READ,
    ("search", "POST"):                   READ,
    # Where time goes: everyone signed in, over the deals each may see (tests/analytics).
    ("where_time_goes", "GET"):           READ,
    ("where_time_goes", "POST"):          READ,
    ("analytics_deals", "GET"):           READ,
    ("analytics_deals", "POST"):          READ,
    ("analytics_intervals_export", "GET"): READ,
    ("analytics_intervals_export", "POST"): READ,
    ("goals", "GET"):                     READ,
    ("goals", "POST"):                    READ,
    ("goal_detail", "GET"):               READ,
    ("goal_detail", "POST"):              READ,
    ("partner_list", "GET"):              READ,
    ("partner_list", "POST"):             READ,
    ("partner_detail", "GET"):            READ,
    ("partner_detail", "POST"):           READ,
    ("partner_create", "GET"):            CREATOR_PAGE,
    ("partner_create", "POST"):           CREATOR_FORM,
    ("partner_edit", "GET"):              CREATOR_PAGE,
    ("partner_edit", "POST"):             CREATOR_FORM,
    ("partnership_list", "GET"):          READ,
    ("partnership_list", "POST"):         READ,
    ("partnership_detail", "GET"):        READ,
    ("partnership_detail", "POST"):       READ,
    ("partnership_create", "GET"):        CREATOR_PAGE,
    ("partnership_create", "POST"):       CREATOR_FORM,
    ("partnership_edit", "GET"):          CREATOR_PAGE,
    ("partnership_edit", "POST"):         CREATOR_FORM,
    ("intake_start", "GET"):              CREATOR_PAGE,
    ("intake_start", "POST"):             CREATOR_PAGE,
    ("intake_new", "GET"):                CREATOR_PAGE,
    ("intake_new", "POST"):               CREATOR_FORM,
    ("intake_preview", "GET"):            ADMIN_PAGE,
    ("intake_preview", "POST"):           ADMIN_FORM,
    ("intake_answers_edit", "GET"):       NOT_FOUND,
    ("intake_answers_edit", "POST"):      NOT_FOUND,
    ("deal_create", "GET"):               CREATOR_PAGE,
    ("deal_create", "POST"):              CREATOR_FORM,
    # The deal
    ("deal_detail", "GET"):               READ,
    ("deal_detail", "POST"):              READ,
    ("deal_history", "GET"):              READ,
    ("deal_history", "POST"):             READ,
    ("deal_edit", "GET"):                 EDITOR_PAGE,
    ("deal_edit", "POST"):                EDITOR_FORM,
    ("deal_advance", "GET"):              ACTION_ONLY,
    ("deal_advance", "POST"):             EDITOR_FORM,
    ("deal_archive", "GET"):              ACTION_ONLY,
    ("deal_archive", "POST"):             EDITOR_ACTION,  # without archive=1: restores, 302
    ("document_upload", "GET"):           ACTION_ONLY,
    ("document_upload", "POST"):          EDITOR_FORM,
    ("document_download", "GET"):         READ,
    ("document_download", "POST"):        READ,
    # Without htmx, back to the deal page's briefing card; a POST queues a pack first.
    ("deal_briefing", "GET"):             (302, 302, 302, 302, 302, 302, 302,   302, 302, 302),
    # A render costs a worker seconds: only those with a part in the deal queue one.
    ("deal_briefing", "POST"):            INVOLVED_ACTION,
    ("briefing_download", "GET"):         READ,
    ("briefing_download", "POST"):        READ,
    # The auditor's dossier: the sponsor, executives (other_executive on the open deal) and
    # administrators export it; GET is the card, sent on to the deal page without htmx.
    ("deal_dossier", "GET"):              (302, 302, 302, 302, 302, 302, 302,   302, 302, 302),
    ("deal_dossier", "POST"):             (302, 403, 422, 403, 403, 403, 422,   403, 403, 422),
    # None is built in the walked world: those who may export get 404 (nothing ready yet).
    ("dossier_download", "GET"):          (302, 403, 404, 403, 403, 403, 404,   403, 403, 404),
    ("dossier_download", "POST"):         (302, 403, 404, 403, 403, 403, 404,   403, 403, 404),
    # Terms and the sponsor's decisions
    ("term_create", "GET"):               OWNER_PAGE,
    ("term_create", "POST"):              OWNER_FORM,
    ("term_detail", "GET"):               READ,
    ("term_detail", "POST"):              OWNER_FORM,
    ("decision_create", "GET"):           SPONSOR_PAGE,
    ("decision_create", "POST"):          SPONSOR_FORM,
    ("request_decision", "GET"):          ACTION_ONLY,
    # Those with a part in the deal; without a note, back to the deal with a message.
    ("request_decision", "POST"):         INVOLVED_ACTION,
    # Reviews
    ("review_detail", "GET"):             READ,
    ("review_detail", "POST"):            READ,
    ("review_verdict", "GET"):             ACTION_ONLY,
    ("review_verdict", "POST"):            LEGAL_FORM,
    ("review_reassign", "GET"):           ACTION_ONLY,
    ("review_reassign", "POST"):          LEGAL_ACTION,  # no reviewer given: unassigned, 302
    ("review_comment", "GET"):            ACTION_ONLY,
    # Reviews are discussed by those who may raise concerns, not by every reader.
    ("review_comment", "POST"):           CONCERN_FORM,
    # Concerns and working sessions
    ("concern_create", "GET"):            CONCERN_PAGE,
    ("concern_create", "POST"):           CONCERN_FORM,
    ("concern_detail", "GET"):            READ,
    ("concern_detail", "POST"):           READ,
    ("concern_reply", "GET"):             ACTION_ONLY,
    ("concern_reply", "POST"):            CONCERN_FORM,
    ("concern_resolve", "GET"):           ACTION_ONLY,
    ("concern_resolve", "POST"):          RESOLVER_FORM,
    ("session_create", "GET"):            EDITOR_PAGE,
    ("session_create", "POST"):           EDITOR_FORM,
    ("session_detail", "GET"):            READ,
    ("session_detail", "POST"):           EDITOR_FORM,
    ("session_ics", "GET"):               READ,
    ("session_ics", "POST"):              READ,
    # The organiser, the owner or the sponsor moves or cancels a session (administrators too).
    ("session_reschedule", "GET"):        EDITOR_PAGE,
    ("session_reschedule", "POST"):       EDITOR_FORM,
    ("session_cancel", "GET"):            ACTION_ONLY,
    ("session_cancel", "POST"):           EDITOR_ACTION,
    # Business value
    ("metric_create", "GET"):             EDITOR_PAGE,
    ("metric_create", "POST"):            EDITOR_FORM,
    ("metric_detail", "GET"):             READ,
    ("metric_detail", "POST"):            READ,
    ("metric_edit", "GET"):               EDITOR_PAGE,
    ("metric_edit", "POST"):              EDITOR_FORM,
    ("check_in_create", "GET"):           ACTION_ONLY,
    ("check_in_create", "POST"):          EDITOR_FORM,
    ("check_in_edit", "GET"):             EDITOR_PAGE,
    ("check_in_edit", "POST"):            EDITOR_FORM,
    ("check_in_delete", "GET"):           ACTION_ONLY,
    ("check_in_delete", "POST"):          EDITOR_ACTION,
    ("business_case_edit", "GET"):        EDITOR_PAGE,
    ("business_case_edit", "POST"):       EDITOR_FORM,
    # Without ?index= the fragment has no row to add: 400 for the editors.
    ("business_case_year_row", "GET"):    (302, 400, 400, 403, 403, 403, 400,   403, 403, 403),
    ("business_case_year_row", "POST"):   (302, 400, 400, 403, 403, 403, 400,   403, 403, 403),
    ("business_case_compare", "GET"):     READ,
    ("business_case_compare", "POST"):    READ,
    ("business_case_sign_off", "GET"):    FINANCE_PAGE,
    ("business_case_sign_off", "POST"):   FINANCE_ACTION,  # the note is optional: signed, 302
    ("assumption_assess", "GET"):         EDITOR_PAGE,
    ("assumption_assess", "POST"):        EDITOR_FORM,
    ("journey", "GET"):                   READ,
    ("journey", "POST"):                  EDITOR_FORM,
    ("journey_stage_edit", "GET"):        EDITOR_PAGE,
    ("journey_stage_edit", "POST"):       EDITOR_FORM,
    ("journey_stage_move", "GET"):        ACTION_ONLY,
    ("journey_stage_move", "POST"):       EDITOR_FORM,
    ("journey_stage_delete", "GET"):      ACTION_ONLY,
    ("journey_stage_delete", "POST"):     EDITOR_ACTION,
    # Agreements: read by whoever reads the deal; terms, decisions and obligations by its
    # owner or sponsor; evidence uploaded by the obligation's owner, reviewed by its reviewer.
    ("renewals", "GET"):                  READ,
    ("renewals", "POST"):                 READ,
    # Everyone may replace their own calendar address (nobody else's: there is no id).
    ("calendar_address_replace", "GET"):  ACTION_ONLY,
    ("calendar_address_replace", "POST"): (302, 302, 302, 302, 302, 302, 302,   302, 302, 302),
    ("agreement_detail", "GET"):          READ,
    ("agreement_detail", "POST"):         READ,
    ("agreement_edit", "GET"):            EDITOR_PAGE,
    ("agreement_edit", "POST"):           EDITOR_FORM,
    # Facts proposed from the deal's contract document (unreadable in the world: a message).
    ("agreement_facts", "GET"):           EDITOR_PAGE,
    ("agreement_facts", "POST"):          EDITOR_FORM,
    # Nothing was read from a document in the world walked: nothing to dismiss.
    ("agreement_facts_dismiss", "GET"):   ACTION_ONLY,
    ("agreement_facts_dismiss", "POST"):  (302, 404, 404, 403, 403, 403, 404,   403, 403, 403),
    ("agreement_decide", "GET"):          ACTION_ONLY,
    ("agreement_decide", "POST"):         EDITOR_FORM,
    # No notice was given on the agreement walked: nothing to download, for anyone.
    ("notice_download", "GET"):           (302, 404, 404, 404, 404, 404, 404,   404, 404, 404),
    ("notice_download", "POST"):          (302, 404, 404, 404, 404, 404, 404,   404, 404, 404),
    ("obligation_create", "GET"):         EDITOR_PAGE,
    ("obligation_create", "POST"):        EDITOR_FORM,
    ("occurrence_detail", "GET"):         READ,
    ("occurrence_detail", "POST"):        READ,
    ("evidence_upload", "GET"):           ACTION_ONLY,
    ("evidence_upload", "POST"):          OWNER_FORM,  # the obligation's owner is the deal's
    ("evidence_review", "GET"):           ACTION_ONLY,
    ("evidence_review", "POST"):          REVIEWER_FORM,
    # No evidence uploaded yet on the occurrence walked.
    ("evidence_download", "GET"):         (302, 404, 404, 404, 404, 404, 404,   404, 404, 404),
    ("evidence_download", "POST"):        (302, 404, 404, 404, 404, 404, 404,   404, 404, 404),
    # Amendments: read by whoever reads the deal; drafted and proposed by its owner or
    # sponsor. The amendment walked is a draft with one change, proposed by nobody yet:
    # only the sponsor may decide it (four eyes; administrators neither), and a draft is
    # not decided (422).
    ("amendment_create", "GET"):          EDITOR_PAGE,
    ("amendment_create", "POST"):         EDITOR_FORM,
    ("amendment_detail", "GET"):          READ,
    ("amendment_detail", "POST"):         READ,
    ("amendment_edit", "GET"):            EDITOR_PAGE,
    ("amendment_edit", "POST"):           EDITOR_FORM,
    ("amendment_term_change", "GET"):     EDITOR_PAGE,
    ("amendment_term_change", "POST"):    EDITOR_FORM,
    ("amendment_dates_change", "GET"):    EDITOR_PAGE,
    ("amendment_dates_change", "POST"):   EDITOR_FORM,
    ("amendment_obligation_change", "GET"):  EDITOR_PAGE,
    ("amendment_obligation_change", "POST"): EDITOR_FORM,
    ("amendment_propose", "GET"):         ACTION_ONLY,
    ("amendment_propose", "POST"):        EDITOR_ACTION,
    ("amendment_decide", "GET"):          ACTION_ONLY,
    ("amendment_decide", "POST"):         SPONSOR_FORM,
    ("amendment_change_remove", "GET"):   ACTION_ONLY,
    ("amendment_change_remove", "POST"):  EDITOR_ACTION,
    # Clause playbooks: read by anyone signed in; edited and confirmed by the department's
    # lead (nobody leads Legal in the world walked: administrators only).
    ("playbook_list", "GET"):             READ,
    ("playbook_list", "POST"):            READ,
    ("playbook_reports", "GET"):          READ,
    ("playbook_reports", "POST"):         READ,
    ("playbook_detail", "GET"):           READ,
    ("playbook_detail", "POST"):          READ,
    ("playbook_reviewed", "GET"):         ACTION_ONLY,
    ("playbook_reviewed", "POST"):        (302, 403, 403, 403, 403, 403, 302,   403, 403, 403),
    ("position_edit", "GET"):             (302, 403, 403, 403, 403, 403, 200,   403, 403, 403),
    ("position_edit", "POST"):            (302, 403, 403, 403, 403, 403, 422,   403, 403, 403),
    # A term is placed in the playbook by the deal's owner. The term walked is not placed:
    # approving it is refused with a message on the page it came from, for whoever reads
    # the deal; its walk-away is the sponsor's, and there is none (sent back to the deal).
    ("term_position_edit", "GET"):        OWNER_PAGE,
    ("term_position_edit", "POST"):       OWNER_FORM,
    ("term_position_approve", "GET"):     ACTION_ONLY,
    ("term_position_approve", "POST"):    (302, 302, 302, 302, 302, 302, 302,   302, 302, 302),
    ("term_walk_away", "GET"):            (302, 403, 302, 403, 403, 403, 403,   403, 403, 403),
    ("term_walk_away", "POST"):           (302, 403, 302, 403, 403, 403, 403,   403, 403, 403),
    ("deal_playbook_adopt", "GET"):       ACTION_ONLY,
    ("deal_playbook_adopt", "POST"):      EDITOR_ACTION,
}
# fmt: on

API = "bearer keys, not sessions; tests/api/"
NOT_WALKED = {
    "password_reset_confirm": "needs a signed token; tests/stakeholders/test_accounts.py",
    # Login-free and without CSRF on purpose (RFC 8058 one-click): its signed token is
    # the access check, walked in tests/notifications/test_mail_conventions.py.
    "unsubscribe": "needs a signed token; tests/notifications/test_mail_conventions.py",
    # Login-free for calendar apps; its signed token is the access check.
    "calendar_feed": "needs a signed token; tests/agreements/test_calendar_feed.py",
    # Login-free: the signed single-use link is the credential (someone else logged in
    # is refused); walked in tests/stakeholders/test_email_decision.py.
    "review_email_decision": "needs a signed token; tests/stakeholders/test_email_decision.py",
    # Revoking takes a key's id: another's key is 404 (tests/api/test_api.py).
    "api_key_revoke": "takes an API key; tests/api/test_api.py",
    # An endpoint's log, disabling it, a delivery sent again: administrators only, each
    # walked for an administrator and someone else in tests/webhooks/test_webhooks.py.
    "webhook_detail": "takes a webhook endpoint; tests/webhooks/test_webhooks.py",
    "webhook_disable": "takes a webhook endpoint; tests/webhooks/test_webhooks.py",
    "webhook_redeliver": "takes a webhook delivery; tests/webhooks/test_webhooks.py",
    # The JSON API takes bearer keys, not sessions: its access (404 for a confidential
    # deal, the verdict's department, scopes) is walked in tests/api/test_api.py and
    # every operation by Schemathesis in tests/api/test_openapi_schemathesis.py.
    "api-root": API,
    "api_agreement_detail": API,
    "api_business_case": API,
    "api_check_in_add": API,
    "api_concern_create": API,
    "api_concern_list": API,
    "api_deal_agreement": API,
    "api_deal_detail": API,
    "api_deal_list": API,
    "api_metric_add": API,
    "api_metric_list": API,
    "api_renewal_list": API,
    "api_review_detail": API,
    "api_review_list": API,
    "api_review_verdict": API,
    "api_term_list": API,
}
# Which object a URL parameter names: a route's <pk> is named by its first path segment.
OBJECT_OF = {
    "deals": "deal",
    "reviews": "review",
    "terms": "term",
    "concerns": "concern",
    "sessions": "session",
    "documents": "document",
    "briefing": "briefing_pack",
    "metric_id": "metric",
    "check_in_id": "check_in",
    "case_id": "business_case",
    "assumption_id": "assumption",
    "stage_id": "journey_stage",
    "partners": "partner",
    "partnerships": "partnership",
    "goal_id": "goal",
    "notifications": "notification",
    "agreements": "agreement",
    "occurrences": "occurrence",
    "amendments": "amendment",
    "amendment-changes": "amendment_change",
    "type_id": "request_type",
    "version_id": "form_version",
    "playbooks": "playbook",
    "playbook-positions": "playbook_position",
}
PARAMETER = re.compile(r"<(?:int:)?(\w+)>")


def routes(resolver=None, prefix="") -> list[tuple[str, str]]:
    """(route, name) of every named URL pattern, the admin's apart."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "app_name", None) == "admin":
                continue
            found += routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((prefix + str(pattern.pattern), pattern.name))
    return found


def expected(name: str, method: str) -> dict[str, int]:
    if (name, method) not in POLICY:
        pytest.fail(
            f"Add the expected statuses for {name} ({method}) to POLICY in "
            "tests/security/test_url_role_walk.py (or a reason to NOT_WALKED)."
        )
    return dict(zip(ROLES, POLICY[name, method], strict=True))


def urls_of(route: str, world, kinds=("confidential", "open")) -> list[tuple[str, str]]:
    """(which deal, URL) for a route: one URL per deal of `kinds` if its object is under a
    deal, else one URL ("" for the deal)."""
    params = PARAMETER.findall(route)
    if not params:
        return [("", "/" + route)]
    [param] = params
    key = route.split("/")[0] if param == "pk" else param
    if key not in OBJECT_OF:
        pytest.fail(f"Which object does {route} take? Add it to OBJECT_OF and access_world.")
    name = OBJECT_OF[key]
    if name in world.shared:
        return [("", "/" + PARAMETER.sub(str(world.shared[name].pk), route))]
    return [
        (kind, "/" + PARAMETER.sub(str(getattr(world, kind)[name].pk), route)) for kind in kinds
    ]


def confidential(status: int) -> int:
    """What someone with no part in a confidential deal gets where the table says `status`."""
    return status if status == 405 else 404


def test_every_url_has_its_expected_statuses():
    names = {name for _, name in routes()}
    missing = sorted(
        f"{name} {method}"
        for name in names - set(NOT_WALKED)
        for method in ("GET", "POST")
        if (name, method) not in POLICY
    )
    assert not missing, f"Add the expected statuses for {', '.join(missing)} to POLICY"
    stale = sorted({name for name, _ in POLICY} - names)
    assert not stale, f"POLICY names URLs that no longer exist: {', '.join(stale)}"


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_the_role_as_the_policy_says(client, access_world, capsys, role):
    user = access_world.user(role)
    secret = access_world.confidential["deal"].title
    if user:
        client.force_login(user)
    kinds = ("confidential", "open") if role in NOT_INVOLVED else ("confidential",)
    wrong, cases = [], 0
    for route, name in routes():
        if name in NOT_WALKED:
            continue
        for kind, url in urls_of(route, access_world, kinds):
            for method in ("GET", "POST"):
                want = expected(name, method)[role]
                if kind == "confidential" and role in NOT_INVOLVED:
                    want = confidential(want)
                with transaction.atomic():  # every request meets the same data
                    response = client.get(url) if method == "GET" else client.post(url, {"x": 1})
                    transaction.set_rollback(True)
                cases += 1
                where = f"{role} {method} {url} ({name}, {kind or 'no deal'})"
                if response.status_code != want:
                    wrong.append(f"{where}: {response.status_code}, expected {want}")
                elif role == "anonymous" and want == 302:
                    assert response["Location"].startswith("/accounts/login/"), where
                if role in NOT_INVOLVED and response.status_code == 200 and not response.streaming:
                    assert secret not in response.content.decode(), f"{where} shows {secret}"
                if name == "logout" and user:
                    client.force_login(user)
    assert not wrong, "\n".join(wrong)
    with capsys.disabled():
        print(f"\n[url-role walk] {role}: {len(routes())} URL patterns, {cases} requests")


# Every parameter a view reads from the query string, and then some, in junk (issue 12,
# findings 4 and 5): a NUL byte, which PostgreSQL refuses in text, and digits that pass
# str.isdigit() but not int(): superscript two, circled one, Arabic-Indic one.
NUL_QUERY = "?q=%00&page=%C2%B2&index=%E2%91%A0"
ODD_DIGITS = ("%C2%B2", "%E2%91%A0", "1%C2%B2", "%D9%A1", "%C2%B2%3A%C2%B2")
ODD_KEYS = (
    "q", "page", "index", "a", "b", "partner", "partnership", "status", "sort",
    "stage", "kind", "sponsor", "archived", "blocked", "format", "next",
)  # fmt: skip
ODD_FORM = {"terms_seen": "²:²", "direction": "①", "version": "²", "from_stage": "①"}


def odd_query(seed: int) -> str:
    return "?" + "&".join(
        f"{key}={ODD_DIGITS[(seed + n) % len(ODD_DIGITS)]}" for n, key in enumerate(ODD_KEYS)
    )


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_no_url_answers_a_nul_byte_or_odd_digits_with_a_500(client, access_world, role):
    """One pass over every URL: a NUL anywhere in the query string or the form is a 400
    before any view reads it; digits in other scripts get whatever the page says to bad
    input (a 4xx, or the page without the filter), never a 500."""
    user = access_world.user(role)
    client.force_login(user)
    client.raise_request_exception = False  # a 500 is listed with the others, not raised
    wrong, cases = [], 0
    for route, name in routes():
        if name in NOT_WALKED:
            continue
        for _, url in urls_of(route, access_world, ("confidential",)):
            with transaction.atomic():
                answers = {
                    "GET nul": client.get(url + NUL_QUERY),
                    "POST nul": client.post(url + NUL_QUERY, {"x": 1}),
                    "POST nul in form": client.post(url, {**ODD_FORM, "note": "a\x00b"}),
                    "GET digits": client.get(url + odd_query(cases)),
                    "POST digits": client.post(url + odd_query(cases + 1), ODD_FORM),
                }
                transaction.set_rollback(True)
            cases += len(answers)
            for what, response in answers.items():
                status = response.status_code
                if (status != 400) if "nul" in what else (status >= 500):
                    wrong.append(f"{role} {what} {url} ({name}): {status}")
            if name == "logout":
                client.force_login(user)
    assert not wrong, "\n".join(wrong)
    assert cases == 5 * len([name for _, name in routes() if name not in NOT_WALKED])


@pytest.mark.parametrize("role", ["owner", "legal", "outsider"])
def test_every_post_without_a_csrf_token_is_refused(access_world, role):
    client = Client(enforce_csrf_checks=True)
    client.force_login(access_world.user(role))
    for route, name in routes():
        if name in NOT_WALKED:
            continue
        for _, url in urls_of(route, access_world):
            response = client.post(url, {"anything": "x"})
            assert response.status_code == 403, f"{role} POST {url} without CSRF -> {response}"
