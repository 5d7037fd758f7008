# Two commands for a fresh clone: `make demo` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO ?= demo-workspace
YEAR ?= 2026

.PHONY: demo test lint bench mutation clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The annual cycle on a pretend clock: reminders a week before the 05/11 cutoff, then the units
# record the decisions taken 01–10/11, then the consolidation on 16/11. Re-running it runs 16/11
# again (the clock does not go back to before the decisions), which writes and sends nothing.
demo: $(BIN)/.installed
	@if [ ! -d $(DEMO) ]; then \
	  $(BIN)/mohinh init $(DEMO) --demo --today $(YEAR)-10-29 && \
	  { $(BIN)/mohinh run --once --workspace $(DEMO) --today $(YEAR)-10-29 || test $$? -eq 1; } && \
	  $(BIN)/python -m worker.demo $(DEMO) --today $(YEAR)-11-10; \
	fi
	$(BIN)/mohinh run --once --workspace $(DEMO) --today $(YEAR)-11-16 || test $$? -eq 1
	@echo "Kết quả: $(DEMO)/units/*.xlsx (tab Kết quả), $(DEMO)/outbox/*.eml, $(DEMO)/reports/"
	@echo "Chạy lại: $(BIN)/mohinh run --once --workspace $(DEMO) --today 16/11/$(YEAR)"

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy worker jobs notifications
	$(BIN)/lint-imports --no-cache

test: lint
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python bench/cycle.py
	$(BIN)/python bench/sheets_api.py

# Mutation testing of the core (mutmut, configured in pyproject.toml): 1,775 mutants, about five
# minutes on two cores, so apart from `make test` and CI. Starts afresh, then prints the scores
# per module and every mutant not caught that docs/mutation-equivalents.md does not explain.
MUTATION_JOBS ?= 2
mutation: $(BIN)/.installed
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS)
	$(BIN)/python bench/mutation_scores.py

clean:
	rm -rf $(VENV) $(DEMO) mutants
