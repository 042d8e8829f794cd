"""What a search may ask: a few words or a name, of a sensible length."""

from __future__ import annotations

import re

from django import forms

MIN_LENGTH = 2
MAX_LENGTH = 100
# Words of letters and digits: what full-text search matches, and all a query is
# built from, so no input can make the query's syntax fail.
WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 8


def words_of(text: str) -> list[str]:
    return WORD.findall(text)[:MAX_WORDS]


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        max_length=MAX_LENGTH,
        error_messages={
            "required": "Type a word or a name to search for.",
            "max_length": f"Search for at most {MAX_LENGTH} characters: a few words or a name.",
        },
    )

    def clean_q(self) -> str:
        text = " ".join(self.cleaned_data["q"].split())
        if len(text) < MIN_LENGTH:
            raise forms.ValidationError(
                f"Type at least {MIN_LENGTH} characters: a word, a name or part of one."
            )
        if not words_of(text):
            raise forms.ValidationError(
                "Search for words or names: letters or digits, not only punctuation."
            )
        return text
