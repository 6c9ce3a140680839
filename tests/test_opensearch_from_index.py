"""`chaja index rebuild --from-index DIR` against the real 3-node cluster: the documents of a rebuild from the files."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from chaja.index import opensearch as osx
from chaja.web.cli import main

from conftest import CORPUS, free_port
from test_opensearch import CASES, assert_same_ranking

pytestmark = pytest.mark.opensearch

SEARCHED = ("title", "heading", "text")


def location(cluster, name: str) -> str:
    return f"opensearch://{','.join(cluster.hosts)}/{name}"


def rebuild(*args: str) -> str:
    result = CliRunner().invoke(main, ["index", "rebuild", *args])
    assert result.exit_code == 0, result.output
    return result.output


def serving(loc: str) -> tuple[object, str]:
    """Return a client and the physical index the location's alias names."""
    where = osx.location(loc)
    es = osx.client(where)
    return es, osx.serving_index(es, where)


def documents(loc: str) -> dict[str, dict]:
    """Return every document of the serving index by id: its _source and, per searched field, term -> positions."""
    es, index = serving(loc)
    hits = es.search(index=index, body={"size": 1000, "query": {"match_all": {}}})["hits"]
    assert hits["total"]["value"] == len(hits["hits"])
    docs = {h["_id"]: {"_source": h["_source"]} for h in hits["hits"]}
    vectors = es.mtermvectors(index=index, body={"ids": sorted(docs), "parameters": {
        "fields": list(SEARCHED), "positions": True, "offsets": False, "payloads": False,
        "term_statistics": False, "field_statistics": False}})
    for d in vectors["docs"]:
        docs[d["_id"]]["tokens"] = {field: {term: [t["position"] for t in info["tokens"]]
                                            for term, info in v["terms"].items()}
                                    for field, v in d["term_vectors"].items()}
    return docs


@pytest.fixture(scope="module")
def from_files(opensearch_cluster) -> str:
    loc = location(opensearch_cluster, "from-files")
    rebuild(str(CORPUS), "--index", loc)
    return loc


@pytest.fixture(scope="module")
def from_index(opensearch_cluster, corpus_index) -> str:
    loc = location(opensearch_cluster, "from-index")
    output = rebuild("--index", loc, "--from-index", str(corpus_index))
    assert output.startswith("indexed 27 articles, 135 sections; skipped 0 files; ")
    return loc


def test_the_documents_and_their_tokens_are_a_rebuild_from_the_files(from_files, from_index):
    mine, theirs = documents(from_index), documents(from_files)
    assert len(mine) == 135 and sorted(mine) == sorted(theirs)
    for doc_id in theirs:
        assert mine[doc_id] == theirs[doc_id], doc_id
    # same-position tokens made it: a Hanja word beside its reading, a number's readings, compound parts
    tokens = {(doc_id, field): t for doc_id, d in mine.items() for field, t in d["tokens"].items()}
    hanja = [t for t in tokens.values() if "韓國" in t]
    assert hanja and all(set(t["韓國"]) <= set(t["한국"]) for t in hanja)
    marathon = next(t for t in tokens.values() if "42.195km" in t)
    assert marathon["42.195km"] == marathon["42.195"]
    assert any(p + 1 in t["의원"] for t in tokens.values() if "의원" in t for p in t.get("국회", []))  # 국회의원
    es, index = serving(from_index)
    _, other = serving(from_files)
    assert es.indices.get_mapping(index=index)[index]["mappings"]["properties"] == \
           es.indices.get_mapping(index=other)[other]["mappings"]["properties"]


@pytest.mark.parametrize("q, expected", CASES)
def test_the_same_queries_give_the_same_pages(from_files, from_index, engine, q, expected):
    from chaja.search import Engine

    for group in ("article", "section"):
        mine, theirs = Engine(from_index).search(q, group=group), Engine(from_files).search(q, group=group)
        assert mine.to_json() | {"took_ms": 0} == theirs.to_json() | {"took_ms": 0}
    assert [h.id for h in engine.search(q).hits] == expected  # the embedded index it was loaded from
    assert_same_ranking(Engine(from_index).search(q).hits, engine.search(q).hits)


def test_stats_and_update_know_the_embedded_index_s_files(from_index, corpus_index):
    from chaja.search import Engine

    stats = Engine(from_index).stats()
    assert (stats["articles"], stats["sections"], stats["paths"]) == (27, 135, [str(CORPUS)])
    assert stats["word_cache"] is True  # read word by word, as the embedded index (the default) was
    # digests and paths are the files': an update finds nothing to change
    result = CliRunner().invoke(main, ["index", "update", str(CORPUS), "--index", from_index])
    assert result.exit_code == 0 and result.output.startswith("no change: 27 articles unchanged"), result.output


def test_parts_from_the_index_publish_the_same_documents(opensearch_cluster, corpus_index, from_files):
    loc = location(opensearch_cluster, "from-index-parts")
    first = rebuild("--index", loc, "--from-index", str(corpus_index), "--part", "1/2")
    assert first.strip().endswith("as part 1 of 2; `chaja index publish` once every part is done")
    rebuild("--from-index", str(corpus_index), "--part", "2/2", "--index", loc)
    published = CliRunner().invoke(main, ["index", "publish", "--index", loc])
    assert published.exit_code == 0 and published.output.startswith("published 27 articles, 135 sections -> ")
    assert documents(loc) == documents(from_files)


def test_a_folder_that_is_not_an_index_is_refused_and_the_alias_kept(from_index, tmp_path):
    (tmp_path / "articles.jsonl").write_text('{"id": "a", "title": "김장", "text": "김장을 했다."}\n', encoding="utf-8")
    _, before = serving(from_index)
    result = CliRunner().invoke(main, ["index", "rebuild", "--index", from_index, "--from-index", str(tmp_path)])
    assert (result.exit_code, result.output) == (
        1, f"Error: {tmp_path} holds no chaja index (it has no CURRENT file); give the folder of an index built by "
           "`chaja index rebuild`\n")
    assert serving(from_index)[1] == before


def test_what_from_index_cannot_take_is_refused(tmp_path, corpus_index):
    port = free_port()
    nowhere = f"opensearch://127.0.0.1:{port}/copied"
    runner = CliRunner()
    unreachable = runner.invoke(main, ["index", "rebuild", "--from-index", str(corpus_index), "--index", nowhere])
    assert unreachable.exit_code == 1 and len(unreachable.output.splitlines()) == 1
    assert unreachable.output.startswith(f"Error: cannot reach the OpenSearch cluster at 127.0.0.1:{port} (")
    assert unreachable.output.endswith("; the alias copied still names the previous index\n")
    with_paths = runner.invoke(main, ["index", "rebuild", str(CORPUS), "--index", nowhere, "--from-index", str(tmp_path)])
    assert (with_paths.exit_code, with_paths.output) == (
        2, "Error: --from-index takes the articles and their analysis from the index folder; leave out PATHS\n")
    into_folder = runner.invoke(main, ["index", "rebuild", "--index", str(tmp_path / "ix"), "--from-index", str(tmp_path)])
    assert (into_folder.exit_code, into_folder.output) == (
        2, "Error: --from-index loads an OpenSearch index from an index folder; pass --index opensearch://HOST:PORT/NAME\n")
