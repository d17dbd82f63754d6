# Lantern — developer entry points. `make run` and `make test` work on a fresh machine: they install what
# is missing first (apt and pip, idempotent; needs root or sudo for apt).
SHELL := /bin/bash
SWIFT ?= swift
BUILD_DIR ?= .build
BIN := $(BUILD_DIR)/debug/lantern
FUZZ_SECONDS ?= 20

.PHONY: all deps test-deps build build-release run run-debug test test-swift test-python test-e2e fuzz fuzz-long bench bench-dicomweb bench-client format lint dictionary clean

all: build

deps:
	@Scripts/install-deps.sh

test-deps:
	@Scripts/install-deps.sh --test

build: deps
	$(SWIFT) build --product lantern

build-release: deps
	$(SWIFT) build -c release --product lantern

## Starts the server on embedded defaults: http://127.0.0.1:8080/dicomweb, data in ./lantern-data. A release
## build (a debug build is several times slower, and a first benchmark would measure it): `make run-debug`.
run: build-release
	$(BUILD_DIR)/release/lantern serve

run-debug: build
	$(BIN) serve

## Every test: Swift unit and corpus tests, the Python corpus comparison against pydicom, a short fuzz run.
test: test-deps
	$(SWIFT) build --build-tests
	FUZZ_SECONDS=$(FUZZ_SECONDS) LANTERN_BIN=$(BIN) Scripts/test.sh

test-swift:
	$(SWIFT) test --skip-build --parallel

test-python:
	LANTERN_BIN=$(BIN) python3 -m pytest -q Tests/python Tests/e2e Tests/system

## End-to-end: starts `lantern serve` and drives it with dicomweb-client (Tests/e2e/README.md).
test-e2e: test-deps
	LANTERN_BIN=$(BIN) python3 -m pytest -q -p no:cacheprovider Tests/e2e

fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} Scripts/fuzz.sh long

bench: test-deps
	Scripts/bench.sh

## DICOMweb server against Orthanc with ../shared/bench (docs/benchmarks.md); about 25 minutes.
bench-dicomweb: test-deps
	Benchmarks/dicomweb/run.sh

## `lantern import` against the server's STOW ceiling measured by ../shared/bench (docs/benchmarks.md).
bench-client: test-deps
	Benchmarks/client/run.sh

format:
	swift format -i -r --configuration .swift-format Sources Tests Package.swift

lint:
	swift format lint -r --configuration .swift-format Sources Tests

dictionary:
	python3 Scripts/generate-dictionary.py

clean:
	rm -rf $(BUILD_DIR) .build-fuzz
