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
import re
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


# French copy: elision and the first of the month ---------------------------------------

_VOWELS = set("aeiouyàâäéèêëîïôöùûüÿæœAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÆŒ")
# Words whose h is aspirated (no elision: "de Hauts-de-France"); any other h is mute.
_ASPIRATED_H = (
    "hall",
    "hameau",
    "hangar",
    "handi",
    "hasard",
    "haut",
    "hêtre",
    "héros",
    "hockey",
    "hollande",
    "homard",
    "hongr",
    "honte",
    "hors",
    "houill",
    "huit",
)


def elides(word: str) -> bool:
    """Whether French elides "de" / "le" before `word`: a vowel (not a "y" before a
    vowel: "de Yann"), or an h that is not aspirated ("d'Hélioparc", "de Haute-Loire")."""
    word = (word or "").lstrip("«\"' ")
    if not word:
        return False
    first, plain = word[0], unaccent(word).casefold()
    if first in "yY":
        return len(plain) > 1 and plain[1] not in "aeiouy"
    if first in _VOWELS:
        return True
    if first in "hH":
        return not plain.startswith(_ASPIRATED_H)
    return False


def of(name) -> str:
    """ "de X" in French, "d'X" before a vowel or a mute h ("d'InnovalTech",
    "d'INNOVALO"); the bare name in another language, whose translation places it
    ("Modifier la fiche %(of_name)s" -> "Edit %(of_name)s's profile")."""
    from django.utils.translation import get_language

    name = str(name)
    if not (get_language() or "fr").startswith("fr"):
        return name
    return f"d'{name}" if elides(name) else f"de {name}"


_DAY = re.compile(r"(?<!\\)j(?= [FEMN])")


def first_of_month_format(format_string: str, value) -> str:
    """`format_string` with "1er" for the first day of the month in French long dates
    ("j F Y" on 1 February writes "1er février"); unchanged otherwise."""
    from django.utils.translation import get_language

    day = getattr(value, "day", None)
    if day != 1 or not (get_language() or "fr").startswith("fr"):
        return format_string
    return _DAY.sub(r"j\\e\\r", format_string)


def date_text(value, format_string="j F Y") -> str:
    """``date_format`` with the French "1er": "1er février 2016", "21 janvier 2016"."""
    from django.utils.formats import date_format

    return date_format(value, first_of_month_format(format_string, value))


def long_date(value) -> str:
    """What ``date_text(value, "j F Y")`` writes ("1er février 2016", "1 February 2016"),
    without building Django's ``DateFormat`` for each value: a list's rows print dozens."""
    from django.utils.dates import MONTHS
    from django.utils.translation import get_language

    day = value.day
    first = day == 1 and (get_language() or "fr").startswith("fr")
    return f"{'1er' if first else day} {MONTHS[value.month]} {value.year}"
