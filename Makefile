# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test install setup clean browser-deps test-deps

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

# Debian packages some tests use: Chromium (tests/browser), poppler-utils with poppler-data and a Chinese font (the PDF
# bulletin's checks), nginx (the deploy configuration's check). Each test skips when its tool is missing.
TEST_DEBS := chromium:/usr/bin/chromium poppler-utils:/usr/bin/pdftoppm poppler-data:/usr/share/poppler/cMap \
	fonts-wqy-microhei:/usr/share/fonts/truetype/wqy/wqy-microhei.ttc nginx:/usr/sbin/nginx
test-deps:
	@missing=""; for pair in $(TEST_DEBS); do [ -e "$${pair#*:}" ] || missing="$$missing $${pair%%:*}"; done; \
	if [ -z "$$missing" ]; then echo "test tools: all present"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "missing:$$missing (not root: the tests that need them will be skipped)"; fi

browser-deps: test-deps

clean:
	rm -rf $(VENV) var
