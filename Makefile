# make run   - set up .venv, migrate, create the demo team and serve on http://$(HOST):$(PORT)/
# make test  - set up .venv with the dev extras and node_modules (and Chromium, gettext, redis-server and npm when
#              missing), run pytest $(PYTEST_ARGS)
# make messages - collect new strings into locale/{nl,sv}/LC_MESSAGES/django.po, then compile the .mo files
# Both honour HOST and PORT from the environment, e.g. `PORT=9000 make run`.

HOST ?= 127.0.0.1
PORT ?= 8000
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
MSGFMT := /usr/bin/msgfmt
REDIS_SERVER := /usr/bin/redis-server
NPM := /usr/bin/npm
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run test messages clean

run: export DEBUG := 1
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	@echo
	@echo "  Workspace:        http://$(HOST):$(PORT)/"
	@echo "  Widget demo page: http://$(HOST):$(PORT)/demo/"
	@echo "  Admin:            http://$(HOST):$(PORT)/admin/"
	@echo "  Log in as alice or bob (agents), carol (agent with Can listen in) or maria (manager);"
	@echo "  every password is: demo"
	@echo
	exec $(PY) -m helpdesk.serve -b $(HOST) -p $(PORT) --websocket_timeout 86400 helpdesk.asgi:application

# pytest's exit code shows in make's "Error N" line; make itself then exits with 2.
test: $(VENV)/.installed-dev node_modules/.installed $(CHROMIUM) $(MSGFMT) $(REDIS_SERVER)
	$(PY) -m pytest $(PYTEST_ARGS)

$(PY):
	$(PYTHON) -m venv $(VENV)

# The stamps are newer than pyproject.toml once its dependencies are installed.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install -e '.[dev]'
	touch $@ $(VENV)/.installed

# axe-core for the accessibility test (tests/e2e/test_accessibility.py), at the exact version package-lock.json names.
node_modules/.installed: package.json package-lock.json | $(NPM)
	$(NPM) ci --no-audit --no-fund
	touch $@

$(NPM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y npm

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

# Translate the new entries it reports (no empty msgstr, no fuzzy flag), then run it again to compile them.
messages: $(VENV)/.installed $(MSGFMT)
	$(PY) manage.py update_translations

# gettext: makemessages and compilemessages, and the test that the catalogues are complete and current.
$(MSGFMT):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y gettext

# tests/e2e/test_live_faults.py starts Redis servers of its own, on the embedded default too: only the binary.
$(REDIS_SERVER):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server

clean:
	rm -rf .pytest_cache test-results node_modules
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
