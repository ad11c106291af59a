"""Misspelling-tolerant name matching on both databases.

On PostgreSQL the lookups compile to pg_trgm's index-backed operators (``%`` and ``%>``, with the GIN
index on ``Person.search_name``). On SQLite (the demo set-up) the same lookups call Python functions
registered on each connection that compute trigram similarity the way pg_trgm does, so the two
databases find the same people (SQLite without an index, which is fine at demo scale).

Values compared are already normalized (``normalize_text``: lower case, no accents).
"""

from __future__ import annotations

import re

from django.db import connections, models
from django.db.models import FloatField, Func, Lookup

# pg_trgm.similarity_threshold (its default) and pg_trgm.word_similarity_threshold. The word
# threshold is 0.5, not pg_trgm's 0.6: each typed word is matched on its own (``name_words``), and
# a six-letter name with a dropped letter ("yulesi" for "yuleisi") shares half its trigrams. The
# PostgreSQL connection sets it (``DATABASES["default"]["OPTIONS"]["options"]`` in settings).
SIMILARITY_THRESHOLD = 0.3
WORD_SIMILARITY_THRESHOLD = 0.5

_WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each alphanumeric word padded with two spaces before and one after."""
    result: set[str] = set()
    for word in _WORD.findall((text or "").lower()):
        padded = f"  {word} "
        result.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return result


def similarity(a: str | None, b: str | None) -> float:
    """Shared trigrams over all trigrams of both strings (pg_trgm ``similarity``)."""
    ta, tb = trigrams(a or ""), trigrams(b or "")
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def word_similarity(a: str | None, b: str | None) -> float:
    """How well ``a`` matches a run of consecutive trigrams of ``b`` (pg_trgm ``word_similarity``):
    the best shared / (trigrams of ``a`` + trigrams of the run not in ``a``)."""
    ta = trigrams(a or "")
    if not ta:
        return 0.0
    ordered = []
    for word in _WORD.findall((b or "").lower()):
        padded = f"  {word} "
        ordered.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    best = 0.0
    for start in range(len(ordered)):
        if ordered[start] not in ta:
            continue  # the best run starts (and ends) on a shared trigram
        run: set[str] = set()
        for trigram in ordered[start:]:
            run.add(trigram)
            if trigram in ta:
                shared = len(run & ta)
                best = max(best, shared / (len(ta) + len(run - ta)))
    return best


_PHONETIC_RULES = [
    (re.compile(r"x"), "ks"),
    (re.compile(r"ch"), "x"),
    (re.compile(r"ll"), "y"),
    # Y and I are written for each other in names (Yusmary/Yusmari, Daniela/Danyela, Yanet/Ianet):
    # one letter, and before the g and gu rules, so that "aguylar" meets "aguilar".
    (re.compile(r"y"), "i"),
    (re.compile(r"qu"), "k"),
    (re.compile(r"g(?=[ei])"), "j"),
    (re.compile(r"gu(?=[ei])"), "g"),
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"z"), "s"),
    (re.compile(r"v"), "b"),
    (re.compile(r"w"), "u"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"h"), ""),
    # A J that opens a name is said as Y (Jhonny/Yonny, Juleisy/Yuleisy, Jesica/Yesica,
    # Giovanny/Yovanny), so it is spelt as the y above: i.
    (re.compile(r"^j"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
]


def phonetic_key(normalized: str) -> str:
    """Spanish sound-alike spelling of an already normalized name, so that common misspellings
    meet: 'yusmary gonzalez' and 'yusmari gonsales' -> 'iusmari gonsales'; 'jhonny' -> 'joni'.
    Changing these rules needs a migration that recomputes ``Person.name_key`` (see 0006, 0007)."""
    words = []
    for word in (normalized or "").split():
        for pattern, replacement in _PHONETIC_RULES:
            word = pattern.sub(replacement, word)
        if word:
            words.append(word)
    return " ".join(words)


NAME_WORD_MIN = 3


def name_words(key: str) -> list[str]:
    """The words of a sound-alike key that a name search matches one by one (three letters or
    more, each once); the whole key when it has none ("li", "wu")."""
    words = list(dict.fromkeys(w for w in (key or "").split() if len(w) >= NAME_WORD_MIN))
    return words or ([key] if key else [])


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: give SQLite the trigram functions."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("orienta_similarity", 2, similarity, deterministic=True)
        connection.connection.create_function(
            "orienta_word_similarity", 2, word_similarity, deterministic=True
        )


class Similarity(Func):
    """``similarity(field, text)`` as a float annotation (for ordering by relevance)."""

    function = "similarity"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="orienta_similarity", **extra_context)


class WordSimilarity(Func):
    """``word_similarity(text, field)``: how well the text matches a part of the field."""

    function = "word_similarity"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="orienta_word_similarity", **extra_context)


class WordDistance(Func):
    """``WordDistance(field, text)``: ``field <->> text`` on PostgreSQL, that is 1 minus how well
    the text matches a part of the field (0 = a perfect match). Ordered by this alone, the GiST
    index on the field returns the nearest rows first and stops after a page, however many rows
    match (bench/PLANS.md); on SQLite the same value from the Python function."""

    output_field = FloatField()
    arg_joiner = " <->> "
    template = "(%(expressions)s)"

    def __init__(self, expression, text, **extra):
        super().__init__(expression, text, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        field_sql, field_params = compiler.compile(self.source_expressions[0])
        text_sql, text_params = compiler.compile(self.source_expressions[1])
        return f"(1.0 - orienta_word_similarity({text_sql}, {field_sql}))", (*text_params, *field_params)


def order_by_distance(qs, *tie_breaks: str, indexed: bool = True):
    """Nearest first (``qs`` annotated with ``distance``). On PostgreSQL, when the query can use the
    GiST index (``indexed``: the name is the only condition on the key), by the distance alone: a
    tie-break would make PostgreSQL rank every match before returning the first page. Equal
    distances then come in the index's order, which is stable between pages."""
    if indexed and connections[qs.db].vendor == "postgresql":
        return qs.order_by("distance")
    return qs.order_by("distance", *tie_breaks)


class TrigramSimilar(Lookup):
    """``search_name__trgm_similar=text``: ``search_name % text`` on PostgreSQL (GIN index)."""

    lookup_name = "trgm_similar"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"orienta_similarity({lhs}, {rhs}) >= {SIMILARITY_THRESHOLD}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} %% {rhs}", (*lhs_params, *rhs_params)


class TrigramWordSimilar(Lookup):
    """``search_name__trgm_word_similar=text``: ``search_name %> text`` on PostgreSQL (GIN index)."""

    lookup_name = "trgm_word_similar"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return (
            f"orienta_word_similarity({rhs}, {lhs}) >= {WORD_SIMILARITY_THRESHOLD}",
            (*rhs_params, *lhs_params),
        )

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} %%> {rhs}", (*lhs_params, *rhs_params)


def register_lookups() -> None:
    models.CharField.register_lookup(TrigramSimilar)
    models.CharField.register_lookup(TrigramWordSimilar)
