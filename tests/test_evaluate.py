"""Tests for chaja.search.evaluate on a tiny real index, with measures worked out by hand."""

import json
import math
import re

import pytest

from chaja.index.builder import rebuild
from chaja.search import Engine
from chaja.search.evaluate import evaluate, read_qrels, read_queries

ARTICLES = [
    {"id": "a1", "title": "김치", "sections": [
        {"heading": "", "text": "김치는 배추와 고춧가루로 만드는 한국의 발효 음식이다."},
        {"heading": "종류", "text": "깍두기와 총각김치가 있다."}]},
    {"id": "a2", "title": "서울", "sections": [
        {"heading": "", "text": "서울은 대한민국의 수도이다."},
        {"heading": "지리", "text": "한강이 서울을 가로질러 흐른다."}]},
    {"id": "a3", "title": "부산", "sections": [
        {"heading": "", "text": "부산은 대한민국 남동부의 항구 도시이다."},
        {"heading": "관광", "text": "해운대 해수욕장이 유명하다."}]},
    {"id": "a4", "title": "한강", "sections": [
        {"heading": "", "text": "한강은 서울을 지나 서해로 흐르는 강이다."}]},
    {"id": "a5", "title": "고양이", "sections": [
        {"heading": "", "text": "고양이는 작은 육식 동물이다."}]},
]

QUERIES = (
    "q1\t발효 음식\n"  # only a1#0 matches: rank 1
    "q2\t한강\n"  # a4 (title and text) first, then a2#1: the judged a2 is rank 2
    "q3\t우주선 로켓\n"  # nothing matches
    "q4\t항구\n"  # a3#0 matches, but the judged section is a3#1
)
QRELS = {
    "article": "q1 0 a1 1\nq2 0 a2 1\nq3 0 a5 1\nq4 0 a3 1\n",
    "section": "q1 0 a1#0 1\nq2 0 a2#1 1\nq3 0 a5#0 1\nq4 0 a3#1 1\n",
}
RANK2 = 1 / math.log2(3)  # nDCG of a single relevant item at rank 2


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    corpus = root / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    rebuild([corpus], root / "index")
    return Engine(root / "index")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "queries.tsv").write_text(QUERIES, encoding="utf-8")
    for level, text in QRELS.items():
        (tmp_path / f"qrels-{level}.tsv").write_text(text, encoding="utf-8")
    return tmp_path


def test_article_level(engine, files):
    report = evaluate(engine, read_queries(files / "queries.tsv"), files / "qrels-article.tsv")
    assert report.run["q1"] == ["a1"]
    assert report.run["q2"] == ["a4", "a2"]
    assert report.run["q3"] == []
    assert report.run["q4"] == ["a3"]
    assert (report.queries, report.judged, report.no_hit) == (4, 4, 1)
    assert report.measures == pytest.approx({"RR@10": (1 + 0.5 + 0 + 1) / 4, "R@100": 3 / 4,
                                             "nDCG@10": (1 + RANK2 + 0 + 1) / 4})
    assert 0 < report.p50_ms <= report.p95_ms


def test_section_level(engine, files):
    report = evaluate(engine, read_queries(files / "queries.tsv"), files / "qrels-section.tsv", level="section")
    assert report.run == {"q1": ["a1#0"], "q2": ["a4#0", "a2#1"], "q3": [], "q4": ["a3#0"]}
    assert report.measures == pytest.approx({"RR@10": (1 + 0.5) / 4, "R@100": 2 / 4, "nDCG@10": (1 + RANK2) / 4})


def test_unjudged_queries_run_but_do_not_count(engine, files):
    queries = read_queries(files / "queries.tsv") | {"q9": "고양이"}
    report = evaluate(engine, queries, files / "qrels-article.tsv")
    assert (report.queries, report.judged, report.run["q9"]) == (5, 4, ["a5"])
    assert report.measures["RR@10"] == pytest.approx(2.5 / 4)


def test_to_json(engine, files):
    report = evaluate(engine, {"q2": "한강"}, files / "qrels-article.tsv")
    data = report.to_json()
    assert json.loads(json.dumps(data)) == data
    assert {k: data[k] for k in ("level", "k", "queries", "judged", "no_hit", "measures", "run")} == {
        "level": "article", "k": 100, "queries": 1, "judged": 1, "no_hit": 0,
        "measures": {"nDCG@10": round(RANK2, 4), "R@100": 1.0, "RR@10": 0.5}, "run": {"q2": ["a4", "a2"]},
    }
    assert "run" not in report.to_json(run=False)


@pytest.mark.parametrize("text, message", [
    ("q1\t김치\nq2 한강\n", ":2: expected a query id, a tab and the query text, got 'q2 한강'"),
    ("q1\t\n", ":1: expected a query id, a tab and the query text, got 'q1\\t'"),
    ("q1\t김치\nq1\t한강\n", ":2: query id 'q1' appears twice; give every query its own id"),
    ("\n\n", ": no queries; write one qid<TAB>query a line"),
])
def test_malformed_queries(tmp_path, text, message):
    path = tmp_path / "queries.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{re.escape(str(path) + message)}$"):
        read_queries(path)


@pytest.mark.parametrize("text, message", [
    ("q1 0 a1 1\nq2 0 a2\n", ":2: expected 4 fields 'qid 0 docid relevance', got 3"),
    ("q1 0 a1 yes\n", ":1: relevance must be a whole number, not 'yes'"),
    ("", ": no judgments; write one 'qid 0 docid relevance' a line"),
])
def test_malformed_qrels(tmp_path, text, message):
    path = tmp_path / "qrels.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{re.escape(str(path) + message)}$"):
        read_qrels(path)


def test_malformed_qrels_reported_by_evaluate(engine, tmp_path):
    path = tmp_path / "qrels.tsv"
    path.write_text("q1 a1 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"{path}:1: expected 4 fields")):
        evaluate(engine, {"q1": "김치"}, path)


def test_queries_and_qrels_must_overlap(engine, files):
    with pytest.raises(ValueError, match=re.escape(
            f"none of the 1 query ids has a judgment in {files / 'qrels-article.tsv'}; "
            "check that the queries and qrels files belong together")):
        evaluate(engine, {"x1": "김치"}, files / "qrels-article.tsv")


def test_unknown_level(engine, files):
    with pytest.raises(ValueError, match="^level must be one of article, section, not 'paragraph'$"):
        evaluate(engine, {"q1": "김치"}, files / "qrels-article.tsv", level="paragraph")
