# market-news: every command a user or CI needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv demo test lint bench soak up lock clean eval

help:  ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@echo "Installing the pinned requirements into $(VENV)/ (first time: a few minutes)" >&2
	@$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt
	@$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)  ## Create .venv/ from the pinned requirements (done by every target when missing)

demo: $(STAMP)  ## Run the pipeline once through Airflow over the bundled sample feeds (dry-run Slack)
	@$(BIN)/python -m market_news.demo

test: $(STAMP)  ## Run the whole test suite
	@$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

eval: $(STAMP)  ## Extraction precision / recall / F1 over the labelled fixtures
	@$(BIN)/python -m market_news.extract.evaluate

bench: $(STAMP)  ## Benchmarks, each figure beside a naive baseline
	@$(BIN)/python -m bench

soak: $(STAMP)  ## One simulated hour on loopback: 200 feeds, 20,000 entries, 5% broken; loss check
	@$(BIN)/python -m bench.soak

up: $(STAMP)  ## Airflow standalone with this project's DAGs and plugins, UI on http://localhost:8080
	@$(BIN)/python -m market_news.devserver

lock:  ## Re-resolve requirements.txt from requirements.in
	$(BIN)/uv pip compile requirements.in --python-version 3.11 -o requirements.txt

clean:  ## Remove the environment and local data
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
