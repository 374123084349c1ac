"""Templates stay valid HTML: htmx attributes are written data-hx-*."""

import re
from pathlib import Path

from django.conf import settings

BARE_HTMX = re.compile(r"(?<![\w-])hx-[a-z-]+=")


def test_htmx_attributes_are_data_attributes():
    offenders = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if BARE_HTMX.search(line):
                offenders.append(f"{path.name}:{number}")
    assert offenders == []
