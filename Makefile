# dtap — top-level entry points. The real build is CMake (CMakeLists.txt).
PREFIX   ?= /usr/local
BUILD    ?= build
JOBS     ?= $(shell nproc)
STAGE    := $(abspath $(BUILD))/stage
DEPS_OK  := $(BUILD)/.deps-ok

.PHONY: all deps build build-tests test unit bats install demo models bench clean

all: build

# Debian packages (apt-get as root, sudo otherwise); re-checked when the list changes.
$(DEPS_OK): scripts/install-deps.sh
	./scripts/install-deps.sh
	@mkdir -p $(BUILD) && touch $@

deps:
	./scripts/install-deps.sh
	@mkdir -p $(BUILD) && touch $(DEPS_OK)

$(BUILD)/CMakeCache.txt: $(DEPS_OK) CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

# The programs only (what make demo and make install need); the tests and
# their helpers are built by build-tests (make test).
build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target dtap-programs

build-tests: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# BATS tests run the installed layout (bin/, share/dtap, man/), staged inside the build folder.
$(STAGE)/.stamp: build
	cmake --install $(BUILD) --prefix $(STAGE) >/dev/null
	@touch $@

unit: build-tests
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bats: $(STAGE)/.stamp build-tests
	DTAP_STAGE=$(STAGE) DTAP_BUILD=$(abspath $(BUILD)) bats tests/bats

test: unit bats

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

demo: $(STAGE)/.stamp
	DTAP_STAGE=$(STAGE) ./scripts/demo.sh

# Retrains the shipped models (share/dtap/models) with fixed seeds: readers, then the generator.
models: build
	DTAP_BIN=$(abspath $(BUILD))/bin ./scripts/train-readers.sh
	DTAP_BIN=$(abspath $(BUILD))/bin ./scripts/train-generator.sh

# Benchmarks print figures and ratios (not part of make test). They also run
# test helpers (score-annotate, attention-mass) from the build folder.
bench: $(STAGE)/.stamp build-tests
	export DTAP_BIN=$(STAGE)/bin DTAP_BUILD=$(abspath $(BUILD)); \
	bench/eval-baseline.sh && bench/annotate-quality.sh && bench/reader-quality.sh && \
	bench/attention-quality.sh && bench/protect-quality.sh && bench/protect-speed.sh

clean:
	rm -rf $(BUILD)
