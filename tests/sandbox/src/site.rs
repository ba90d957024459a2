//! The host-page replica server (`--site-dir`, `--site-mount`): static files over HTTPS. Several
//! replicas share the one listener, chosen by the `Host` header (`DOMAIN=DIR`: the domain and its
//! subdomains); any path that is not a file gets that site's `index.html`, like a single-page app.
//! Mounts (`PREFIX=DIR`) serve shared files (e.g. vendored React) under a path prefix on every
//! site, without the fallback.

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

/// The replicas one site listener serves.
#[derive(Debug, Clone)]
pub struct Sites {
    /// Hosts no domain matches.
    default: PathBuf,
    /// `(domain, dir)`, lower-case domains without a leading `*.` or `.`, longest domain first.
    domains: Vec<(String, PathBuf)>,
    /// `(prefix, dir)`, prefixes without a trailing `/`, longest first.
    mounts: Vec<(String, PathBuf)>,
}

/// `example.com` from `Example.COM:8443`, `*.example.com` or `.example.com`.
fn normalize_domain(d: &str) -> String {
    d.trim().trim_start_matches("*.").trim_start_matches('.').to_ascii_lowercase()
}

/// The hostname of a `Host` header: port stripped (IPv6 literals keep their brackets), lower-case.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = match host.rsplit_once(':') {
        Some((name, port))
            if !name.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && (!name.contains(':') || name.ends_with(']')) =>
        {
            name
        }
        _ => host,
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The rest of `path` after a mount prefix (which matches whole segments only), or `None`.
fn strip_mount<'a>(prefix: &str, path: &'a str) -> Option<&'a str> {
    let rest = path.strip_prefix(prefix)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

impl Sites {
    /// `default`: the directory for unmatched hosts (`None`: the first domain's). `None` when
    /// there is no directory at all.
    pub fn new(default: Option<PathBuf>, domains: &[(String, PathBuf)], mounts: &[(String, PathBuf)]) -> Option<Sites> {
        let default = default.or_else(|| domains.first().map(|(_, d)| d.clone()))?;
        let mut domains: Vec<(String, PathBuf)> = domains.iter().map(|(d, p)| (normalize_domain(d), p.clone())).collect();
        // Stable: for the same domain given twice, the first wins.
        domains.sort_by_key(|(d, _)| std::cmp::Reverse(d.len()));
        let mut mounts: Vec<(String, PathBuf)> = mounts
            .iter()
            .map(|(prefix, p)| (format!("/{}", prefix.trim_matches('/')).trim_end_matches('/').to_string(), p.clone()))
            .collect();
        mounts.sort_by_key(|(m, _)| std::cmp::Reverse(m.len()));
        Some(Sites { default, domains, mounts })
    }

    /// Every directory, for checking they exist.
    pub fn dirs(&self) -> impl Iterator<Item = &Path> {
        std::iter::once(self.default.as_path()).chain(self.domains.iter().chain(&self.mounts).map(|(_, p)| p.as_path()))
    }

    /// The site directory for a `Host` header.
    pub fn root_for(&self, host: Option<&str>) -> &Path {
        let name = host.map(host_name).unwrap_or_default();
        self.domains
            .iter()
            .find(|(d, _)| name == *d || name.strip_suffix(d.as_str()).is_some_and(|sub| sub.ends_with('.')))
            .map_or(self.default.as_path(), |(_, p)| p.as_path())
    }

    /// The mount directory and the path inside it, when `path` is under a mount.
    fn mount_for<'a>(&self, path: &'a str) -> Option<(&Path, &'a str)> {
        self.mounts.iter().find_map(|(prefix, dir)| strip_mount(prefix, path).map(|rest| (dir.as_path(), rest)))
    }

    pub async fn serve(&self, host: Option<&str>, method: &str, path: &str) -> Reply {
        if method != "GET" && method != "HEAD" {
            return Reply::raw(405, "text/plain; charset=utf-8", b"Method Not Allowed".to_vec()).with_header("allow", "GET, HEAD");
        }
        if let Some((dir, rest)) = self.mount_for(path) {
            let found = match resolve(dir, rest) {
                Some(p) => read_file(&p).await.map(|b| (p, b)),
                None => None,
            };
            return match found {
                Some((p, bytes)) => Reply::raw(200, content_type(&p), if method == "HEAD" { Vec::new() } else { bytes }),
                None => not_found(),
            };
        }
        serve_spa(self.root_for(host), method, path).await
    }
}

fn not_found() -> Reply {
    Reply::raw(404, "text/plain; charset=utf-8", b"Not Found".to_vec())
}

/// A file of `root`, or its `index.html` for any path that is not one.
async fn serve_spa(root: &Path, method: &str, path: &str) -> Reply {
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
                None => return not_found(),
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

    fn sites(default: Option<&str>) -> Sites {
        let domains = [
            ("app.commusoft.co.uk".to_string(), PathBuf::from("/srv/commusoft")),
            ("*.commonsku.com".to_string(), PathBuf::from("/srv/commonsku")),
            ("Special.Commonsku.com".to_string(), PathBuf::from("/srv/special")),
        ];
        let mounts = [
            ("/vendor/react/".to_string(), PathBuf::from("/srv/react")),
            ("/vendor/react-dom".to_string(), PathBuf::from("/srv/react-dom")),
        ];
        Sites::new(default.map(PathBuf::from), &domains, &mounts).unwrap()
    }

    #[test]
    fn host_names() {
        assert_eq!(host_name("Acme.CommonSKU.com:8443"), "acme.commonsku.com");
        assert_eq!(host_name("app.commusoft.co.uk"), "app.commusoft.co.uk");
        assert_eq!(host_name("[::1]:443"), "[::1]");
        assert_eq!(host_name("::1"), "::1");
        assert_eq!(host_name("example.com.:443"), "example.com");
    }

    #[test]
    fn host_selects_the_site() {
        let s = sites(Some("/srv/default"));
        assert_eq!(s.root_for(Some("app.commusoft.co.uk:443")), Path::new("/srv/commusoft"));
        assert_eq!(s.root_for(Some("commonsku.com")), Path::new("/srv/commonsku"));
        assert_eq!(s.root_for(Some("ACME.commonsku.com:1234")), Path::new("/srv/commonsku"));
        assert_eq!(s.root_for(Some("a.b.commonsku.com")), Path::new("/srv/commonsku"));
        // The most specific domain wins.
        assert_eq!(s.root_for(Some("special.commonsku.com")), Path::new("/srv/special"));
        assert_eq!(s.root_for(Some("x.special.commonsku.com")), Path::new("/srv/special"));
        // Suffixes match whole labels only.
        assert_eq!(s.root_for(Some("evilcommonsku.com")), Path::new("/srv/default"));
        assert_eq!(s.root_for(Some("commusoft.co.uk")), Path::new("/srv/default"));
        assert_eq!(s.root_for(Some("127.0.0.1:5000")), Path::new("/srv/default"));
        assert_eq!(s.root_for(None), Path::new("/srv/default"));
        // Without a default, the first domain given is the default.
        assert_eq!(sites(None).root_for(Some("localhost")), Path::new("/srv/commusoft"));
        assert!(Sites::new(None, &[], &[]).is_none());
    }

    #[test]
    fn mounts_match_whole_segments() {
        let s = sites(None);
        assert_eq!(s.mount_for("/vendor/react/react.production.min.js"), Some((Path::new("/srv/react"), "/react.production.min.js")));
        assert_eq!(
            s.mount_for("/vendor/react-dom/react-dom.production.min.js"),
            Some((Path::new("/srv/react-dom"), "/react-dom.production.min.js"))
        );
        assert_eq!(s.mount_for("/vendor/react"), Some((Path::new("/srv/react"), "")));
        assert_eq!(s.mount_for("/vendor/reactx/a.js"), None);
        assert_eq!(s.mount_for("/client/1"), None);
    }

    #[tokio::test]
    async fn serves_sites_by_host_and_mounts_without_fallback() {
        let base = std::env::temp_dir().join(format!("ghl-sandbox-sites-unit-{}", std::process::id()));
        let (a, b, m) = (base.join("a"), base.join("b"), base.join("m"));
        for d in [&a, &b, &m] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(a.join("index.html"), "site a").unwrap();
        std::fs::write(b.join("index.html"), "site b").unwrap();
        std::fs::write(m.join("lib.js"), "lib").unwrap();
        std::fs::write(base.join("secret.txt"), "secret").unwrap();
        let s = Sites::new(None, &[("a.test".into(), a.clone()), ("b.test".into(), b.clone())], &[("/vendor/".into(), m.clone())]).unwrap();
        let body = |r: &Reply| match &r.body {
            crate::reply::Body::Raw(_, bytes) => String::from_utf8_lossy(bytes).into_owned(),
            _ => String::new(),
        };
        let r = s.serve(Some("x.b.test"), "GET", "/client/42").await;
        assert_eq!((r.status, body(&r).as_str()), (200, "site b"));
        let r = s.serve(Some("other"), "GET", "/").await;
        assert_eq!((r.status, body(&r).as_str()), (200, "site a"));
        let r = s.serve(Some("b.test"), "GET", "/vendor/lib.js").await;
        assert_eq!((r.status, body(&r).as_str()), (200, "lib"));
        assert_eq!(s.serve(Some("b.test"), "GET", "/vendor/missing.js").await.status, 404);
        assert_eq!(s.serve(Some("b.test"), "GET", "/vendor/../secret.txt").await.status, 404);
        assert_eq!(s.serve(Some("b.test"), "GET", "/vendor/%2e%2e/secret.txt").await.status, 404);
        assert_eq!(s.serve(Some("b.test"), "POST", "/vendor/lib.js").await.status, 405);
        let _ = std::fs::remove_dir_all(base);
    }
}
