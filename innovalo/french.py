"""French text in the database: searches that ignore accents and case, and names sorted
the French way.

- ``field__unaccent_icontains=word``: "ceramique" finds "Céramique", "ECO" finds
  "Éco-Bâti". PostgreSQL compares ``UPPER(UNACCENT(...))`` (the ``unaccent`` extension,
  created by ``innovalo/migrations/0005_unaccent``); SQLite compares through an
  ``unaccent`` function registered on each connection (below); other databases fall
  back to a plain case-insensitive match.
- ``French(expression)``: the expression in French collation, for ``order_by``:
  "Éco-Bâti", "Électronique", "Énergie" among the E's, "Île-de-France" among the I's,
  not after "Végétal". PostgreSQL uses ICU's ``fr-x-icu``; SQLite a ``french``
  collation registered on each connection; others the plain order.
- ``by_name(queryset)``: a queryset ordered by name the French way, then by pk: what
  every drop-down and list of names uses.
- ``search_words(queryset, text, fields)``: rows matching every word of `text` in one
  of `fields`, accents and case aside.

At scale (the portal is measured for 5,000 platforms and 10,000 calls) these searches
scan the rows they filter, as ``icontains`` did; a trigram index on
``UPPER(UNACCENT(name))`` would need an IMMUTABLE wrapper of ``unaccent`` and pg_trgm.
"""

import functools
import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import Field, Func, Lookup, Q

MAX_SEARCH_WORDS = 10
# ICU's French collation, predefined in every PostgreSQL built with ICU (Debian's is).
POSTGRESQL_COLLATION = "fr-x-icu"
SQLITE_COLLATION = "french"

# Letters NFKD does not decompose, as PostgreSQL's unaccent rules write them.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o"})


@functools.lru_cache(maxsize=4096)
def unaccent(text):
    """ "Éco-Bâti" -> "Eco-Bati", "Cœur" -> "Coeur" (None stays None)."""
    if text is None:
        return None
    text = str(text).translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def french_key(text) -> tuple:
    """A sort key close to French collation: letters first without accents or case,
    then the accents, then the case ("cote" < "côte" < "Côte")."""
    text = text or ""
    return (unaccent(text).casefold(), text.casefold(), text)


def _sqlite_collate(left, right) -> int:
    left_key, right_key = french_key(left), french_key(right)
    return (left_key > right_key) - (left_key < right_key)


def register_sqlite_functions(sender, connection, **kwargs):
    """SQLite has neither ``unaccent`` nor a French collation: give it both, in Python."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("UNACCENT", 1, unaccent, deterministic=True)
    connection.connection.create_collation(SQLITE_COLLATION, _sqlite_collate)


connection_created.connect(register_sqlite_functions, dispatch_uid="innovalo_french_sqlite")


@Field.register_lookup
class UnaccentIContains(Lookup):
    """``field__unaccent_icontains=word``: `word` in the field, accents and case aside."""

    lookup_name = "unaccent_icontains"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [f"%{connection.ops.prep_for_like_query(str(value))}%"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = (*lhs_params, *rhs_params)
        if connection.vendor == "postgresql":
            return f"UPPER(UNACCENT(({lhs})::text)) LIKE UPPER(UNACCENT({rhs}))", params
        if connection.vendor == "sqlite":
            # LIKE ignores the case of ASCII letters, all that is left once unaccented.
            return f"UNACCENT({lhs}) LIKE UNACCENT({rhs}) ESCAPE '\\'", params
        return f"UPPER({lhs}) LIKE UPPER({rhs})", params


class French(Func):
    """An expression in French collation, for ``order_by()`` (and ``annotate()``)."""

    template = "%(expressions)s"
    arity = 1

    def as_postgresql(self, compiler, connection, **extra):
        template = f'%(expressions)s COLLATE "{POSTGRESQL_COLLATION}"'
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = f"%(expressions)s COLLATE {SQLITE_COLLATION}"
        return self.as_sql(compiler, connection, template=template, **extra)


def by_name(queryset, field="name"):
    """`queryset` ordered by `field` the French way, then by pk (stable pages)."""
    return queryset.order_by(French(field).asc(), "pk")


def search_words(queryset, text, fields, *, max_words=MAX_SEARCH_WORDS):
    """Rows of `queryset` where every word of `text` (its first `max_words`) is in one
    of `fields` (lookups such as ``"department__name"``), accents and case aside."""
    match = Q()
    for word in (text or "").split()[:max_words]:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__unaccent_icontains": word})
        match &= any_field
    return queryset.filter(match)
