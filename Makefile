# Thin wrapper over CMake. `make run` and `make check` are the two commands a
# newcomer types; both install what is missing first.
BUILD    ?= build
JOBS     ?= $(shell nproc)
CMAKE_FLAGS ?=
# /usr, where the unit and the .deb expect cardd (CMakeLists.txt).
PREFIX ?= /usr
ifeq ($(CI),true)
CMAKE_FLAGS += -DCARDD_WERROR=ON
endif

.PHONY: all deps configure build check sanitize reliability bench package run clean

all: build

deps:
	@bash scripts/deps.sh

configure: deps
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

check: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --no-tests=error

# The suites again under AddressSanitizer and UndefinedBehaviorSanitizer,
# and the threaded parts under ThreadSanitizer, in $(BUILD)/asan and
# $(BUILD)/tsan; any sanitizer report fails it (scripts/sanitizers.sh).
sanitize: deps
	SANITIZE_BUILD=$(BUILD) JOBS=$(JOBS) bash scripts/sanitizers.sh

# The crash-consistency suite with its full count of kills on each backend
# (`make check` runs it with 8); the tests' timeout follows the count.
CRASH_KILLS ?= 200
reliability: build
	CARDD_CRASH_KILLS=$(CRASH_KILLS) ctest --test-dir $(BUILD) --output-on-failure -L reliability --no-tests=error

# Speed against bare baselines measured in the same run (bench/): a Release
# build of what the benchmarks run, the suite, its table and results, the plot.
RELEASE ?= build/release
BENCH_RESULTS ?= build/bench/results.json
bench: deps
	cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)
	cmake --build $(RELEASE) -j $(JOBS) --target bench_binaries
	/usr/bin/python3 bench/run.py --results $(BENCH_RESULTS) $(RELEASE)/bin
	/usr/bin/python3 bench/plot.py $(BENCH_RESULTS) docs

# The Debian package, built by CPack (systemd/deb/cpack.cmake) into $(BUILD).
package: build
	cd $(BUILD) && cpack -G DEB
	@echo "package: $$(ls -t $(BUILD)/cardd_*.deb | head -n 1)"

clean:
	rm -rf $(BUILD)

run: build
	@bash scripts/run.sh
