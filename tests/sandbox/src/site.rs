//! The host-page replica server (`--site-dir`): static files over HTTPS; any path that is not a
//! file gets the directory's `index.html`, like a single-page app.

use std::path::{Component, Path, PathBuf};

use crate::reply::{percent_decode, Reply};

/// Files larger than this are refused rather than read into memory.
const MAX_FILE: u64 = 64 * 1024 * 1024;

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("html") | Some("htm") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") | Some("map") => "application/json; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("woff") => "font/woff",
        Some("woff2") => "font/woff2",
        Some("wasm") => "application/wasm",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The file a URL path names inside `root`, refusing anything that climbs out of it.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path, false);
    let rel = Path::new(decoded.trim_start_matches('/'));
    let mut out = root.to_path_buf();
    for c in rel.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

async fn read_file(path: &Path) -> Option<Vec<u8>> {
    let meta = tokio::fs::metadata(path).await.ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE {
        return None;
    }
    tokio::fs::read(path).await.ok()
}

pub async fn serve(root: &Path, method: &str, path: &str) -> Reply {
    if method != "GET" && method != "HEAD" {
        return Reply::raw(405, "text/plain; charset=utf-8", b"Method Not Allowed".to_vec()).with_header("allow", "GET, HEAD");
    }
    let file = match resolve(root, path) {
        Some(p) => read_file(&p).await.map(|b| (p, b)),
        None => None,
    };
    let (p, bytes) = match file {
        Some(found) => found,
        None => {
            let index = root.join("index.html");
            match read_file(&index).await {
                Some(b) => (index, b),
                None => return Reply::raw(404, "text/plain; charset=utf-8", b"Not Found".to_vec()),
            }
        }
    };
    let bytes = if method == "HEAD" { Vec::new() } else { bytes };
    Reply::raw(200, content_type(&p), bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_escape() {
        let root = Path::new("/srv/site");
        assert_eq!(resolve(root, "/a/b.js"), Some(PathBuf::from("/srv/site/a/b.js")));
        assert_eq!(resolve(root, "/a/../../etc/passwd"), None);
        assert_eq!(resolve(root, "/%2e%2e/etc/passwd"), None);
    }
}
