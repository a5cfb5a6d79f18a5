"""What the tests share: hypothesis strategies, optional extras, and the corpora
(textbook derivatives, LaTeX from papers, text people type, matrix calculus).
`python -m tests.support.reading_corpus` prints the reading corpus's figures."""
