# Two commands on a fresh machine with Python 3.11 and make: `make run`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint openapi eval bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT)

lint: $(BIN)/.installed
	$(BIN)/ruff check app tests eval bench
	$(BIN)/ruff format --check app tests
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

openapi: $(BIN)/.installed
	$(BIN)/python -m app.openapi

eval: $(BIN)/.installed
	$(BIN)/python -m eval all

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

bench: $(BIN)/.installed
	$(BIN)/python -m bench --sizes 10000,100000 --json bench/out/result.json
