# volunteer-bot — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint sandbox clean font

# the CJK font the service-record certificates embed ([recognition] certificate_font):
# Debian's fonts-wqy-microhei, installed when missing and apt is at hand as root;
# otherwise a hint (the certificates refuse kindly, and their tests say what is missing)
FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
font:
	@test -f $(FONT) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		apt-get install -y -qq fonts-wqy-microhei >/dev/null; } || \
		echo "note: no CJK font at $(FONT): sudo apt-get install fonts-wqy-microhei" >&2

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,sandbox]'
	touch $(STAMP)

# Real Telegram when BOT_TOKEN is set; otherwise the bot against the local sandbox.
run: $(STAMP) font
	@if [ -n "$$BOT_TOKEN" ]; then \
		$(BIN)/volunteer-bot run; \
	else \
		$(BIN)/volunteer-bot sandbox --with-bot; \
	fi

# On every core (pytest-xdist); PYTEST_ARGS="-n 0" runs it in one process.
test: $(STAMP) font
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check bot handlers storage sandbox telegram_html tests bench
	$(BIN)/ruff format --check --quiet bot handlers storage sandbox telegram_html tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
