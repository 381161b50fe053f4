# The two contract commands are `make run` and `make test` (see README.md).
.PHONY: setup run test lint test-fast build ui portal portal-stop benchmark fuzz

setup:
	@bash scripts/setup.sh

run: setup
	@bash scripts/run.sh

test: setup lint
	@.venv/bin/python -m pytest

lint: setup
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

test-fast: setup
	@.venv/bin/python -m pytest -m "not services"

build: setup
	@.venv/bin/rendicion build $(wildcard reports/*.txt reports/*.pdf)

ui: setup
	@bash scripts/ui.sh

portal:
	@bash portal/start.sh

portal-stop:
	@bash portal/stop.sh

benchmark: setup
	@.venv/bin/python scripts/benchmark.py

fuzz: setup
	@.venv/bin/python scripts/fuzz.py
