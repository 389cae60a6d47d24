# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test install setup clean browser-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Migrate, load the catalogue and the demo data set (idempotent), train the default model.
setup: install
	$(BIN)/hotline db upgrade
	$(BIN)/hotline demo
	$(BIN)/hotline model default --if-missing

run: setup
	$(BIN)/hotline serve

test: install
	$(BIN)/pytest -q $(PYTEST_ARGS)

# Debian's Chromium for the browser tests (tests/browser skip without it; Playwright never downloads one).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then echo "chromium: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "chromium missing and not root: browser tests will be skipped (apt-get install chromium)"; fi

clean:
	rm -rf $(VENV) var
