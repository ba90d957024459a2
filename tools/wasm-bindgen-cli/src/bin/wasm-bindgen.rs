//! `wasm-bindgen` at exactly the version of the `wasm-bindgen` crate we compile against.
fn main() {
    if let Err(error) = wasm_bindgen_cli::wasm_bindgen::run_cli_with_args(std::env::args_os()) {
        eprintln!("error: {error:?}");
        std::process::exit(1);
    }
}
