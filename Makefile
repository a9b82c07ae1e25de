# Set-up contract: `make demo` and `make test` each do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install bench app browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/coalitionlab demo --out report

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

# The web app's end-to-end tests drive Debian's Chromium (never a browser downloaded by a test tool).
# Installed here when absent and when apt-get can run; otherwise those tests skip with the reason
# (and fail when COALITIONLAB_REQUIRE_BROWSER=1, as in CI).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "could not install chromium: the browser tests will skip"; \
	else echo "no /usr/bin/chromium and no way to install it here: the browser tests will skip"; fi

app: $(STAMP)
	$(BIN)/coalitionlab app --port 8765

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Mutation testing of the core modules with mutmut (slow, never in CI): `make mutation` runs every module of
# tools/mutation/modules.toml, `make mutation MODULES=measures/ties.py,bargaining/offers.py` only those;
# a module whose source and tests did not change is not rerun (FORCE=1 reruns). See docs/development/mutation.md.
MUTATION_STAMP := $(VENV)/.installed-mutation
$(MUTATION_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,mutation]'
	touch $(MUTATION_STAMP)

.PHONY: mutation
mutation: $(MUTATION_STAMP)
	$(BIN)/python tools/mutation/run.py --modules '$(MODULES)' --jobs $(or $(JOBS),2) $(if $(FORCE),--force)

clean:
	rm -rf $(VENV) report .pytest_cache .mutation
