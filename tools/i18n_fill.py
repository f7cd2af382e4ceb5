#!/usr/bin/env python3
"""Write French translations into i18n/fr.po from a JSON object {msgid: msgstr}.

    .../venv/bin/python tools/i18n_fill.py translations.json

Only empty msgstr are filled (pass --force to overwrite); prints what is still untranslated.
"""

import json
import sys
from pathlib import Path

import polib

FR = Path(__file__).resolve().parent.parent / "i18n" / "fr.po"


def main():
    force = "--force" in sys.argv
    paths = [a for a in sys.argv[1:] if a != "--force"]
    if not paths:
        sys.exit(__doc__)
    table = json.loads(Path(paths[0]).read_text())
    po = polib.pofile(str(FR), wrapwidth=78)
    for entry in po:
        if entry.msgid in table and (force or not entry.msgstr):
            entry.msgstr = table[entry.msgid]
    po.save(str(FR))
    left = [e.msgid for e in po if not e.msgstr]
    for msgid in left:
        print(f"untranslated: {msgid!r}")
    print(f"{len(po)} terms, {len(left)} untranslated")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
