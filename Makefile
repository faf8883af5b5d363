# volunteer-bot — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint sandbox clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,sandbox]'
	touch $(STAMP)

# Real Telegram when BOT_TOKEN is set; otherwise the bot against the local sandbox.
run: $(STAMP)
	@if [ -n "$$BOT_TOKEN" ]; then \
		$(BIN)/volunteer-bot run; \
	else \
		$(BIN)/volunteer-bot sandbox --with-bot; \
	fi

# On every core (pytest-xdist); PYTEST_ARGS="-n 0" runs it in one process.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check bot handlers storage sandbox telegram_html tests bench
	$(BIN)/ruff format --check --quiet bot handlers storage sandbox telegram_html tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
