"""The upgrade path, checked by `make test`: `-u account_late_payment` on the demo database
keeps every record and every setting.

Before and after the update, from PostgreSQL:
- every record of the addon's models (their ids, per model; SQL views and wizards aside);
- every record the addon gave an XML id (per model), and their ids;
- the values of the addon's stored fields on Odoo's models (`late_payment_*` on res.company,
  res.partner, account.move, ...): the companies' settings value by value, the other models'
  values as one fingerprint per field;
- the addon's system parameters (`account_late_payment.*`) and the defaults (ir.default) of
  its fields.
Anything missing or changed afterwards fails the check.

Until a release exists (PREVIOUS_RELEASE is None), the demo database is the one `make test`
just built with this checkout, marked as installed at PREVIOUS_VERSION (the same data shape),
so that the update runs the migration scripts of migrations/ after it (what an administrator's
`-u` after replacing the code does). Once a release exists, set PREVIOUS_RELEASE to its git tag:
the demo database is then built with that release's code (its data shape) and updated.
"""

import os
import re
import subprocess
from pathlib import Path

import demo_db
import odoo_env

MODULE = odoo_env.MODULE
REPO = odoo_env.REPO
PREVIOUS_VERSION = "19.0.1.0.0"  # the version an update comes from: its migrations/ scripts run
PREVIOUS_RELEASE = None  # its git tag, once released (e.g. "v19.0.1.0.0")
MIGRATION_RUN = re.compile(rf"module {MODULE}: Running migration (\S+) (\S+)")


def snapshot(cluster, dbname):
    """{key: fingerprint} of the addon's records and settings in `dbname`, and its figures."""

    def rows(sql):
        out = cluster.psql(sql, dbname)
        return [line.split("|") for line in out.splitlines() if line]

    def table_of(model):
        table = model.replace(".", "_")
        kind = cluster.psql(f"SELECT relkind FROM pg_class WHERE relname = '{table}' "
                            "AND relnamespace = 'public'::regnamespace", dbname)
        return table if kind == "r" else None

    state = {}
    # the addon's own models: their records
    # (named late.payment.*: the ir.model XML ids of the addon also name the models it extends)
    models = [m for (m,) in rows(
        "SELECT model FROM ir_model WHERE model LIKE 'late.payment.%' AND NOT transient ORDER BY model")]
    records = 0
    tables = 0
    for model in models:
        table = table_of(model)
        if not table:
            continue  # an SQL view (analysis): no records of its own
        ids = frozenset(cluster.psql(f"SELECT id FROM {table}", dbname).split())
        state[f"records of {model}"] = ids
        records += len(ids)
        tables += 1
    # every record with an XML id of the addon
    for model, xmlids in rows(
            "SELECT model, string_agg(name || '=' || res_id, ' ') "
            f"FROM ir_model_data WHERE module = '{MODULE}' GROUP BY model ORDER BY model"):
        state[f"XML ids on {model}"] = frozenset(xmlids.split())
    # the addon's stored fields on Odoo's models
    settings = 0
    for model, field in rows(
            "SELECT f.model, f.name FROM ir_model_fields f JOIN ir_model_data d ON d.model = 'ir.model.fields' "
            f"AND d.res_id = f.id AND d.module = '{MODULE}' JOIN ir_model m ON m.id = f.model_id "
            "WHERE f.store AND NOT m.transient AND f.ttype NOT IN ('one2many', 'many2many') "
            f"AND f.model NOT IN ({', '.join(repr(m) for m in models) or 'NULL'}) ORDER BY f.model, f.name"):
        table = table_of(model)
        if field == "id" or not table or not cluster.psql(
                f"SELECT 1 FROM information_schema.columns WHERE table_name = '{table}' AND column_name = '{field}'",
                dbname):
            continue
        if model == "res.company":
            for company, value in rows(f"SELECT id, coalesce(md5({field}::text), 'null') FROM res_company ORDER BY id"):
                state[f"setting {field} of company {company}"] = value
                settings += 1
        else:
            count, values = rows(f"SELECT count({field}), md5(coalesce(string_agg(id || ':' || {field}::text, ',' "
                                 f"ORDER BY id), '')) FROM {table} WHERE {field} IS NOT NULL")[0]
            state[f"values of {model}.{field}"] = f"{count} ({values})"
    for key, value in rows(f"SELECT key, md5(value) FROM ir_config_parameter WHERE key LIKE '{MODULE}.%' ORDER BY key"):
        state[f"system parameter {key}"] = value
        settings += 1
    for default_id, field, value in rows(
            "SELECT def.id, f.model || '.' || f.name, md5(coalesce(def.json_value, '')) FROM ir_default def "
            "JOIN ir_model_fields f ON f.id = def.field_id JOIN ir_model_data d ON d.model = 'ir.model.fields' "
            f"AND d.res_id = f.id AND d.module = '{MODULE}' ORDER BY def.id"):
        state[f"default {default_id} of {field}"] = value
        settings += 1
    return state, {"records": records, "models": tables, "settings": settings}


def previous_release_addons(tmp):
    """An addons folder holding PREVIOUS_RELEASE's code under the addon's name."""
    folder = Path(tmp) / "previous-release" / MODULE
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", PREVIOUS_RELEASE], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder.parent


def check(odoo_bin, cluster, cfg, dbname, log, tally, tmp):
    """Update the addon in `dbname` (the demo database) and compare; report in `tally`."""
    Path(log).write_text("")
    label = "upgrade: -u on the demo database"
    if PREVIOUS_RELEASE:
        # the demo database of the previous release: its code builds it, this checkout updates it
        previous_cfg = Path(tmp) / "previous.cfg"
        path = ",".join(filter(None, [str(previous_release_addons(tmp)), os.environ.get("ODOO_ADDONS_PATH")]))
        previous_cfg.write_text("".join(f"addons_path = {path}\n" if line.startswith("addons_path") else line
                                        for line in Path(cfg).read_text().splitlines(keepends=True)))
        dbname = "lp_previous"
        if demo_db.build(odoo_bin, previous_cfg, dbname, log):
            tally.problem(f"{label}: building the demo database of {PREVIOUS_RELEASE} failed (see {log})")
            tally.failed += 1
            return
        label = f"upgrade: {PREVIOUS_RELEASE} -> this checkout on the demo database"
    before, figures = snapshot(cluster, dbname)
    version = cluster.psql(f"SELECT latest_version FROM ir_module_module WHERE name = '{MODULE}'", dbname)
    if not PREVIOUS_RELEASE and PREVIOUS_VERSION and version != PREVIOUS_VERSION:
        # built with this checkout: installed "at the previous version", the scripts after it run
        cluster.psql(f"UPDATE ir_module_module SET latest_version = '{PREVIOUS_VERSION}' WHERE name = '{MODULE}'",
                     dbname)
        version = PREVIOUS_VERSION
    with open(log, "a") as out:
        out.write(f"\n# {label}: installed version {version}\n")
    rc = demo_db.odoo(odoo_bin, cfg, ["-d", dbname, "-u", MODULE, "--stop-after-init"], log)
    text = Path(log).read_text(errors="replace")
    text = text[text.rindex(f"# {label}"):]
    bad = [line for line in text.splitlines() if re.search(r" (ERROR|CRITICAL) ", line)]
    if rc or bad:
        tally.problem(f"{label}: the update failed (exit {rc}; {len(bad)} ERROR lines; see {log})")
        tally.failed += 1
        return
    after, _figures = snapshot(cluster, dbname)
    # records may be added by an update, never lost; values and settings stay as they were
    lost = [key for key in before if key not in after
            or (isinstance(before[key], frozenset) and not before[key] <= after[key])]
    changed = [key for key in before if key in after and not isinstance(before[key], frozenset)
               and after[key] != before[key]]
    scripts = [f"{v} {name}" for v, name in MIGRATION_RUN.findall(text)]
    ran = f"; migration scripts run: {', '.join(scripts)}" if scripts else "; no migration script to run"
    if lost or changed:
        for key in lost:
            missing = sorted(before[key] - after.get(key, frozenset())) if isinstance(before[key], frozenset) else ""
            tally.problem(f"{label}: lost {key} {' '.join(missing[:10])}")
        for key in changed:
            tally.problem(f"{label}: changed {key}: {before[key]} -> {after[key]}")
        tally.failed += 1
        print(f"== {label}: LOST or CHANGED {len(lost) + len(changed)} of {len(before)} checks (log: {log})",
              flush=True)
        return
    tally.passed += 1
    final = cluster.psql(f"SELECT latest_version FROM ir_module_module WHERE name = '{MODULE}'", dbname)
    print(f"== {label}: kept {figures['records']} records of {figures['models']} models and "
          f"{figures['settings']} settings ({len(before)} checks; {version} -> {final}{ran})", flush=True)
