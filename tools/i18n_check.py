#!/usr/bin/env python3
"""Translations: every user-facing term of the addon is in i18n/fr.po, translated.

Odoo logs nothing for a missing translation, so the terms are exported fresh from a database
where the addon is installed and compared with the files of the repository.

`make i18n` (this file run as a script) refreshes i18n/account_late_payment.pot from such an
export and merges it into i18n/fr.po, keeping every translation already there; the terms
still to translate are listed (and left with an empty msgstr, which `make test` refuses).
"""

import shutil
import sys
import tempfile
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).resolve().parent))

import odoo_env

REPO = odoo_env.REPO
MODULE = odoo_env.MODULE
POT = REPO / "i18n" / f"{MODULE}.pot"
FR = REPO / "i18n" / "fr.po"


def export(odoo_bin, cfg, dbname, folder):
    """Export the addon's terms from `dbname` into a .pot file; return its polib object."""
    from demo_db import odoo

    target = Path(folder) / "export.pot"
    log = Path(folder) / "i18n-export.log"
    odoo(odoo_bin, cfg, ["i18n", "export", "-d", dbname, "-o", str(target), MODULE], log)
    if not target.exists():
        raise RuntimeError(f"the terms could not be exported: see {log}")
    return polib.pofile(str(target))


def _key(entry):
    return (entry.msgctxt or "", entry.msgid)


def missing_translations(exported, po):
    translated = {_key(e) for e in po if e.msgstr and "fuzzy" not in e.flags and not e.obsolete}
    return sorted({e.msgid for e in exported if e.msgid and _key(e) not in translated})


def check(odoo_bin, cfg, dbname, folder, tally):
    exported = export(odoo_bin, cfg, dbname, folder)
    if not FR.exists():
        tally.problem("i18n/fr.po is missing")
        return
    missing = missing_translations(exported, polib.pofile(str(FR)))
    stale = []
    if POT.exists():
        in_pot = {_key(e) for e in polib.pofile(str(POT))}
        stale = sorted({e.msgid for e in exported if e.msgid and _key(e) not in in_pot})
    else:
        stale = [f"(no i18n/{MODULE}.pot)"]
    for msgid in missing:
        tally.problem(f"i18n: not translated in i18n/fr.po: {msgid[:100]!r}")
    if stale:
        tally.problem(f"i18n: i18n/{MODULE}.pot is out of date ({len(stale)} new terms): run `make i18n`")
    if not missing and not stale:
        print(f"== i18n: {len(exported)} terms exported, all translated in i18n/fr.po", flush=True)


def merge(exported):
    """Write the .pot and merge it into fr.po, keeping the translations already there."""
    exported.save(str(POT))
    old = polib.pofile(str(FR)) if FR.exists() else polib.POFile()
    known = {_key(e): e for e in old}
    fr = polib.POFile(wrapwidth=78)
    fr.metadata = dict(old.metadata or exported.metadata)
    fr.metadata["Language"] = "fr"
    fr.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
    fr.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    todo = []
    for entry in exported:
        previous = known.get(_key(entry))
        entry.msgstr = previous.msgstr if previous else ""
        if not entry.msgstr:
            todo.append(entry.msgid)
        fr.append(entry)
    fr.save(str(FR))
    return todo


def main():
    import demo_db
    import pgcluster

    odoo_bin = odoo_env.find_odoo()
    if not odoo_bin:
        sys.exit("No Odoo 19 found. " + odoo_env.HOW_TO_POINT)
    odoo_env.check_version(odoo_bin)
    tmp = Path(tempfile.mkdtemp(prefix="lp-i18n-"))
    tmp.chmod(0o755)  # the PostgreSQL server runs as an unprivileged user
    cluster = pgcluster.Cluster(tmp / "pg")
    try:
        cluster.init()
        cluster.start()
        cfg = demo_db.write_config(tmp / "odoo.cfg", cluster, odoo_bin, data_dir=tmp / "filestore",
                                   http_port=pgcluster.free_port())
        log = tmp / "install.log"
        if demo_db.odoo(odoo_bin, cfg, ["-d", "lp_i18n", "-i", MODULE, "--without-demo", "--stop-after-init"], log):
            sys.exit(f"install failed:\n{log.read_text()[-3000:]}")
        todo = merge(export(odoo_bin, cfg, "lp_i18n", tmp))
    finally:
        cluster.remove()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"wrote {POT.relative_to(REPO)} and merged {FR.relative_to(REPO)}")
    if todo:
        print(f"{len(todo)} term(s) to translate in i18n/fr.po:")
        for msgid in todo:
            print(f"  {msgid[:120]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
