"""The rules of the domain, in plain Python: no `odoo` import, no recordset, no database.

models/ reads the database in batches, hands plain values (dates, amounts, histories) to the
functions here, and writes their decisions back. Every rule lives here once, with fast unit
tests in tests_engine/ that run without Odoo.
"""
