"""Search across what a person may see, in a fixed number of queries.

PostgreSQL: full-text search over the wording (the `english` configuration: stems,
no stop words; every word also a prefix, so "integr" finds "integration"), ranked by
ts_rank, with ts_headline snippets; the names of partners and partnerships (and of
people, for the deals they own) also match by trigram word similarity, so "Meridan"
finds "Meridian". The GIN indexes these expressions use are in migrations/0001: an
expression here and its index must stay the same expression, or PostgreSQL reads the
whole table.

SQLite: every word must appear (icontains) in one of the same fields; names match as
substrings; snippets are cut in Python. The same page, the same shape of results.

Per kind two queries: the candidates (ids, closest by name or title first, then the
newest, with the count of all matches by a window) — index work only, no vector is
computed — then the page of them ranked, with snippets. ts_rank computes each row's
vector again (the index holds none), so it ranks the `depth` candidates, not every
match of a common word.

Visibility: deals through `Deal.objects.visible_to`; terms, concerns, replies and
review comments only on those deals; partners and partnerships, like their own pages,
for anyone signed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Count, FloatField, Q, QuerySet, Value, When, Window
from django.db.models.functions import Concat, Upper
from django.utils.safestring import SafeString

from deals.models import Deal, Term
from partnerships.models import Partner, Partnership
from stakeholders.models import Concern, ConcernReply, ReviewComment, User

from .forms import words_of
from .snippets import START, STOP, cut_snippet, highlight

CONFIG = "english"
PER_GROUP = 5  # hits of each kind on the overview
PER_PAGE = 20  # hits of one kind, page after page
MAX_PAGE = 25
CANDIDATES = 100  # ranked when one kind is paged (more when paging deeper)
OVERVIEW_CANDIDATES = 30  # ranked per kind for the overview's first five
NAME_IDS = 200  # people or partnerships whose name matches, for the deals they lead to


@dataclass(frozen=True)
class Kind:
    label: str
    vector: tuple[str, ...]  # the wording searched; its GIN index is migrations/0001's
    related: tuple[str, ...]  # select_related for the hit
    snippet_of: str
    newest: tuple[str, ...]  # the order among equals (and SQLite's order)
    names: tuple[str, ...] = ()  # also matched by trigram: small tables only
    titles: tuple[str, ...] = ()  # a word of the search in it puts the row first


KINDS: dict[str, Kind] = {
    "deals": Kind(
        "Deals",
        ("title", "summary"),
        ("partnership__partner", "owner"),
        "summary",
        ("-updated_at", "-pk"),
        titles=("title",),
    ),
    "partners": Kind("Partners", ("name", "notes"), (), "notes", ("name", "pk"), names=("name",)),
    "partnerships": Kind(
        "Partnerships",
        ("title", "description"),
        ("partner", "sponsor"),
        "description",
        ("title", "pk"),
        names=("title",),
    ),
    "terms": Kind(
        "Terms",
        ("title", "wording"),
        ("deal", "department"),
        "wording",
        ("-updated_at", "-pk"),
        titles=("title",),
    ),
    "concerns": Kind(
        "Concerns",
        ("title", "detail", "resolution"),
        ("deal", "raised_by"),
        "detail",
        ("-raised_at", "-pk"),
        titles=("title",),
    ),
    "replies": Kind(
        "Replies to concerns", ("body",), ("concern__deal", "author"), "body", ("-at", "-pk")
    ),
    "comments": Kind(
        "Review comments",
        ("body",),
        ("review__deal", "review__department", "author"),
        "body",
        ("-at", "-pk"),
    ),
}


@dataclass
class Hit:
    title: str
    url: str
    meta: list[str]
    snippet: SafeString | str = ""
    badges: list[str] = field(default_factory=list)


@dataclass
class Group:
    kind: str
    label: str
    count: int
    hits: list[Hit]


@dataclass
class Results:
    text: str
    groups: list[Group]
    kind: str = ""  # one kind, paged; "" for the overview
    page: Page | None = None

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


class Finder:
    """The search for one text by one person."""

    def __init__(self, user, text: str) -> None:
        self.user = user
        self.text = text
        self.words = words_of(text)
        self.postgres = on_postgres()
        if self.postgres:
            raw = " & ".join(f"{word}:*" for word in self.words)
            self.query = SearchQuery(raw, search_type="raw", config=CONFIG)
        self.people: list[int] = []
        self.partnerships: list[int] = []

    def like_name(self, name: str) -> Q:
        found = Q(**{f"{name}__icontains": self.text})
        if self.postgres:  # UPPER(name): the index that serves icontains serves this too
            found |= Q(TrigramWordSimilar(Upper(name), Value(self.text.upper())))
        return found

    def find_names(self) -> None:
        """People and partnerships whose name is like the text: two small queries."""
        people = User.objects.annotate(full_name=Concat("first_name", Value(" "), "last_name"))
        partnerships = Partnership.objects.filter(self.like_name("partner__name"))
        self.people = list(
            people.filter(self.like_name("full_name")).values_list("pk", flat=True)[:NAME_IDS]
        )
        self.partnerships = list(partnerships.values_list("pk", flat=True)[:NAME_IDS])

    # What each kind searches: the rows one may see, and what else leads to a row.

    def visible(self, kind: str) -> QuerySet:
        on_deal = {"terms": "deal", "concerns": "deal", "replies": "concern__deal"}
        on_deal["comments"] = "review__deal"
        if kind == "deals":
            return Deal.objects.visible_to(self.user)
        if kind in on_deal:
            model = {"terms": Term, "concerns": Concern, "replies": ConcernReply}.get(
                kind, ReviewComment
            )
            deals = Deal.objects.visible_to(self.user).values("pk")
            return model.objects.filter(**{f"{on_deal[kind]}__in": deals})
        return {"partners": Partner, "partnerships": Partnership}[kind].objects.all()

    def leads(self, kind: str) -> dict[str, list[int]]:
        """Rows found through a name: a deal by its owner or partner, a partnership by
        its partner. They match, and rank as if their title did."""
        if kind == "deals":
            return {"owner": self.people, "partnership": self.partnerships}
        if kind == "partnerships":
            return {"pk": self.partnerships}
        return {}

    # The two queries of a kind

    def matches(self, kind: str) -> Q:
        spec = KINDS[kind]
        if self.postgres:
            found = Q(search_vector=self.query)
        else:  # every word in one field or another
            found = reduce(
                and_,
                (
                    reduce(or_, (Q(**{f"{name}__icontains": word}) for name in spec.vector))
                    for word in self.words
                ),
            )
        for name in spec.names:
            found |= self.like_name(name)
        for column, ids in self.leads(kind).items():
            if ids:
                found |= Q(**{f"{column}__in": ids})
        return found

    def closeness(self, kind: str):
        """How near the row's name or title is to the text: cheap, for every match."""
        spec = KINDS[kind]
        score = Value(0.0, output_field=FloatField())
        for name in spec.names:
            if self.postgres:
                score = score + TrigramWordSimilarity(Upper(name), Value(self.text.upper()))
        whens = [(f"{title}__icontains", word) for title in spec.titles for word in self.words]
        whens += [(f"{column}__in", ids) for column, ids in self.leads(kind).items() if ids]
        for lookup, value in whens:
            score = score + Case(
                When(**{lookup: value}, then=Value(1.0)),
                default=Value(0.0),
                output_field=FloatField(),
            )
        return score

    def candidates(self, kind: str, depth: int) -> tuple[list[int], int]:
        """The ids to rank, and how many rows match in all."""
        spec = KINDS[kind]
        rows = self.visible(kind)
        if self.postgres:
            rows = rows.alias(search_vector=SearchVector(*spec.vector, config=CONFIG))
        # The window counts every match before LIMIT keeps the first `depth`: so
        # PostgreSQL reads the matches from the GIN index, never a table in order.
        rows = (
            rows.filter(self.matches(kind))
            .alias(closeness=self.closeness(kind))
            .annotate(search_total=Window(Count("pk")))
            .order_by("-closeness", *spec.newest)
            .values_list("pk", "search_total")[:depth]
        )
        found = list(rows)
        return [pk for pk, _ in found], (found[0][1] if found else 0)

    def ranked(self, kind: str, ids: list[int]) -> QuerySet:
        spec = KINDS[kind]
        model = self.visible(kind).model
        rows = model.objects.filter(pk__in=ids).select_related(*spec.related)
        if not self.postgres:
            return rows.order_by(*spec.newest)
        vector = SearchVector(*spec.vector, config=CONFIG)
        return rows.annotate(
            search_rank=SearchRank(vector, self.query) + self.closeness(kind),
            search_snippet=SearchHeadline(
                spec.snippet_of,
                self.query,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=12,
                short_word=2,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        ).order_by("-search_rank", *spec.newest)

    def snippet(self, row, field_name: str) -> SafeString | str:
        if self.postgres:
            return highlight(row.search_snippet)
        return cut_snippet(getattr(row, field_name) or "", self.words)

    # How a row reads

    def hit(self, kind: str, row) -> Hit:
        snippet = self.snippet(row, KINDS[kind].snippet_of)
        if kind == "deals":
            return Hit(
                title=row.title,
                url=row.get_absolute_url(),
                meta=[
                    row.partnership.partner.name,
                    row.stage_label,
                    f"owner {row.owner.display_name}",
                ],
                snippet=snippet,
                badges=[
                    *(["Confidential"] if row.confidential else []),
                    *(["Archived"] if row.archived_at else []),
                ],
            )
        if kind == "partners":
            return Hit(
                title=row.name,
                url=row.get_absolute_url(),
                meta=[row.get_kind_display(), row.country],
                snippet=snippet,
            )
        if kind == "partnerships":
            return Hit(
                title=f"{row.partner.name}: {row.title}",
                url=row.get_absolute_url(),
                meta=[f"sponsor {row.sponsor.display_name}"],
                snippet=snippet,
            )
        if kind == "terms":
            return Hit(
                title=row.title,
                url=row.get_absolute_url(),
                meta=[row.deal.title, row.get_category_display(), row.department.name],
                snippet=snippet,
                badges=[row.get_status_display()],
            )
        if kind == "concerns":
            return Hit(
                title=row.title,
                url=row.get_absolute_url(),
                meta=[row.deal.title, f"raised by {row.raised_by.display_name}"],
                snippet=snippet,
                badges=[
                    row.get_severity_display(),
                    *(["Blocking"] if row.blocking else []),
                    "Open" if row.is_open else "Resolved",
                ],
            )
        if kind == "replies":
            return Hit(
                title=f"Reply on “{row.concern.title}”",
                url=row.concern.get_absolute_url() + "#thread-title",
                meta=[row.concern.deal.title, f"by {row.author.display_name}"],
                snippet=snippet,
            )
        return Hit(
            title=f"Comment on {row.review.department.name}’s review",
            url=row.review.get_absolute_url() + "#comments",
            meta=[row.review.deal.title, f"by {row.author.display_name}"],
            snippet=snippet,
        )


def search(user, text: str, *, kind: str = "", page_number: int = 1) -> Results:
    """Every kind's count and first hits; with `kind`, that kind's page of hits.

    Queries: two for the names (people, partnerships), then per kind one for its
    candidates and count and, when it has any, one for the hits: at most sixteen,
    whatever the data size.
    """
    finder = Finder(user, text)
    finder.find_names()
    page_number = max(1, min(page_number, MAX_PAGE))
    groups, paged = [], None
    for name, spec in KINDS.items():
        start, size = ((page_number - 1) * PER_PAGE, PER_PAGE) if name == kind else (0, PER_GROUP)
        depth = max(CANDIDATES, start + size) if name == kind else OVERVIEW_CANDIDATES
        ids, count = finder.candidates(name, depth)
        rows = list(finder.ranked(name, ids)[start : start + size]) if ids[start:] else []
        hits = [finder.hit(name, row) for row in rows]
        groups.append(Group(kind=name, label=spec.label, count=count, hits=hits))
        if name == kind:
            paginator = Paginator([], PER_PAGE)
            paginator.count = min(count, max(CANDIDATES, MAX_PAGE * PER_PAGE))
            paged = Page(hits, page_number, paginator)
    return Results(text=text, groups=groups, kind=kind, page=paged)
