"""What the federation's generators share: sizes, random draws, batches, tiny PDFs."""

import datetime
import itertools
import random
import unicodedata
import zlib
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

BATCH = 2000
YEARS = 20  # of history, the current year included
SLUG_PREFIX = "fed-"
EMAIL_DOMAIN = "federation.demo"

# Sizes at scale 1.0 (issue 15).
FULL = {
    "platforms": 5000,
    "meetings": 2000,
    "survey_responses": 100_000,
    "calls": 10_000,
    "projects": 2000,
    "saved_searches": 5000,
}
# The part of the survey responses given by the platforms (the rest: one external
# questionnaire to firms).
PLATFORM_RESPONSE_SHARE = 0.6


def sized(name: str, scale: float) -> int:
    """The number of ``name`` rows at ``scale`` (at least one)."""
    return max(1, round(FULL[name] * scale))


def rng_for(seed: int, part: str) -> random.Random:
    """One generator per part, so that a part's draws do not depend on another's."""
    return random.Random(f"federation:{seed}:{part}")


def chunks(iterable, size=BATCH):
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def years(today=None) -> list[int]:
    current = (today or timezone.localdate()).year
    return list(range(current - YEARS + 1, current + 1))


def aware(day: datetime.date, hour=10, minute=0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def day_in(rng, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def analyze(*models):
    """Fresh planner statistics after a bulk load (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@dataclass
class Report:
    """What was created, by label, printed at the end."""

    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def add(self, label: str, count: int):
        self.counts[label] = self.counts.get(label, 0) + count


FIRST_NAMES = [
    "Anne", "Bruno", "Camille", "David", "Élodie", "François", "Gaëlle", "Hugo", "Inès",
    "Julien", "Karine", "Laurent", "Manon", "Nicolas", "Océane", "Pierre", "Quentin",
    "Rachida", "Sophie", "Thomas", "Ursula", "Vincent", "Yasmine", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
]  # fmt: skip


def person_name(rng) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


# Tiny PDFs -------------------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    ascii_text = plain.encode("ascii", "ignore").decode("ascii")
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def tiny_pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF of a few hundred bytes printing ``lines`` (ASCII): the
    generated documents carry their own number without WeasyPrint's second per file."""
    stream = (
        "BT /F1 12 Tf 72 770 Td 16 TL "
        + " ".join(f"({_pdf_text(line)}) '" for line in lines)
        + " ET"
    )
    data = zlib.compress(stream.encode("ascii"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
