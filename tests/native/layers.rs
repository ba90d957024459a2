//! The core's layers point one way (ARCHITECTURE.md): a file may use its own layer and the ones below it, never
//! one above. Read from the source text, so a new upward `use` fails here before review.

use std::fs;
use std::path::Path;

/// Layers from the bottom; a top-level folder or file of `src/` names its layer.
const LAYERS: &[&[&str]] = &[&["platform"], &["ghl"], &["hosts", "links", "mapping"], &["outbox"], &["features"], &["app"], &["wasm"]];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|names| names.contains(&module))
}

fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_file_uses_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut upward = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.components().next().unwrap().as_os_str().to_str().unwrap().trim_end_matches(".rs");
        let Some(own) = layer_of(top) else { continue }; // lib.rs
        let text = fs::read_to_string(&file).unwrap();
        // Unit tests at the end of a file may use anything.
        let code = text.split("#[cfg(test)]").next().unwrap();
        for line in code.lines().filter(|line| !line.trim_start().starts_with("//")) {
            for (at, _) in line.match_indices("crate::") {
                let module: String = line[at + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if let Some(target) = layer_of(&module) {
                    if target > own {
                        upward.push(format!("{}: uses crate::{module}", relative.display()));
                    }
                }
            }
        }
    }
    assert!(upward.is_empty(), "files using a layer above their own:\n{}", upward.join("\n"));
}
