# The README's two commands: `make run` and `make test`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
TRANSLATIONS := participation/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))
export FLASK_APP := participation

.PHONY: install run test translations extract-messages update-translations db demo lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,prod]'
	@touch $(STAMP)

translations: install $(MO_FILES)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS) -l $*

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _lp:1c,2 -k lazy_pgettext:1c,2 --ignore-dirs '.* .venv node_modules' -o $(TRANSLATIONS)/messages.pot --no-location --sort-output .

update-translations: extract-messages
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete

db: install
	mkdir -p instance
	$(BIN)/participation db upgrade

demo: db
	$(BIN)/participation demo

run: translations demo
	$(BIN)/participation run --host $(HOST) --port $(PORT)

test: translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check participation tests $(wildcard bench)
	$(BIN)/ruff format --check participation tests $(wildcard bench)

clean:
	rm -rf $(VENV) instance/participation.sqlite* .pytest_cache
