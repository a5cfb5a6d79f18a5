"""The fast plain reader (symdiff.lalr over the tables Lark computes for
grammar/plain.lark) reads exactly as Lark does: the same tree, the same notes in
the same order, and for text it cannot read the same error, from Lark.  Its
tables are cached by the grammar's text; a start-up that finds them imports no lark."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from symdiff.errors import ParseError
from symdiff.lalr import FORMAT, Reader, Undecided, build, cache_path, tables
from symdiff.parse import PlainPostLexer, PlainTransformer, grammar_text, is_unicode, parse_plain, plain_parser, plain_reader

from support.matrix_corpus import CASES
from support.reading_corpus import CORPUS
from support.strategies import exprs
from support.textbook_table import TABLE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from corpus import TEXTBOOK  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def reading(text: str, variables: frozenset[str], reader: str):
    """("tree", e) or ("error", message), and the notes given, in order."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("tree", parse_plain(text, variables, reader=reader))
        except ParseError as err:
            result = ("error", str(err))
    return result, [(w.category, str(w.message)) for w in caught]


def assert_reads_as_lark(text: str, variables: frozenset[str] = frozenset()) -> None:
    lark = reading(text, variables, "lark")
    assert reading(text, variables, "auto") == lark
    if lark[0][0] == "tree":  # what Lark reads, the fast reader reads by itself
        assert reading(text, variables, "fast") == lark
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(Exception):
                parse_plain(text, variables, reader="fast")
        if not is_unicode(text):  # bars and symbols give their notes before any reader runs
            assert not caught  # the fast reader's notes before the failure are dropped, not given


def _plain(text: str) -> bool:
    return "\\" not in text


CORPUS_TEXTS = sorted({(row.text, row.wrt or "") for row in CORPUS if _plain(row.text)})
TEXTBOOK_TEXTS = sorted({(t, "x") for t in TEXTBOOK} | {(f, v) for f, v, _ in TABLE} | {(d, v) for _, v, d in TABLE})
MATRIX_TEXTS = sorted({case.text for case in CASES if _plain(case.text)})


def test_the_corpora_are_plain_text_worth_reading():
    assert len(CORPUS_TEXTS) > 150 and len(TEXTBOOK_TEXTS) > 300 and len(MATRIX_TEXTS) > 50


@pytest.mark.parametrize(("text", "wrt"), CORPUS_TEXTS)
def test_the_reading_corpus_reads_as_lark_reads_it(text, wrt):
    assert_reads_as_lark(text, frozenset({wrt} - {""}))
    assert_reads_as_lark(text)


def test_the_textbook_corpus_reads_as_lark_reads_it():
    for text, wrt in TEXTBOOK_TEXTS:
        assert_reads_as_lark(text, frozenset({wrt}))


def test_the_matrix_corpus_plain_texts_read_as_lark_reads_them():
    for text in MATRIX_TEXTS:
        assert_reads_as_lark(text)


# A text for every rule of the plain grammar (the test below checks that each rule is reduced).
EVERY_RULE = [
    "x", "2.5e3", "e", "pi", "x_1", "x_ik", "x_{i,j,k}", "x_{-1}", "y'", "+x", "-x^2", "2^-x", "x^{2}",
    "2x(x+1)", "2 sin x", "x*y/z", "(x+1)", "[2x+1]^6", "sin(x)", "atan2(y, x)", "sin^2(x)", "sin^2 x",
    "sin^-1 x", "sin x^2", "sin e", "sin pi", "sin y_1", "sin[x]", "f(x)", "g(x, y)", "f[x]", "Sin[x]",
    "log_2(x)", "log_e(x)", "log_pi(x)", "log_b(x)", "log_{x+1}(2)", "log_b_1(x)", "delta(i, j)",
    "np.exp(x)", "math.sin(x)", "d/dx x^2", "d^2/dx^2 sin(x)", "3*d/dx x^2", "x/d/dx x^2",
    "2x*d/dx x^2", "2x/d/dx x^2", "2x d/dx x^2", "-d/dx x^2", "x + d/dx x^2",
    "sum_{i=1}^{N} x_i", "sum_{i=1}^N x_i", "sum_{i=1}^3 x_i", "sum_{i=1}^e x_i", "sum_{i=1}^{N_1} x_i",
    "sum_{i}^N x_i", "sum_i^N x_i", "sum_i^pi x_i", "sum_{i} x_i", "sum_i x_i", "2*sum_i^N x_i",
    "2 x*sum_i^N x_i", "-sum_i^N x_i", "x - y + z", "1 - 2 - 3", "x/y", "x/y*z", "2 x y",
    "sum_{i=1}^N_1 x_i", "sin 2", "2 d/dx x^2", "f[x, y]", "f(x, y, z)", "x_{1,2}",
]


def test_every_rule_of_the_tables_is_read_by_the_fast_reader():
    for text in EVERY_RULE:
        assert_reads_as_lark(text, frozenset({"x"}))
    reader = Reader(build(plain_parser()), PlainTransformer(), PlainPostLexer())
    reduced: set[int] = set()

    class Counting(list):
        def __getitem__(self, k):
            reduced.add(k % len(self))
            return super().__getitem__(k)

    reader.rules = Counting(reader.rules)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for text in EVERY_RULE:
            try:
                reader.parse(text)
            except Exception:  # f(x, y, z) is refused (one argument), once its rules are reduced
                pass
    assert reduced == set(range(len(reader.rules)))


def test_a_long_sum_reads_as_lark_reads_it():
    text = " - ".join(f"(t{k}*log(y{k}) + (1 - t{k})*log(1 - y{k}))" for k in range(300))
    assert_reads_as_lark(text, frozenset({"y7"}))
    assert_reads_as_lark(text + " +")  # an error at the very end


# Text that is often not an expression: characters of the plain syntax, spaces and newlines.
_PIECES = st.sampled_from([
    "x", "y", "t", "2", "0.5", "1e3", "+", "-", "*", "/", "^", "**", "(", ")", "[", "]", "{", "}", ",", "_",
    " ", "\n", "sin", "sinx", "ln", "log_", "sum_", "d/dx", "e", "pi", "f(", "np.", "math.", "E", "T", "'",
    "=", "|", ".", "xy", "ax", "delta(", "sqrt", "2x", "1/2", "^T", "x_{-1}", "atan2(", "Sin[",
])
texts = st.lists(_PIECES, max_size=14).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.sampled_from([frozenset(), frozenset({"x"}), frozenset({"x", "t"})]))
@example("x +", frozenset())
@example("+x", frozenset())  # `?signed: "+" signed`: no method, one child left once "+" is filtered
@example("sinx + (", frozenset({"x"}))  # a note, then an error: the note is given once
@example("2(x+1)\n  + 3/2x", frozenset())  # a refusal on the second line
@example("np.sin(x) * math.", frozenset())
@example("|xx|+", frozenset({"x"}))  # a note from reading the bars, then an error
def test_any_text_reads_as_lark_reads_it(text, variables):
    assert_reads_as_lark(text, variables)


@settings(max_examples=100, deadline=None)
@given(exprs())
def test_printed_expressions_read_as_lark_reads_them(e):
    assert_reads_as_lark(str(e))


def test_a_note_before_an_error_is_given_once():
    (kind, message), notes = reading("sinx + )", frozenset({"x"}), "auto")
    assert kind == "error" and "expected an operand after '+'" in message
    assert [m for _, m in notes] == [m for _, m in reading("sinx + )", frozenset({"x"}), "lark")[1]]
    assert len(notes) == 1 and "sin x" in notes[0][1]


def test_the_fast_reader_is_in_use_for_plain_text():
    assert isinstance(plain_reader(), Reader)
    with pytest.raises(Undecided):
        plain_reader().parse("x +")


# --------------------------------------------------------------------- the cache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMDIFF_CACHE_DIR", str(tmp_path))
    return tmp_path


def _counting():
    calls = []

    def compile_():
        calls.append(1)
        return plain_parser()
    return compile_, calls


def test_tables_are_built_once_then_read_from_the_cache(cache):
    grammar = grammar_text("plain.lark")
    compile_, calls = _counting()
    first = tables("plain", grammar, compile_)
    assert calls == [1] and os.path.isfile(cache_path("plain", grammar))
    assert tables("plain", grammar, compile_) == first and calls == [1]
    assert first == build(plain_parser())


def test_a_changed_grammar_is_built_again(cache):
    grammar = grammar_text("plain.lark")
    compile_, calls = _counting()
    tables("plain", grammar, compile_)
    changed = grammar + "// a new row\n"
    assert cache_path("plain", changed) != cache_path("plain", grammar)
    tables("plain", changed, compile_)
    assert calls == [1, 1]


@pytest.mark.parametrize("kept", [
    (FORMAT, "another grammar", {"terminals": []}),  # stale: written for other text under this name
    (FORMAT - 1, None, None),  # an older layout
    (FORMAT, None, {"terminals": [], "actions": 3}),  # the right text, a damaged table
    "not a tuple",
])
def test_a_stale_or_damaged_cache_file_is_built_again(cache, kept):
    grammar = grammar_text("plain.lark")
    path = cache_path("plain", grammar)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(kept, tuple) and kept[1] is None:
        kept = (kept[0], grammar, kept[2])
    Path(path).write_bytes(marshal.dumps(kept))
    compile_, calls = _counting()
    found = tables("plain", grammar, compile_)
    assert calls == [1] and found == build(plain_parser())
    assert tables("plain", grammar, compile_) == found and calls == [1]  # and written back whole


@pytest.mark.parametrize("damage", [b"", b"\x00garbage\xff" * 7, "truncate"])
def test_a_corrupt_cache_file_is_ignored(cache, damage):
    grammar = grammar_text("plain.lark")
    compile_, calls = _counting()
    good = tables("plain", grammar, compile_)
    path = Path(cache_path("plain", grammar))
    path.write_bytes(path.read_bytes()[:200] if damage == "truncate" else damage)
    assert tables("plain", grammar, compile_) == good and calls == [1, 1]
    reader = Reader(good, PlainTransformer(), PlainPostLexer())
    assert str(reader.parse("x^2 + 1")) == "x^2 + 1"


def test_an_unwritable_cache_folder_still_reads(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would be")
    monkeypatch.setenv("SYMDIFF_CACHE_DIR", str(blocker / "cache"))
    compile_, calls = _counting()
    assert tables("plain", grammar_text("plain.lark"), compile_) == build(plain_parser())


# ------------------------------------------------------- a start-up without lark


def _run(code: str, cache_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYMDIFF_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args, "-c", code] if code else [sys.executable, *args],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)


READS = ("import sys, warnings, symdiff\n"
         "warnings.simplefilter('ignore')\n"
         "print(symdiff.diff('log_2(x)', 'x'), symdiff.diff('sinx + x^2 + d/dx x^3 + np.exp(2x)', 'x'))\n"
         "print(sorted(m for m in sys.modules if m.split('.')[0] == 'lark'))\n")


def test_a_plain_reading_in_a_fresh_process_imports_no_lark(tmp_path):
    first = _run(READS, tmp_path)  # builds the tables, with Lark
    assert first.returncode == 0, first.stderr
    again = _run(READS, tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [first.stdout.splitlines()[0], "[]"]
    cli = _run("", tmp_path, "-X", "importtime", "-m", "symdiff", "diff", "log_2(x)")
    assert cli.returncode == 0 and cli.stdout.strip() == "1/(x*ln(2))"
    assert not [line for line in cli.stderr.splitlines() if line.split("|")[-1].strip().startswith("lark")]


def test_an_error_in_a_fresh_process_is_lark_s_explanation(tmp_path):
    code = ("import symdiff\n"
            "try:\n    symdiff.parse('sin(x')\n"
            "except symdiff.ParseError as err:\n    print(err.reason, err.line, err.column)\n")
    assert _run(code, tmp_path).stdout.strip() == "missing ')' 1 6"


def test_a_corrupt_cache_file_in_a_fresh_process_is_rebuilt(tmp_path):
    assert _run(READS, tmp_path).returncode == 0
    for path in tmp_path.iterdir():
        path.write_bytes(b"\x00" * 10)
    result = _run(READS, tmp_path)
    assert result.returncode == 0 and "1/(x*ln(2))" in result.stdout, result.stderr
