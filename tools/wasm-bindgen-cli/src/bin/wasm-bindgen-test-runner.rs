//! `wasm-bindgen-test-runner` at exactly the pinned wasm-bindgen version (cargo's runner for wasm32 tests).
fn main() {
    if let Err(error) = wasm_bindgen_cli::wasm_bindgen_test_runner::run_cli_with_args(std::env::args_os()) {
        eprintln!("error: {error:?}");
        std::process::exit(1);
    }
}
