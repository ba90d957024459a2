#!/usr/bin/env bash
# GHL Bridge — set up, build, test, benchmark, demo and package, on a fresh Debian machine or a warm one.
#
#   ./build.sh            set up what is missing, build, run the demo
#   ./build.sh setup      install the toolchain pieces that are missing (idempotent)
#   ./build.sh build      build the wasm core and dist/chrome, dist/firefox (+ zips)
#   ./build.sh test       lint, build once, then run every test layer; ends with one summary line
#   ./build.sh lint       rustfmt, clippy -D warnings, ESLint and tsc only
#   ./build.sh bench      sizes, service-worker cold start, panel time-to-data, GHL request pacing
#   ./build.sh soak [N]   N random edits (default 500) under GHL faults, worker stops and a browser restart
#   ./build.sh demo       sandbox + Commusoft replica + Chromium with the extension
#   ./build.sh package    build and print the zips
#
# Only crates.io, npm, Debian and PyPI are used: no wasm-pack, no browser downloads.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WASM_TARGET=wasm32-unknown-unknown
PKG_DIR="$CARGO_TARGET_DIR/wasm-pkg"
DIST_DIR="$ROOT/dist"
TOOLS_BIN="$CARGO_TARGET_DIR/debug"
SANDBOX_BIN="$TOOLS_BIN/ghl-sandbox"
export PATH="$ROOT/node_modules/.bin:$PATH"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export FIREFOX_PATH="${FIREFOX_PATH:-/usr/bin/firefox-esr}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

pinned_wasm_bindgen() { sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml; }

# ---------------------------------------------------------------------------------------------- setup
setup_rust() {
  command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs), then run ./build.sh again."
  if ! rustc --print target-list >/dev/null 2>&1 || ! rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
    say "adding the Rust target $WASM_TARGET"
    rustup target add "$WASM_TARGET" || die "could not add $WASM_TARGET: run 'rustup target add $WASM_TARGET' by hand."
  fi
}

setup_wasm_bindgen() {
  local want; want="$(pinned_wasm_bindgen)"
  [ -n "$want" ] || die "Cargo.toml does not pin wasm-bindgen with '='."
  if [ ! -x "$TOOLS_BIN/wasm-bindgen" ] || [ "$("$TOOLS_BIN/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
    say "building the wasm-bindgen CLI $want from the lockfile (once; a few minutes)"
    cargo build --locked -p wasm-bindgen-cli-runner
  fi
  local got; got="$("$TOOLS_BIN/wasm-bindgen" --version)"
  [ "$got" = "wasm-bindgen $want" ] || die "wasm-bindgen CLI is '$got' but the crate is pinned to $want: keep tools/wasm-bindgen-cli in step."
}

setup_chromium() {
  if [ -x "$CHROMIUM_PATH" ] && [ -x "$CHROMEDRIVER" ]; then return; fi
  say "installing Debian's chromium and chromium-driver"
  if command -v apt-get >/dev/null && as_root true 2>/dev/null; then
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null \
      || die "apt-get could not install chromium and chromium-driver."
  else
    die "Chromium is missing: install the Debian packages 'chromium' and 'chromium-driver' (apt-get install chromium chromium-driver), or set CHROMIUM_PATH and CHROMEDRIVER."
  fi
  [ -x "$CHROMIUM_PATH" ] && [ -x "$CHROMEDRIVER" ] || die "chromium installed, but $CHROMIUM_PATH or $CHROMEDRIVER is missing."
}

# Debian's Firefox ESR for the Firefox end-to-end layer (driven over WebDriver BiDi; no browser download).
setup_firefox() {
  if [ -x "$FIREFOX_PATH" ]; then return; fi
  say "installing Debian's firefox-esr"
  if command -v apt-get >/dev/null && as_root true 2>/dev/null; then
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr >/dev/null \
      || die "apt-get could not install firefox-esr."
  else
    die "Firefox is missing: install the Debian package 'firefox-esr' (apt-get install firefox-esr), or set FIREFOX_PATH."
  fi
  [ -x "$FIREFOX_PATH" ] || die "firefox-esr installed, but $FIREFOX_PATH is missing."
}

setup_node() {
  command -v node >/dev/null && command -v npm >/dev/null \
    || die "Node.js 20+ and npm are missing: apt-get install nodejs npm (or use your distribution's Node 20+)."
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=15)?0:1)' \
    || die "Node.js $(node --version) is too old: 20.15 or newer is needed (zlib.crc32)."
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages from package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed: check that the npm registry is reachable."
  fi
}

setup() {
  setup_rust
  setup_node
  setup_chromium
  setup_firefox
  setup_wasm_bindgen
}

# ---------------------------------------------------------------------------------------------- build
# One wasm module of the core (see ARCHITECTURE.md, "Two wasm modules"): `records` loads at every worker start,
# `pages` (the options page's messages) on first use, so the module every cold start compiles stays small.
build_module() { # <out name> <cargo feature>
  cargo build --locked --release --target "$WASM_TARGET" -p ghl-bridge --lib --no-default-features --features "$2"
  "$TOOLS_BIN/wasm-bindgen" "$CARGO_TARGET_DIR/$WASM_TARGET/release/ghl_bridge.wasm" --out-name "$1" \
    --target web --out-dir "$PKG_DIR" --no-typescript --remove-name-section --remove-producers-section
  # npm binaryen (not Debian's 108, which corrupts the externref table of modern wasm-bindgen output).
  wasm-opt -Oz "$PKG_DIR/${1}_bg.wasm" -o "$PKG_DIR/${1}_bg.wasm"
  # The generated glue minified (exports and wasm import names are kept): a third of the module's budget is JS.
  terser "$PKG_DIR/$1.js" --module --compress --mangle --comments false -o "$PKG_DIR/$1.min.js"
  mv "$PKG_DIR/$1.min.js" "$PKG_DIR/$1.js"
}

build() {
  say "building the core for $WASM_TARGET (release): the records and pages modules"
  rm -rf "$PKG_DIR"
  build_module ghl_bridge records
  build_module ghl_bridge_pages pages
  say "building the GHL sandbox"
  cargo build --locked -p ghl-sandbox
  say "assembling dist/"
  node tools/build-extension.mjs "$PKG_DIR" "$DIST_DIR"
}

# ---------------------------------------------------------------------------------------------- test
SANDBOX_PID=""
stop_sandbox() { if [ -n "$SANDBOX_PID" ]; then kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true; SANDBOX_PID=""; fi; }

# Starts a sandbox for the wasm tests; sets SANDBOX_URL. It exits by itself when this script ends (stdin EOF).
start_sandbox() {
  local fifo out; fifo="$(mktemp -u)"; mkfifo "$fifo"; out="$(mktemp)"
  "$SANDBOX_BIN" --quiet --max-seconds 900 < "$fifo" > "$out" &
  SANDBOX_PID=$!
  exec 9>"$fifo"; rm -f "$fifo"
  for _ in $(seq 1 100); do [ -s "$out" ] && break; sleep 0.1; done
  SANDBOX_URL="$(sed -n 's/.*"http":"\([^"]*\)".*/\1/p' "$out" | head -n1)"
  rm -f "$out"
  [ -n "$SANDBOX_URL" ] || die "the GHL sandbox did not start."
}

PASSED=0; FAILED=0; LAYER_FAILED=0
count_cargo() { # prints "passed failed" summed over cargo's "test result:" lines
  grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' "$1" | awk '{p+=$4; f+=$6} END {print p+0, f+0}'
}
count_node() { # prints "passed failed" from node --test's "# pass N" / "# fail N"
  grep -oE '^# (pass|fail) [0-9]+' "$1" | awk '$2=="pass"{p+=$3} $2=="fail"{f+=$3} END {print p+0, f+0}'
}

run_layer() { # name, counter, command...
  local name="$1" counter="$2"; shift 2
  local log; log="$(mktemp)"
  say "test layer: $name"
  local status
  set +e
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  local counts passed failed
  counts="$($counter "$log")"; passed="${counts% *}"; failed="${counts#* }"
  PASSED=$((PASSED + passed)); FAILED=$((FAILED + failed))
  LAYER_SUMMARY+=("$name: $passed passed, $failed failed$([ "$status" = 0 ] || echo ' (the layer exited with an error)')")
  [ $status = 0 ] || LAYER_FAILED=1
  rm -f "$log"
}

count_checks() { # prints "passed failed" from lint()'s "check ok: …" / "check FAILED: …" lines
  grep -oE '^check (ok|FAILED):' "$1" | awk '$2=="ok:"{p++} $2=="FAILED:"{f++} END {print p+0, f+0}'
}

# The habits a newcomer expects, before any test: formatted, lint-free Rust and JavaScript, type-checked JS.
lint() {
  local status=0
  check() { local name="$1"; shift; if "$@"; then echo "check ok: $name"; else echo "check FAILED: $name"; status=1; fi; }
  check "rustfmt (cargo fmt --check)" cargo fmt --all -- --check
  check "clippy -D warnings (native)" cargo clippy --locked --workspace --exclude wasm-bindgen-cli-runner --all-targets -q -- -D warnings
  # Each wasm module on its own: code one of them leaves unused is a warning there.
  for feature in records pages; do
    check "clippy -D warnings (wasm32, $feature)" \
      cargo clippy --locked --target "$WASM_TARGET" -p ghl-bridge --lib --no-default-features --features "$feature" -q -- -D warnings
  done
  check "ESLint" eslint --max-warnings 0 .
  check "TypeScript (tsc --noEmit, checkJs)" tsc -p tsconfig.json
  return $status
}

test_all() {
  LAYER_SUMMARY=()
  run_layer "lint (rustfmt, clippy, ESLint, tsc)" count_checks lint
  build
  run_layer "native (cargo test)" count_cargo \
    cargo test --locked --workspace --exclude wasm-bindgen-cli-runner

  start_sandbox
  trap stop_sandbox EXIT
  run_layer "wasm (wasm-bindgen-test, service worker, headless Chromium)" count_cargo \
    env GHL_SANDBOX_URL="$SANDBOX_URL" CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$TOOLS_BIN/wasm-bindgen-test-runner" \
      WASM_BINDGEN_TEST_TIMEOUT=120 WASM_BINDGEN_TEST_DRIVER_TIMEOUT=30 \
      cargo test --locked --target "$WASM_TARGET" -p ghl-bridge --test wasm_fetch_transport
  stop_sandbox

  run_layer "end to end (Playwright, production manifest)" count_node \
    env DIST_DIR="$DIST_DIR" SANDBOX_BIN="$SANDBOX_BIN" node --test --test-concurrency=1 tests/e2e/

  run_layer "Firefox end to end (WebDriver BiDi, dist/firefox)" count_node \
    env DIST_DIR="$DIST_DIR" SANDBOX_BIN="$SANDBOX_BIN" node --test --test-concurrency=1 tests/firefox/

  printf '\n'
  for line in "${LAYER_SUMMARY[@]}"; do printf '  %s\n' "$line"; done
  [ "$LAYER_FAILED" = 0 ] || printf '  a test layer did not run to the end: see its output above\n'
  printf 'summary: %d passed, %d failed\n' "$PASSED" "$FAILED"
  [ "$FAILED" = 0 ] && [ "$LAYER_FAILED" = 0 ]
}

# ---------------------------------------------------------------------------------------------- main
command="${1:-all}"
case "$command" in
  setup) setup ;;
  build) setup; build ;;
  test) setup; test_all ;;
  lint) setup; lint ;;
  bench) setup; build; DIST_DIR="$DIST_DIR" SANDBOX_BIN="$SANDBOX_BIN" PKG_DIR="$PKG_DIR" node tools/bench.mjs
    DIST_DIR="$DIST_DIR" SANDBOX_BIN="$SANDBOX_BIN" node tools/bench-commonsku.mjs
    # The record reader: markup variants read, with and without the agent's pick; time on a large page.
    DIST_DIR="$DIST_DIR" SANDBOX_BIN="$SANDBOX_BIN" node tools/bench-reader.mjs
    # Request pacing against the sandbox's 100 / 10 s limit (about 75 s).
    cargo bench --locked --bench rate_limit 2>&1 | grep -v '^call failed'
    # Background sync of 500 linked contacts at 100 / 10 s (about four minutes).
    cargo bench --locked --bench background_refresh
    # Many browsers on one location for a simulated day under the background budget rule (instant).
    cargo bench --locked --bench quota_share
    # Long-running installs on a simulated clock, live against the sandbox: 50 browsers for a day (share of the daily
    # limit, 429s, panel loads) and one browser for a month (storage after 10,000 records, still working).
    cargo bench --locked --bench long_run
    # A data check of 500 linked records at 100 / 10 s while an agent opens panels (about four minutes).
    cargo bench --locked --bench data_check ;;
  soak) setup; build; DIST_DIR="$DIST_DIR" SANDBOX_BIN="$SANDBOX_BIN" node tools/soak.mjs "${2:-500}" ;;
  demo) setup; [ -f "$DIST_DIR/chrome/manifest.json" ] || build; DIST_DIR="$DIST_DIR" SANDBOX_BIN="$SANDBOX_BIN" node tools/demo.mjs ;;
  package) setup; build; ls -l "$DIST_DIR"/*.zip ;;
  all) setup; build; DIST_DIR="$DIST_DIR" SANDBOX_BIN="$SANDBOX_BIN" node tools/demo.mjs ;;
  -h|--help|help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$command' (try: setup, build, test, bench, soak, demo, package)" ;;
esac
