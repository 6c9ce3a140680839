"""Reordering the clauses of a query never changes its hits (issue 15, item 1)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaja.search.query import Clause, parse

# Clauses whose words Kiwi reads the same alone and beside each other, so that only their
# order differs between two queries built from them.
UNITS = ["한국", "-title:한국", "title:한국", "인공지능산업", "-산업", "산업", "가로수 OR 꿀벌", '"국회 의원"',
         "-양자", "협력", "source:테크온", "date:2024-01-01..", "title:반도체", "수출"]


def ids(page):
    return [h.id for h in page.hits]


@pytest.mark.parametrize("first, second, total", [
    ("한국 -title:한국", "-title:한국 한국", 10),
    ("한국 title:한국", "title:한국 한국", 5),  # the titles with 한국 (in 한국은행 too, and 韓國 read as 한국)
    ("인공지능산업 -산업", "-산업 인공지능산업", 0),
    ("인공지능 산업 인공지능산업", "인공지능산업 인공지능 산업", 2),
])
def test_a_repeated_word_keeps_its_exclusion_or_field(engine, first, second, total):
    a, b = engine.search(first, size=100), engine.search(second, size=100)
    assert (a.total, sorted(ids(a))) == (b.total, sorted(ids(b)))
    assert a.total == total


def test_or_joins_the_words_on_either_side_of_it_only():
    either = Clause(any_of=((Clause(("김장",)),), (Clause(("꿀벌",)),)))
    assert parse("김장 OR 꿀벌 한국").clauses == [either, Clause(("한국",))]
    assert parse("한국 김장 OR 꿀벌").clauses == [Clause(("한국",)), either]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), chosen=st.lists(st.sampled_from(UNITS), min_size=2, max_size=5, unique=True))
def test_reordering_the_clauses_of_a_query_never_changes_its_hits(engine, data, chosen):
    order = data.draw(st.permutations(chosen))
    a, b = engine.search(" ".join(chosen), size=100), engine.search(" ".join(order), size=100)
    assert (a.total, a.relaxed, sorted(ids(a))) == (b.total, b.relaxed, sorted(ids(b)))
