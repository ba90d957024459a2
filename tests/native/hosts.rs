//! One host list: the core's registry (`src/hosts/`) and `extension/hosts/<app>/host.json` — from which the build
//! writes the manifest's content scripts and host permissions, and the end-to-end harness maps hostnames to the
//! replicas — must name the same apps and the same hosts.

use ghl_bridge::hosts::{known_host, HOSTS};
use serde_json::Value;
use std::fs;
use std::path::Path;

fn host_files() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("extension/hosts");
    let mut files: Vec<Value> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .map(|path| serde_json::from_str(&fs::read_to_string(path.join("host.json")).expect("every host folder has a host.json")).unwrap())
        .collect();
    files.sort_by_key(|file| file["app"].as_str().unwrap().to_owned());
    files
}

#[test]
fn the_registry_and_the_extensions_host_list_agree() {
    let files = host_files();
    let apps: Vec<&str> = files.iter().map(|file| file["app"].as_str().unwrap()).collect();
    let mut registry: Vec<&str> = HOSTS.iter().map(|spec| spec.app).collect();
    registry.sort();
    assert_eq!(apps, registry, "extension/hosts/* and the core's HOSTS name the same apps");
    for file in &files {
        let spec = HOSTS.iter().find(|spec| spec.app == file["app"]).unwrap();
        let matches: Vec<String> = file["matches"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_owned()).collect();
        let patterns: Vec<String> = spec.hosts.iter().map(|host| host.match_pattern()).collect();
        assert_eq!(matches, patterns, "{}: host.json matches and the spec's hosts", spec.app);
        assert_eq!(file["name"], spec.name);
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(file["replica"].as_str().unwrap()).is_dir(), "{}: its replica exists", spec.app);
        for script in file["scripts"].as_array().unwrap() {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("extension/hosts").join(spec.app).join(script.as_str().unwrap());
            assert!(path.is_file(), "{}", path.display());
        }
        // Every exact host is known to the core as this app.
        for pattern in &matches {
            let hostname = pattern.trim_start_matches("https://").trim_end_matches("/*");
            if !hostname.starts_with("*.") {
                assert_eq!(known_host(hostname).map(|host| host.spec.app), Some(spec.app), "{hostname}");
            }
        }
    }
}
