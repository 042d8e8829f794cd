"""The factories leave rows as the services would, where later services rely on it."""

import pytest

from deals.services import term_create, term_revise
from tests.factories import TermFactory, department

pytestmark = pytest.mark.django_db


def shape(term) -> tuple:
    [revision] = term.revisions.all()
    return (
        term.version,
        term.status,
        term.updated_by,
        revision.number,
        revision.round,
        revision.by,
        revision.old_wording,
        revision.new_wording,
        revision.reopened_review,
    )


def test_a_term_from_the_factory_is_as_term_create_leaves_it(personas, deal):
    made = term_create(
        deal=deal,
        user=personas.owner,
        data={
            "category": "price",
            "title": "Fee",
            "wording": "EUR 90k",
            "department": department("procurement"),
        },
    )
    built = TermFactory(deal=deal, title="Fee", wording="EUR 90k")
    assert shape(built) == shape(made)
    revised = term_revise(term=built, user=personas.owner, wording="EUR 80k", expected_version=1)
    assert revised.version == 2
    assert [r.number for r in revised.revisions.all()] == [1, 2]
