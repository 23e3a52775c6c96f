# Quickstart: `make demo` and `make test` on a fresh clone. Both create .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: demo test lint typecheck unit bench clean setup testdata

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch is installed first and pinned, so nothing pulls a CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[all,demo,dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/ptmvet demo --output ptmvet-report.html

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

# Pinned sdists of picklescan, fickling, modelscan and modelaudit (their test expectations make a
# labelled corpus for tests/scan/test_scan_peer_corpora.py). Offline, the fetch says so and those tests skip.
testdata: $(STAMP)
	$(BIN)/python -m tests.scan.peer_corpora fetch

unit: $(STAMP) testdata
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -p no:cacheprovider

test: lint unit

# Each script prints its figures and the peer it was measured against in the same run.
BENCHES := bench_check bench_cards bench_card_task bench_card_vet bench_scan bench_manifest bench_reproduce crosscheck_metrics bench_mine license_study

# The benches' peers (picklescan, modelscan, evaluate) come from the bench extra.
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install -q -e ".[all,demo,dev,bench]"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	set -e; for b in $(BENCHES); do echo "== bench/$$b.py"; HF_HUB_OFFLINE=1 $(BIN)/python bench/$$b.py; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
