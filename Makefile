# swift-dht — the two commands a fresh machine needs:
#   make demo   set up, build, and run a small swarm of dhtnode daemons on loopback (put/get, providers, lookups)
#   make test   set up, build, and run every test
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libsodium-dev libssl-dev pkg-config
NODES ?= 2000
LOOKUPS ?= 200
FUZZ_SECONDS ?= 60

.PHONY: deps build release test demo web-demo simulate-demo bench bench-daemon clean

# Installs the system libraries when they are missing; as non-root, prints the command and fails.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing system packages:$$missing"; \
	    echo "run: sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build

# dhtnode links the Swift runtime and Foundation statically, with lld, packed relative relocations (DT_RELR, glibc
# 2.36 or later) and without exporting its own symbols: fewer pages mapped at start (docs/BENCHMARKS.md, "Daemon:
# idle RSS": 41 to 31 MiB). The scripts in Benchmarks/ build through this target, so .build holds one configuration.
RELR_FLAGS := $(shell getconf GNU_LIBC_VERSION 2>/dev/null | awk '{ split($$2, v, "."); \
	if (v[1] > 2 || (v[1] == 2 && v[2] >= 36)) print "-Xlinker -z -Xlinker pack-relative-relocs" }')
RELEASE_FLAGS := -c release --product dhtnode --static-swift-stdlib -Xswiftc -use-ld=lld \
	-Xlinker --no-export-dynamic $(RELR_FLAGS)

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# Tests run optimized (with @testable imports enabled): the simulator tests drive thousands of nodes, and the
# optimized code is what the benchmarks measure.
TEST_FLAGS := --scratch-path .build-test -c release -Xswiftc -enable-testing

test: deps
	$(SWIFT) build --build-tests $(TEST_FLAGS)
	$(SWIFT) test --skip-build $(TEST_FLAGS)

# A bootstrap node and 5 peers, each its own `dhtnode run` process on 127.0.0.1; every process is stopped at the end.
demo: release
	scripts/demo-swarm.sh .build/release/dhtnode

# The browser speed test: an HTTP origin against the gateway, timed by the page (examples/web/run.sh).
web-demo: release
	examples/web/run.sh .build/release/dhtnode

# The earlier demo: a simulated DHT of NODES nodes in one process.
simulate-demo: release
	.build/release/dhtnode simulate --nodes $(NODES) --lookups $(LOOKUPS)

bench: release
	Benchmarks/simulate.sh

# The idle daemon's RSS in a small local swarm (docs/BENCHMARKS.md).
bench-daemon: release
	Benchmarks/daemon-rss.sh .build/release/dhtnode

clean:
	rm -rf .build .build-test

# Builds the libFuzzer harnesses in Fuzz/ and runs each for FUZZ_SECONDS; fails if any input crashes one.
.PHONY: fuzz
fuzz: deps
	SWIFT="$(SWIFT)" Fuzz/run.sh $(FUZZ_SECONDS)
