"""Synonym groups given at rebuild, kept with the index (also across updates) and applied to queries."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import CHAJA, write_jsonl

ARTICLES = [
    {"id": "ai-kr", "title": "인공지능 반도체 투자 확대", "sections": [{"heading": "", "text": "정부가 인공지능 반도체에 투자한다."}]},
    {"id": "ai-en", "title": "AI 스타트업 창업 열기", "sections": [{"heading": "", "text": "AI 기술로 창업하는 청년이 늘었다."}]},
    {"id": "ai-sound", "title": "에이아이 스피커 판매", "sections": [{"heading": "", "text": "에이아이 스피커가 많이 팔렸다."}]},
    {"id": "chip", "title": "칩 수출 회복", "sections": [{"heading": "", "text": "메모리 칩 수출이 회복세다."}]},
    {"id": "tangerine", "title": "제주 감귤 수확", "sections": [{"heading": "", "text": "노지 감귤 수확이 시작되었다."}]},
]


def ids(page) -> list[str]:
    """Return the ids of the hits with every word (the partial matches after them are left out), sorted."""
    return sorted(h.id for h in page.hits[:page.partial_from])


@pytest.fixture(scope="module")
def synonym_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synonyms")
    write_jsonl(folder / "articles" / "a.jsonl", ARTICLES)
    (folder / "synonyms.txt").write_text("# 같은 뜻의 낱말\n인공지능, AI, 에이아이\n\n반도체, 칩  # 메모리도 칩\n", encoding="utf-8")
    done = subprocess.run([CHAJA, "index", "rebuild", str(folder / "articles"), "--index", str(folder / "index"),
                           "--synonyms", str(folder / "synonyms.txt")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return folder / "index"


@pytest.mark.parametrize("query, found", [
    ("AI", ["ai-en", "ai-kr", "ai-sound"]), ("인공지능", ["ai-en", "ai-kr", "ai-sound"]),
    ("에이아이", ["ai-en", "ai-kr", "ai-sound"]), ("칩", ["ai-kr", "chip"]), ("반도체 수출", ["chip"]),
    ("AI 반도체", ["ai-kr"]), ('"AI 스타트업"', ["ai-en"]), ("감귤", ["tangerine"]), ("스피커 -인공지능", []),
])
def test_a_word_of_a_group_finds_the_others(synonym_index: Path, query: str, found: list[str]) -> None:
    from chaja.search import Engine

    assert ids(Engine(synonym_index).search(query)) == found


def test_marks_fall_on_the_synonym_found(synonym_index: Path) -> None:
    from chaja.search import Engine

    page = Engine(synonym_index).search("칩", sort="date")
    assert sorted(h.title_html for h in page.hits) == ["<mark>칩</mark> 수출 회복", "인공지능 <mark>반도체</mark> 투자 확대"]


def test_synonyms_are_kept_by_an_update(synonym_index: Path, tmp_path: Path) -> None:
    from chaja.index import store
    from chaja.index.update import update
    from chaja.search import Engine

    meta = store.require(synonym_index).meta()
    assert meta["synonym_groups"] == 2 and meta["synonyms"].endswith("synonyms.txt")
    articles = Path(meta["paths"][0])
    write_jsonl(articles / "b.jsonl", [{"id": "robot", "title": "AI 로봇 청소기", "sections": [{"heading": "", "text": "로봇 청소기가 팔렸다."}]}])
    try:
        update([articles], synonym_index)
        assert ids(Engine(synonym_index).search("인공지능")) == ["ai-en", "ai-kr", "ai-sound", "robot"]
    finally:
        (articles / "b.jsonl").unlink()
        update([articles], synonym_index)


def test_a_bad_synonyms_file_is_refused_with_its_line(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "articles" / "a.jsonl", ARTICLES[:1])
    (tmp_path / "synonyms.txt").write_text("인공지능, AI\n반도체\n", encoding="utf-8")
    done = subprocess.run([CHAJA, "index", "rebuild", str(tmp_path / "articles"), "--index", str(tmp_path / "index"),
                           "--synonyms", str(tmp_path / "synonyms.txt")], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Error: {tmp_path / 'synonyms.txt'}:2: a synonym group needs two or more words "
                                   "separated by commas, such as `인공지능, AI, 에이아이`")
    assert not (tmp_path / "index").exists() or not list((tmp_path / "index").glob("gen-*"))
