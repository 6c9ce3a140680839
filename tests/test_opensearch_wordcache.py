"""The analysis cache on the OpenSearch backend (a real 3-node cluster): kept in the index's _meta, read by
rebuild, update, --from-index and queries alike, as the embedded index reads it; --in-context stays in context."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from chaja.index import opensearch as osx
from chaja.index import schema
from chaja.index.builder import rebuild
from chaja.search import Engine
from chaja.web.cli import main

from conftest import write_jsonl
from test_wordcache import ARTICLES

pytestmark = pytest.mark.opensearch

# Kiwi reads 김장은 as 김 + 장 in this sentence, as 김장 alone (tests/test_wordcache.py)
TANGERINE = {"id": "tangerine", "title": "감귤 수확", "sections": [{"heading": "", "text": "은 는 김장은 은 감귤 수확"}]}
# and 선 (stood) as the verb 서 in its sentence, the noun 선 alone: a question read the other way finds nothing
ROCKET = {"id": "rocket", "title": "누리호 발사", "sections": [{"heading": "", "text": "발사대에 선 누리호를 보았다."}]}
QUESTIONS = ['"김장"', '"김 장"', "김장 비용", "은 는 김장은 은", "부산항 물동량은 얼마나 늘었나", "경제 부담", "3.5%",
             '"발사대에 선"', "발사대에 선 누리호"]
MODES = [([], True, "김장 감귤 수확"), (["--word-cache"], True, "김장 감귤 수확"), (["--in-context"], False, "김 장 감귤 수확")]


def location(cluster, name: str) -> str:
    return f"opensearch://{','.join(cluster.hosts)}/{name}"


def label(options: list[str]) -> str:
    """Return a lower-case index name part for the options (an OpenSearch index name is lower case)."""
    return options[0].strip("-") if options else "default"


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


def meta(loc: str) -> dict:
    where = osx.location(loc)
    es = osx.client(where)
    return osx.meta(es, osx.serving_index(es, where))


def text_field(loc: str, article_id: str) -> str:
    """Return the morphemes OpenSearch holds for the text of an article's first section."""
    where = osx.location(loc)
    es = osx.client(where)
    return es.get(index=where.alias, id=schema.section_id(article_id, 0))["_source"][schema.TEXT]


def assert_same_answers(mine: Engine, theirs: Engine) -> None:
    for q in QUESTIONS:
        a, b = mine.search(q), theirs.search(q)
        assert [(h.id, h.section.index, h.snippet_html) for h in a.hits] == \
               [(h.id, h.section.index, h.snippet_html) for h in b.hits], q
        assert (a.total, a.partial_from, a.relaxed) == (b.total, b.partial_from, b.relaxed), q
    assert mine.article("tangerine", "김장").sections[0].text_html == \
           theirs.article("tangerine", "김장").sections[0].text_html
    assert [h.id for h in mine.search('"발사대에 선"').hits] == ["rocket"]
    assert mine.article("rocket", "발사대에 선").sections[0].text_html == \
           "<mark>발사대</mark>에 <mark>선</mark> 누리호를 보았다."


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("os-word-cache")
    write_jsonl(folder / "articles" / "a.jsonl", ARTICLES)
    write_jsonl(folder / "articles" / "b.jsonl", [TANGERINE, ROCKET])
    return folder


@pytest.fixture(scope="module")
def embedded(files) -> dict[bool, Path]:
    """Return the embedded index of the files, read word by word (True) and in context (False)."""
    for word_cache in (True, False):
        rebuild([files / "articles"], files / f"index-{word_cache}", word_cache=word_cache)
    return {word_cache: files / f"index-{word_cache}" for word_cache in (True, False)}


@pytest.mark.parametrize("options, word_cache, tangerine", MODES)
def test_a_rebuild_records_how_it_read_and_answers_as_the_embedded_index(opensearch_cluster, files, embedded,
                                                                         options, word_cache, tangerine):
    loc = location(opensearch_cluster, f"rebuilt-{label(options)}")
    cli("index", "rebuild", str(files / "articles"), "--index", loc, *options)
    assert meta(loc)["word_cache"] is word_cache
    assert Engine(loc).stats()["word_cache"] is word_cache
    assert text_field(loc, "tangerine") == tangerine
    assert_same_answers(Engine(loc), Engine(embedded[word_cache]))
    found = [h.id for h in Engine(loc).search('"김장"').hits]
    assert ("tangerine" in found, "tangerine" in [h.id for h in Engine(loc).search('"김 장"').hits]) == \
           (word_cache, not word_cache)


@pytest.mark.parametrize("options, word_cache, tangerine", MODES[1:])
def test_an_update_reads_new_articles_as_the_serving_index_was_built(opensearch_cluster, tmp_path, embedded,
                                                                     options, word_cache, tangerine):
    loc = location(opensearch_cluster, f"updated-{label(options)}")
    write_jsonl(tmp_path / "a.jsonl", ARTICLES)
    cli("index", "rebuild", str(tmp_path), "--index", loc, *options)
    write_jsonl(tmp_path / "b.jsonl", [TANGERINE, ROCKET])
    assert cli("index", "update", str(tmp_path), "--index", loc).splitlines()[0] == "added 2: tangerine, rocket"
    assert text_field(loc, "tangerine") == tangerine
    assert meta(loc)["word_cache"] is word_cache
    assert_same_answers(Engine(loc), Engine(embedded[word_cache]))


@pytest.mark.parametrize("word_cache", [True, False])
def test_a_load_from_an_index_carries_its_reading(opensearch_cluster, embedded, word_cache):
    loc = location(opensearch_cluster, f"from-index-{'cache' if word_cache else 'context'}")
    assert cli("index", "rebuild", "--index", loc, "--from-index", str(embedded[word_cache])).startswith(
        "indexed 5 articles, 6 sections; skipped 0 files; ")
    assert meta(loc)["word_cache"] is word_cache
    assert text_field(loc, "tangerine") == ("김장 감귤 수확" if word_cache else "김 장 감귤 수확")
    assert_same_answers(Engine(loc), Engine(embedded[word_cache]))


def test_the_parts_of_a_split_rebuild_read_alike(opensearch_cluster, files):
    loc = location(opensearch_cluster, "parts-word-cache")
    cli("index", "rebuild", str(files / "articles"), "--index", loc, "--part", "1/2")
    refused = cli("index", "rebuild", str(files / "articles"), "--index", loc, "--part", "2/2", "--in-context", code=1)
    assert refused == (f"Error: the split rebuild pending for {osx.location(loc)} reads words one by one (--word-cache), "
                       "this part in context (--in-context); run every part with the same --word-cache or --in-context\n")
    cli("index", "rebuild", str(files / "articles"), "--index", loc, "--part", "2/2")
    assert cli("index", "publish", "--index", loc).startswith("published 5 articles, 6 sections -> ")
    assert meta(loc)["word_cache"] is True
    assert text_field(loc, "tangerine") == "김장 감귤 수확"
