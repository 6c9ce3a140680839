"""The Korean analyzer: exact morphemes, positions and offsets for real sentences."""

from __future__ import annotations

import pickle
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chaja.index import analysis, spans
from chaja.index.analysis import Morpheme, korean_analyzer, morphemes, read_user_dictionary
from chaja.index.batches import morphemes_of_many, presplit


def tokens(text, user_words=()):
    return [(m.text, m.pos, m.start, m.end) for m in morphemes(text, user_words)]


def forms(text, user_words=()):
    return [m.text for m in morphemes(text, user_words)]


@pytest.mark.parametrize("text", ["협력을", "협력의", "협력하였다", "협력했다", "협력하는"])
def test_particles_and_endings_leave_the_noun(text):
    assert tokens(text) == [("협력", 0, 0, 2)]


def test_sentence_with_particles_and_verb_endings():
    assert tokens("협력을 강화하였다") == [("협력", 0, 0, 2), ("강화", 1, 4, 6)]


def test_verb_stems_come_out_as_lemmas():
    assert tokens("먹었다") == [("먹", 0, 0, 1)]
    assert forms("먹다") == forms("먹었다") == forms("먹는다")


def test_spacing_variants_of_a_compound_give_the_same_terms():
    assert tokens("인공지능산업의 발전") == [("인공", 0, 0, 2), ("지능", 1, 2, 4), ("산업", 2, 4, 6), ("발전", 3, 8, 10)]
    assert tokens("인공지능 산업") == [("인공", 0, 0, 2), ("지능", 1, 2, 4), ("산업", 2, 5, 7)]


def test_compounds_kiwi_keeps_whole_are_split_into_parts_at_consecutive_positions():
    # Kiwi reads 한국은행 as one proper noun; its parts must still be searchable.
    assert tokens("한국은행이 기준금리를 동결했다") == [
        ("한국", 0, 0, 2), ("은행", 1, 2, 4), ("기준", 2, 6, 8), ("금리", 3, 8, 10), ("동결", 4, 12, 14)]
    assert tokens("국회의원들이 방문했다") == [("국회", 0, 0, 2), ("의원", 1, 2, 4), ("방문", 2, 7, 9)]


def test_mixed_hangul_latin_numbers_hanja():
    assert tokens("삼성전자는 AI 반도체 3.5% 성장, 韓國 經濟") == [
        ("삼성", 0, 0, 2), ("전자", 1, 2, 4), ("ai", 2, 6, 8), ("반도체", 3, 9, 12), ("3.5", 4, 13, 16),
        ("3.5%", 4, 13, 17), ("성장", 5, 18, 20), ("韓國", 6, 22, 24), ("한국", 6, 22, 24), ("經濟", 7, 25, 27),
        ("경제", 7, 25, 27)]


def test_nfkc_offsets_point_into_the_original_text():
    text = "42.195㎞ 완주, ＡＢＣ뉴스"
    got = tokens(text)
    assert got == [("42.195", 0, 0, 6), ("42.195km", 0, 0, 7), ("완주", 1, 8, 10), ("abc", 2, 12, 15), ("뉴스", 3, 15, 17)]
    assert [text[s:e] for _, _, s, e in got] == ["42.195", "42.195㎞", "완주", "ＡＢＣ", "뉴스"]


def test_latin_is_lowercased():
    assert forms("OpenAI의 GPT 모델") == ["openai", "gpt", "모델"]


def test_only_particles_and_punctuation_give_nothing_searchable():
    assert forms("은 는 이 가 을 를 ?! ... ") == []
    assert forms("") == []
    assert forms("은행에 가는 길") == ["은행", "가", "길"]  # the same syllables inside words stay


def test_the_analyzer_yields_whoosh_tokens_with_positions_and_chars():
    analyzer = korean_analyzer()
    got = [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer("협력하였다 국회의원", positions=True, chars=True)]
    assert got == [("협력", 0, 0, 2), ("국회", 1, 6, 8), ("의원", 2, 8, 10)]


def test_the_analyzer_pickles_with_settings_only():
    analyzer = korean_analyzer((("갓생", "NNG"),))
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone == analyzer
    assert clone != korean_analyzer()


def test_user_dictionary_teaches_kiwi_a_new_word(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("# 신조어\n갓생\tNNG\n\n뉴진스\n", encoding="utf-8")
    words = read_user_dictionary(str(path))
    assert words == (("갓생", "NNG"), ("뉴진스", "NNP"))
    assert forms("갓생을 산다")[0] == "생"
    assert forms("갓생을 산다", words)[0] == "갓생"


def test_long_text_is_analysed_in_pieces_with_correct_offsets():
    sentence = "부산항은 협력을 강화하였다. "
    text = sentence * 2000  # 32,000 characters, more than one Kiwi piece
    got = morphemes(text)
    assert [m.text for m in got] == ["부산", "항", "협력", "강화"] * 2000
    assert all(text[m.start : m.end] == m.text for m in got)
    assert got[-1].end == len(text) - 5


# --- stored spans: where each term lies, read back for marks --------------------------------------

def test_stored_spans_give_back_each_terms_surface_in_text_order():
    text = "국회의원들이 협력하였다. 협력의 성과는 ＡＩ 반도체, 국회의원 방문"
    stored = spans.encode(morphemes(text))
    got = spans.decode(stored, {"협력", "의원", "ai"})
    assert [text[s:e] for s, e in got] == ["의원", "협력", "협력", "ＡＩ", "의원"]
    assert got == sorted(got)
    assert spans.decode(stored, {"먹"}) == []


def test_stored_spans_of_verbs_mark_the_stem_and_of_nothing_are_empty():
    text = "점심을 먹었다. 저녁도 먹고"
    assert [text[s:e] for s, e in spans.decode(spans.encode(morphemes(text)), {"먹"})] == ["먹", "먹"]
    assert spans.decode(spans.encode(morphemes("")), {"먹"}) == []
    assert spans.decode(spans.encode(morphemes("?!… ")), {"먹"}) == []


def test_a_batch_analyses_every_text_as_one_at_a_time_would():
    texts = ["부산항의 컨테이너 물동량이 역대 최대를 기록했다", "", "?!… ", "부산항의 컨테이너 물동량이 역대 최대를 기록했다",
             "ＡＩ 반도체 수출이 3.5% 늘었다", "국회의원 선거",
             # the same normalised text from another original (NFD, what macOS pastes) keeps its own offsets,
             # and a text too long for one Kiwi call is analysed in pieces beside the batch
             unicodedata.normalize("NFD", "국회의원 선거"), "한국농수산식품유통공사는 협력을 늘렸다. " * 1000]
    assert len(texts[-1]) > analysis.MAX_KIWI_CHARS
    assert morphemes_of_many(texts) == [morphemes(t) for t in texts]
    got = [(t.text, t.pos, t.startchar, t.endchar) for t in korean_analyzer()(texts[0], positions=True, chars=True)]
    assert got == [(m.text, m.pos, m.start, m.end) for m in morphemes(texts[0])]


@given(st.lists(st.sampled_from(["협력", "협", "력", "협력의", "ai", "3.5", "韓國", "먹"]), max_size=30),
       st.sets(st.sampled_from(["협력", "협", "력", "협력의", "ai", "3.5", "韓國", "먹", "없는말"])))
def test_stored_spans_find_exactly_the_asked_terms_even_among_their_prefixes(words, terms):
    stored, at = [], 0
    for pos, word in enumerate(words):
        stored.append(Morpheme(word, pos, at, at + len(word)))
        at += len(word) + 1
    assert spans.decode(spans.encode(stored), terms) == [(m.start, m.end) for m in stored if m.text in terms]


# --- normalisation of whole strings (issue 15, item 2) ---------------------------------------------

def test_decomposed_hangul_gives_the_same_terms_with_offsets_into_the_decomposed_text():
    import unicodedata

    text = unicodedata.normalize("NFD", "협력을 강화하였다")  # what macOS pastes: 22 jamo
    got = tokens(text)
    assert [(t, p) for t, p, _, _ in got] == [("협력", 0), ("강화", 1)]
    assert [(s, e) for _, _, s, e in got] == [(0, 6), (10, 15)]
    assert [unicodedata.normalize("NFC", text[s:e]) for _, _, s, e in got] == ["협력", "강화"]


def test_mixed_composed_decomposed_and_compatibility_text_maps_every_offset_back():
    import unicodedata

    text = "ＡＢＣ뉴스 " + unicodedata.normalize("NFD", "협력") + "을 42.195㎞ café " + "cafe\u0301"
    got = tokens(text)
    assert [t for t, _, _, _ in got] == ["abc", "뉴스", "협력", "42.195", "42.195km", "café", "café"]
    assert [text[s:e] for _, _, s, e in got] == ["ＡＢＣ", "뉴스", text[6:12], "42.195", "42.195㎞", "café", "cafe\u0301"]


# --- numbers with their units (issue 15, item 4) -----------------------------------------------------

def test_a_number_with_its_unit_is_one_term_beside_the_bare_number():
    text = "관객 1만 명은 1,419억 달러, 천만 관중과 5G 통신"
    got = tokens(text)
    assert [(t, p) for t, p, _, _ in got] == [
        ("관객", 0), ("1", 1), ("1만", 1), ("1만명", 1), ("1419", 2), ("1419억", 2), ("1419억달러", 2),
        ("천만", 3), ("관중", 4), ("5", 5), ("5g", 5), ("통신", 6)]
    assert [text[s:e] for _, _, s, e in got] == [
        "관객", "1", "1만", "1만 명", "1,419", "1,419억", "1,419억 달러", "천만", "관중", "5", "5G", "통신"]


def test_digits_with_and_without_thousands_separators_are_the_same_term():
    assert forms("1419억") == ["1419", "1419억"]
    assert forms("1,000,000원") == forms("1000000원") == ["1000000", "1000000원"]
    assert forms("42.195㎞") == ["42.195", "42.195km"]


# --- compounds split into the words Kiwi reads in them (issue 15, item 3) -----------------------------

@pytest.mark.parametrize("compound, parts", [
    ("한국농수산식품유통공사", ["한국", "농수산", "식품", "유통", "공사"]),
    ("동계청소년올림픽", ["동계", "청소년", "올림픽"]),
    ("과학기술정보통신부", ["과학", "기술", "정보", "통신", "부"]),
    ("한국은행", ["한국", "은행"]),
    ("청소년", ["청소년"]),  # not 청소 (cleaning) + 년
    ("농수산", ["농수산"]),
])
def test_a_long_noun_is_indexed_as_the_real_words_in_it(compound, parts):
    got = tokens(compound + "의 발표")
    assert got[:-1] == [(p, i, compound.index(p), compound.index(p) + len(p)) for i, p in enumerate(parts)]
    assert got[-1][0] == "발표"


def test_compounds_split_in_kiwi_batches_are_split_as_one_call_each_splits_them():
    forms = ["한국농수산식품유통공사", "과학기술정보통신부", "동계청소년올림픽", "한국은행", "청소년", "농수산", "국회의원",
             "한국은행", "협력", "AI반도체", "經濟"]
    analysis._compound_cache.clear()
    one_call_each = {form: analysis.compound_parts(form) for form in forms}
    analysis._compound_cache.clear()
    found = presplit(forms)  # a round of batch calls for the forms, another for their long parts (통신부 ...)
    assert {form: found[form] for form in forms if analysis.splittable(form)} == {
        form: parts for form, parts in one_call_each.items() if analysis.splittable(form)}
    assert (found["통신부"], found["올림픽"]) == (["통신", "부"], [])  # the parts split on the way are returned too
    assert found["과학기술정보통신부"] == ["과학", "기술", "정보", "통신", "부"]
    assert (found["청소년"], found["농수산"], found["한국은행"]) == ([], [], ["한국", "은행"])
    assert "협력" not in found and "AI반도체" not in found  # too short, or not all Hangul: never split
    assert analysis._compound_cache[("동계청소년올림픽", ())] == ["동계", "청소년", "올림픽"]  # remembered for the next batch
