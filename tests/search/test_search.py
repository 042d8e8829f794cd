"""Search: what it finds, only what the reader may see, escaped snippets, clear refusals
of bad input, and a fixed number of queries whatever the data size. Runs on SQLite and
PostgreSQL; what only PostgreSQL does (typos in names, stems) is marked so."""

from __future__ import annotations

import pytest
from django.db import connection

from search.snippets import cut_snippet, highlight
from stakeholders.models import ConcernReply, ReviewComment
from tests.factories import (
    ConcernFactory,
    DealFactory,
    PartnerFactory,
    PartnershipFactory,
    ReviewFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram and stemming are PostgreSQL's"
)


def page_for(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def world(personas):
    meridian = PartnerFactory(name="Meridian Advisory", notes="Consultancy for finance teams.")
    alliance = PartnershipFactory(
        partner=meridian, title="Transformation programme", sponsor=personas.executive
    )
    personas.owner.first_name, personas.owner.last_name = "Oliver", "Grant"
    personas.owner.save()
    deal = DealFactory(
        partnership=alliance,
        owner=personas.owner,
        sponsor=personas.executive,
        title="Finance operating model redesign",
        summary="Cuts the monthly close from ten days to four with a shared ledger.",
    )
    secret = DealFactory(
        partnership=alliance,
        owner=personas.executive,
        sponsor=personas.executive,
        confidential=True,
        title="Secret merger talks",
        summary="Project Nightingale: acquiring a ledger vendor.",
    )
    for on in (deal, secret):
        TermFactory(
            deal=on,
            title="Liability cap" if on == deal else "Nightingale escrow",
            wording="Total liability capped at twelve months of fees; Nightingale excluded."
            if on == secret
            else "Total liability capped at twelve months of fees.",
        )
        concern = ConcernFactory(
            deal=on,
            title="Exit plan missing" if on == deal else "Nightingale leak risk",
            detail="No agreed way to get our ledger data back.",
            raised_by=personas.legal,
        )
        ConcernReply.objects.create(
            concern=concern,
            author=personas.owner,
            body="Drafting an escrow clause for Nightingale.",
        )
        review = ReviewFactory(deal=on)
        ReviewComment.objects.create(
            review=review, author=personas.legal, body="Nightingale wording needs the DPA."
        )
    return {"deal": deal, "secret": secret, "partner": meridian, "partnership": alliance}


def test_a_word_of_the_summary_finds_the_deal_linked_to_its_page(client_for, personas, world):
    html = page_for(client_for(personas.outsider), q="ledger")
    assert world["deal"].get_absolute_url() in html
    assert "Finance operating model redesign" in html


def test_the_owners_name_finds_their_deals(client_for, personas, world):
    html = page_for(client_for(personas.outsider), q="Oliver Grant", kind="deals")
    assert "Finance operating model redesign" in html


def test_a_partners_name_finds_the_partner_its_partnerships_and_their_deals(
    client_for, personas, world
):
    html = page_for(client_for(personas.outsider), q="Meridian")
    assert world["partner"].get_absolute_url() in html
    assert world["partnership"].get_absolute_url() in html
    assert world["deal"].get_absolute_url() in html


@postgres_only
def test_a_misspelt_partner_name_still_finds_the_partner(client_for, personas, world):
    html = page_for(client_for(personas.outsider), q="Meridan")
    assert world["partner"].get_absolute_url() in html
    assert world["deal"].get_absolute_url() in html  # the deal through its partner


@postgres_only
def test_a_word_finds_its_other_forms_and_its_start_finds_the_word(client_for, personas, world):
    client = client_for(personas.outsider)
    assert "Liability cap" in page_for(client, q="capping liabilities")
    assert "Finance operating model redesign" in page_for(client, q="redes")


def test_terms_concerns_replies_and_comments_are_found_by_their_words(client_for, personas, world):
    html = page_for(client_for(personas.executive), q="Nightingale")
    for text in (
        "Secret merger talks",  # the deal's summary
        "Nightingale escrow",  # a term
        "Nightingale leak risk",  # a concern
        "Reply on “Exit plan missing”",  # a reply on the open deal's concern
        "Comment on Legal’s review",
    ):
        assert text in html


def test_a_confidential_deal_and_everything_under_it_stay_hidden_from_outsiders(
    client_for, personas, world
):
    html = page_for(client_for(personas.outsider), q="Nightingale")
    assert "Secret merger" not in html
    assert "Nightingale escrow" not in html
    assert "Nightingale leak risk" not in html
    assert world["secret"].get_absolute_url() not in html
    # The open deal's reply and comment mention the word too: those the outsider may see.
    assert "Reply on “Exit plan missing”" in html
    assert "Nightingale leak risk" not in page_for(
        client_for(personas.outsider), q="Nightingale", kind="concerns"
    )


def test_results_are_grouped_by_kind_with_counts(client_for, personas, world):
    response = client_for(personas.executive).get("/search/", {"q": "Nightingale"})
    groups = {group.kind: group.count for group in response.context["results"].groups}
    assert groups == {
        "deals": 1,
        "partners": 0,
        "partnerships": 0,
        "terms": 1,
        "concerns": 1,
        "replies": 2,
        "comments": 2,
    }


def test_user_text_in_a_snippet_is_escaped_and_only_the_match_is_marked(client_for, personas):
    DealFactory(
        title="Hostile summary deal",
        summary='<script>alert("x")</script> the gateway <b>rollout</b> plan: cost < 5 & more',
        owner=personas.owner,
    )
    html = page_for(client_for(personas.owner), q="gateway")
    assert "<script>alert" not in html
    assert "<b>rollout</b>" not in html
    # SQLite's snippet keeps the tags as text; ts_headline drops them: either way escaped.
    assert "cost &lt; 5 &amp; more" in html
    assert "<mark>gateway</mark>" in html


def test_a_headline_is_escaped_before_its_marks_become_html():
    raw = "<img src=x onerror=alert(1)> \x02cloud\x03 & \x02more"
    assert str(highlight(raw)) == "&lt;img src=x onerror=alert(1)&gt; <mark>cloud</mark> &amp; more"
    assert "<mark>" in str(cut_snippet("A <cloud> platform", ["cloud"]))
    assert "&lt;" in str(cut_snippet("A <cloud> platform", ["cloud"]))


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("a", "Type at least 2 characters"),
        ("x" * 101, "at most 100 characters"),
        ("!!! ???", "letters or digits"),
        ("   ", "Type a word or a name"),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_search(client_for, personas, q, message):
    response = client_for(personas.owner).get("/search/", {"q": q})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["results"] is None


def test_odd_input_does_not_break_the_search(client_for, personas, world):
    client = client_for(personas.owner)
    for q in ["' OR 1=1 --", "cap:* & !", "ünïcödé naïve", "a&b|c", "(((", "ledger:*"]:
        assert client.get("/search/", {"q": q}).status_code == 200
    assert client.get("/search/", {"q": "ledger", "kind": "bogus", "page": "x²"}).status_code == 200


def test_no_match_says_what_to_try(client_for, personas, world):
    html = page_for(client_for(personas.owner), q="zzqx")
    assert "Nothing you may see matches" in html
    assert "a partner’s or a person’s name" in html


def test_the_empty_page_says_what_can_be_searched(client_for, personas):
    html = page_for(client_for(personas.owner))
    assert "What are you looking for?" in html


def test_one_kind_is_paged(client_for, personas, partnership):
    for n in range(25):
        DealFactory(title=f"Gateway rollout {n}", partnership=partnership, owner=personas.owner)
    client = client_for(personas.owner)
    first = client.get("/search/", {"q": "gateway", "kind": "deals"})
    second = client.get("/search/", {"q": "gateway", "kind": "deals", "page": "2"})
    assert len(first.context["results"].page.object_list) == 20
    assert len(second.context["results"].page.object_list) == 5
    assert first.context["results"].page.paginator.num_pages == 2
    assert "page=2" in first.content.decode()
    overview = client.get("/search/", {"q": "gateway"})
    assert "All 25 deals →" in overview.content.decode()


def test_the_navigation_has_the_search_box(client_for, personas):
    html = client_for(personas.owner).get("/partners/").content.decode()
    assert 'role="search"' in html
    assert 'action="/search/"' in html


def grow(personas, n: int, word: str = "gateway") -> None:
    for i in range(n):
        partnership = PartnershipFactory(title=f"{word} alliance {i}", sponsor=personas.executive)
        deal = DealFactory(
            partnership=partnership,
            owner=personas.owner,
            title=f"{word} deal {i}",
            summary=f"The {word} work.",
        )
        TermFactory(deal=deal, wording=f"{word} wording")
        concern = ConcernFactory(deal=deal, detail=f"{word} worry")
        ConcernReply.objects.create(concern=concern, author=personas.owner, body=f"{word} reply")
        review = ReviewFactory(deal=deal)
        ReviewComment.objects.create(review=review, author=personas.legal, body=f"{word} note")
    PartnerFactory(name=f"{word} partner {n}")


def test_the_search_makes_the_same_queries_at_two_sizes(
    client_for, personas, django_assert_num_queries
):
    client = client_for(personas.outsider)
    grow(personas, 2)
    client.get("/search/", {"q": "gateway"})  # the session and the user, as on any view
    with django_assert_num_queries(QUERIES) as small:
        client.get("/search/", {"q": "gateway"})
    grow(personas, 30)
    with django_assert_num_queries(QUERIES) as big:
        response = client.get("/search/", {"q": "gateway"})
    assert len(small.captured_queries) == len(big.captured_queries)
    assert response.context["results"].groups[0].count == 32


# Session and user (with the unread badge's count, config.auth), the request's savepoint
# and its release (the outsider is in no department: no "Reviews (N)"); the two name
# look-ups; two per kind.
QUERIES = 4 + 2 + 2 * 7
