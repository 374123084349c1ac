"""Compile locale/*/LC_MESSAGES/*.po into .mo files with Babel.

Django's compilemessages needs GNU gettext on the machine; Babel does the same
in pure Python, so a newcomer needs nothing beyond `make run`.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
