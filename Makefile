SHELL := /bin/bash
PYTHON ?= python3

.PHONY: bench test demo demo-build demo-reset screenshots i18n lint engine-test quick-test pytest-odoo clean

# Every test: engine unit tests, linters, and the Odoo suite on a private PostgreSQL.
test:
	$(PYTHON) tools/run_tests.py

# The addon running with demo data on http://127.0.0.1:8069 (admin / admin).
demo:
	$(PYTHON) tools/demo_db.py serve

# Build the demo database without serving it.
demo-build:
	$(PYTHON) tools/demo_db.py build

# Drop the demo database; the next `make demo` builds it again.
demo-reset:
	$(PYTHON) tools/demo_db.py reset

# Every picture of the app-store page (static/description/), taken again from the demo
# database in headless Chromium (tools/store_screens.py lists the screens).
screenshots:
	$(PYTHON) tools/make_screenshots.py

# Refresh i18n/account_late_payment.pot and merge it into i18n/fr.po.
i18n:
	"$$($(PYTHON) tools/devenv.py)" tools/i18n_check.py

# Only the fast part: engine unit tests and linters, no Odoo.
engine-test:
	py="$$($(PYTHON) tools/devenv.py)" && cd tests_engine && "$$py" -m pytest -q

# Developers' fast loop: update the addon in a kept database and run the tests in TESTS.
quick-test:
	$(PYTHON) tools/dev_test.py

# The Odoo tests run by pytest (pytest-odoo) in the database `make quick-test` keeps (run that
# first); ARGS are pytest's, e.g. ARGS="tests/test_figures.py -x". Not a part of `make test`.
pytest-odoo:
	$(PYTHON) tools/run_pytest_odoo.py $(ARGS)

lint:
	py="$$($(PYTHON) tools/devenv.py)" && "$$py" -m ruff check . && "$$py" -m pylint --rcfile=.pylintrc .

clean:
	-$(PYTHON) -c 'import sys; sys.path.insert(0, "tools"); import pgcluster, odoo_env; pgcluster.Cluster(odoo_env.BUILD / "pg").stop()'
	rm -rf .build

# The follow-up at scale beside OCA's credit control (N customers, default 10,000, and N/10):
# prints the table and writes bench/RESULTS.md. About 5 minutes at the default size on 2 cores.
bench:
	$(PYTHON) tools/bench.py $(if $(N),--customers $(N))
