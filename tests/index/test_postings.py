from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.index.bm25 import BM25Params
from service.index.postings import RecentArrays, SortedTerms, build, intersect, member, union

# Any text a term can be: no line breaks (they separate terms on disk), no lone surrogates (not UTF-8).
TERM = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), min_size=1, max_size=6)


def table(terms: list[str]) -> SortedTerms:
    return SortedTerms("".join(t + "\n" for t in terms).encode("utf-8"))


@given(st.sets(TERM, max_size=40), st.lists(TERM, max_size=10))
def test_sorted_terms_find_each_term_by_its_line_and_nothing_else(held, asked):
    terms = sorted(held)
    found = table(terms)
    assert len(found) == len(terms) and list(found) == terms and found == terms
    for number, term in enumerate(terms):
        assert found.number(term) == number and found[number] == term
    for term in asked:
        assert found.number(term) == (terms.index(term) if term in held else None)


@given(st.sets(st.text(alphabet="ab中国人民共和", min_size=1, max_size=9), max_size=60),
       st.lists(st.text(alphabet="ab中国人民共和z", max_size=10), max_size=10))
def test_terms_sharing_their_first_eight_bytes_are_told_apart(held, asked):
    # Look-ups narrow by each term's first 8 bytes first: terms alike that far (`中国人民…`) must still be ordered.
    import bisect

    terms = sorted(held)
    found = table(terms)
    raw = [t.encode("utf-8") for t in terms]
    found._searched = 10**9  # past the look-ups made by binary search alone
    for term in terms + asked:
        assert found.first_at_or_after(term) == bisect.bisect_left(raw, term.encode("utf-8"))
        assert found.number(term) == (terms.index(term) if term in held else None)


@given(st.sets(st.text(alphabet="ab中国人民共和", min_size=1, max_size=9), max_size=60),
       st.lists(st.text(alphabet="ab中国人民共和z\ud800", max_size=10), max_size=30))
def test_many_terms_looked_up_together_get_the_numbers_each_gets_alone(held, asked):
    terms = sorted(held)
    found = table(terms)
    wanted = [-1 if found.number(term) is None else found.number(term) for term in terms + asked]
    assert found.numbers(terms + asked).tolist() == wanted
    assert table([]).numbers(asked).tolist() == [-1] * len(asked)


def test_document_frequencies_looked_up_together_are_those_of_each_alone():
    docs = [("a1", ["医保", "贫困户", "医保"]), ("a2", ["灵芝", "产业", "😀"]), ("a3", ["贫困户", "产业", "产业"])]
    built = build(docs, BM25Params())
    asked = ["产业", "无", "医保", "😀", "贫困户", "产业"]
    for postings in (built, replace(built, terms=table(built.terms))):
        assert postings.doc_freqs(asked).tolist() == [postings.doc_freq(term) for term in asked] == [2, 0, 1, 1, 2, 2]


def test_an_empty_table_holds_nothing():
    assert len(table([])) == 0 and table([]).number("医保") is None


def test_a_lone_surrogate_is_not_held():
    assert table(["医保"]).number("\ud800") is None


def test_postings_over_sorted_terms_score_as_the_built_ones():
    docs = [("a1", ["医保", "贫困户", "医保"]), ("a2", ["灵芝", "产业", "😀"]), ("a3", ["贫困户", "产业", "产业"])]
    built = build(docs, BM25Params())
    opened = replace(built, terms=table(built.terms))
    for query in (["医保"], ["产业", "贫困户", "产业"], ["😀"], ["无"]):
        assert [a.tolist() for a in built.score(query)] == [a.tolist() for a in opened.score(query)]
        assert built.doc_freq(query[0]) == opened.doc_freq(query[0])


SETS = st.lists(st.sets(st.integers(0, 199), max_size=60), max_size=5)


def ascending(numbers: set[int]) -> np.ndarray:
    return np.array(sorted(numbers), dtype=np.int32)


@given(SETS, st.sampled_from([200, 5000]))
def test_union_intersect_and_member_are_the_set_operations(sets, n_docs):
    arrays = [ascending(s) for s in sets]
    united = union(arrays, n_docs)
    assert united.tolist() == sorted(set().union(*sets))
    assert united.dtype == np.int32 or not united.size
    if len(sets) >= 2:
        a, b = arrays[0], arrays[1]
        assert intersect(a, b, n_docs).tolist() == sorted(sets[0] & sets[1])
        assert member(a, b, n_docs).tolist() == [x in sets[1] for x in sorted(sets[0])]


def test_the_last_terms_postings_are_kept_within_their_budget_least_recent_first_and_read_only():
    recent = RecentArrays(budget=10)

    def arrays(size):
        return np.arange(size, dtype=np.int32), np.ones(size, dtype=np.int32)

    recent.put("a", arrays(4))
    recent.put("b", arrays(4))
    assert recent.get("a") is not None  # a asked for again: b is now the least recent
    recent.put("c", arrays(4))  # 12 postings: b goes
    assert recent.get("b") is None and recent.get("a") is not None and recent.get("c") is not None
    recent.put("huge", arrays(11))  # more than the whole budget: not kept, nothing pushed out
    assert recent.get("huge") is None and recent.get("a") is not None
    docs, _ = recent.get("c")
    with pytest.raises(ValueError):
        docs[0] = 7  # shared by every query that finds it
