"""The backoff (search/backoff.py) on the OpenSearch backend (a real 3-node cluster): the same alternatives, asked of the cluster."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from chaja.search import Engine, backoff
from chaja.search.query import Clause
from chaja.web.cli import main

from conftest import write_jsonl
from test_backoff import ARTICLES

pytestmark = pytest.mark.opensearch

QUESTION = "배우 진선규의 연극 데뷔작은?"


@pytest.fixture(scope="module")
def loaded(opensearch_cluster, tmp_path_factory):
    folder = tmp_path_factory.mktemp("os-backoff")
    write_jsonl(folder / "articles" / "a.jsonl", ARTICLES)
    loc = f"opensearch://{','.join(opensearch_cluster.hosts)}/backoff"
    result = CliRunner().invoke(main, ["index", "rebuild", str(folder / "articles"), "--index", loc, "--in-context"])
    assert result.exit_code == 0, result.output
    return Engine(loc)


def test_an_unknown_name_matches_the_terms_that_spell_it_on_the_cluster(loaded):
    serving = loaded._current()
    assert loaded._parse(serving, QUESTION).clauses[1].any_of[1:] == (
        (Clause(("진", "선", "규"), phrase=True),),)
    assert [h.id for h in loaded.search(QUESTION).hits] == ["actor", "cinema"]


def test_without_the_backoff_the_cluster_leaves_only_the_other_words(loaded, monkeypatch):
    monkeypatch.setattr(backoff, "KINDS", frozenset())
    assert [h.id for h in loaded.search(QUESTION).hits] == ["cinema"]
