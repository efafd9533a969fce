"""One way to turn text into search terms, shared by indexing and querying.

Latin-script words are left to the database's tokenizer. Runs of CJK
characters, which have no spaces between words, become overlapping bigrams
("淘宝天猫" -> "淘宝 宝天 天猫"), as Lucene's CJK analyzer does: a two-character
query such as 淘宝 then matches, which FTS5's trigram tokenizer cannot do, and
indexing stays as fast as plain unicode61. Traditional characters are folded
to simplified first (OpenCC), so 淘寶 finds 淘宝.
"""

import re

from ..text import IDEOGRAPH_RUN, IDEOGRAPHS, fold

CJK_RUN = IDEOGRAPH_RUN
TERM = re.compile(f"[{IDEOGRAPHS}]+|[^\\W_]+")
MAX_QUERY_CHARS = 200
MAX_TERMS = 16


def bigrams(run):
    if len(run) == 1:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def index_text(text):
    """Text as stored in the index: lower-cased, simplified, CJK runs as bigrams."""
    if text.isascii():
        return text.lower()
    return CJK_RUN.sub(lambda m: f" {bigrams(m.group())} ", fold(text))


def query_terms(query):
    """The search terms of a reader's query: words and CJK bigrams, nothing else.

    Quotes, operators (AND, NEAR, *, -) and SQL fragments are just punctuation
    here, so no query can change the shape of the database query.
    """
    terms = []
    for token in TERM.findall(fold(query[:MAX_QUERY_CHARS])):
        terms.extend(bigrams(token).split() if CJK_RUN.fullmatch(token) else [token])
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def highlight_terms(query):
    """What to mark in a passage: the query's words and its whole CJK runs."""
    return [t for t in TERM.findall(fold(query[:MAX_QUERY_CHARS]))][:MAX_TERMS]


def search_terms(query):
    """(term, is_prefix) pairs: a single CJK character matches the bigrams it starts."""
    return [(term, len(term) == 1 and bool(CJK_RUN.fullmatch(term))) for term in query_terms(query)]
