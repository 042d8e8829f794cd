"""core.links.object_url gives what reverse() gives, under any script prefix."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from core.links import object_url


@pytest.mark.parametrize("name", ["deal_detail", "review_detail", "agreement_detail"])
@pytest.mark.parametrize("prefix", ["/", "/desk/"])
def test_the_same_url_as_reverse(name, prefix):
    set_script_prefix(prefix)
    try:
        for pk in (1, 42, 7919773311, 10**12):
            assert object_url(name, pk) == reverse(name, args=[pk])
        assert object_url(name, 5).startswith(prefix)
    finally:
        clear_script_prefix()


def test_a_route_without_an_integer_falls_back_to_reverse():
    # The dashboard's route takes no id: reverse() says so, as it would have.
    with pytest.raises(NoReverseMatch):
        object_url("dashboard", 3)
