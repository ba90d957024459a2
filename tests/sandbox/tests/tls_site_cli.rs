//! HTTPS on the API and the host-page replica (SPA fallback), and the CLI's start line and
//! shutdown on stdin end-of-file.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ghl_sandbox::{demo, Config, Sandbox};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;

/// A TLS client that trusts exactly the sandbox's self-signed certificate.
fn connector(sandbox: &Sandbox) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(sandbox.certificate_der().to_vec())).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

/// One HTTP/1.1 request over TLS; returns (status, headers+body text).
async fn https_get(sandbox: &Sandbox, addr: std::net::SocketAddr, sni: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from(sni.to_string()).unwrap();
    let mut tls = connector(sandbox).connect(name, tcp).await.expect("TLS handshake with the sandbox certificate");
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {sni}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    tls.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let _ = tls.read_to_end(&mut buf).await;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn https_api_answers_with_a_certificate_for_the_real_names() {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    assert!(sandbox.https_url().starts_with("https://127.0.0.1:"));
    assert!(sandbox.certificate_pem().contains("BEGIN CERTIFICATE"));
    let auth = format!("Bearer {}", demo::TOKEN);
    let hdrs = [("Authorization", auth.as_str()), ("Version", demo::VERSION)];
    for sni in ["localhost", "services.leadconnectorhq.com", "127.0.0.1"] {
        let (status, text) = https_get(&sandbox, sandbox.https_addr(), sni, &format!("/contacts/{}", demo::JANE), &hdrs).await;
        assert_eq!(status, 200, "{text}");
        assert!(text.contains("\"Jane\""));
        assert!(text.to_ascii_lowercase().contains("x-ratelimit-remaining"));
    }
    // nextPageUrl uses the https scheme and the Host header.
    let (_, text) = https_get(
        &sandbox,
        sandbox.https_addr(),
        "services.leadconnectorhq.com",
        &format!("/contacts/?locationId={}&limit=1", demo::DEMO_LOCATION),
        &hdrs,
    )
    .await;
    assert!(text.contains("https://services.leadconnectorhq.com/contacts/?startAfter="), "{text}");
}

#[tokio::test]
async fn site_serves_files_and_falls_back_to_index() {
    let dir = std::env::temp_dir().join(format!("ghl-sandbox-site-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>replica</title>").unwrap();
    std::fs::write(dir.join("assets/app.js"), "console.log('replica');").unwrap();
    let sandbox = Sandbox::start(Config { site_dir: Some(dir.clone()), ..Config::default() }).await.unwrap();
    let site = sandbox.site_addr().expect("site listener");
    assert_eq!(sandbox.site_url(), Some(format!("https://{site}")));

    let (status, text) = https_get(&sandbox, site, "app.commusoft.co.uk", "/assets/app.js", &[]).await;
    assert_eq!(status, 200);
    assert!(text.contains("console.log('replica');"));
    let lower = text.to_ascii_lowercase();
    assert!(lower.contains("content-type: text/javascript"));
    assert!(lower.contains("cache-control: no-store"));

    for path in ["/", "/customers/customer_list/42/view_v2/property/view", "/assets/missing.js", "/../../etc/passwd"] {
        let (status, text) = https_get(&sandbox, site, "app.commusoft.co.uk", path, &[]).await;
        assert_eq!(status, 200, "{path}");
        assert!(text.contains("<title>replica</title>"), "{path}: {text}");
        assert!(text.to_ascii_lowercase().contains("content-type: text/html"));
    }
    drop(sandbox);
    let _ = std::fs::remove_dir_all(dir);

    let missing = Sandbox::start(Config { site_dir: Some("/definitely/not/here".into()), ..Config::default() }).await;
    assert!(missing.is_err());
}

#[tokio::test]
async fn sites_are_chosen_by_host_and_mounts_are_shared() {
    let base = std::env::temp_dir().join(format!("ghl-sandbox-sites-{}", std::process::id()));
    let (commusoft, commonsku, vendor) = (base.join("commusoft"), base.join("commonsku"), base.join("vendor"));
    for d in [&commusoft, &commonsku, &vendor] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(commusoft.join("index.html"), "<title>commusoft</title>").unwrap();
    std::fs::write(commonsku.join("index.html"), "<title>commonsku</title>").unwrap();
    std::fs::write(vendor.join("react.js"), "window.React = {};").unwrap();
    let config = Config {
        sites: vec![("app.commusoft.co.uk".into(), commusoft.clone()), ("commonsku.com".into(), commonsku.clone())],
        site_mounts: vec![("/vendor/react/".into(), vendor.clone())],
        ..Config::default()
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let site = sandbox.site_addr().expect("site listener");
    let get = |sni: &'static str, path: &'static str| https_get(&sandbox, site, sni, path, &[]);

    let (status, text) = get("acme.commonsku.com", "/client/4b97bf5b-e3f5-4d5e-9e73-2419f0ae678c").await;
    assert_eq!(status, 200);
    assert!(text.contains("<title>commonsku</title>"), "{text}");
    let (_, text) = get("commonsku.com", "/").await;
    assert!(text.contains("<title>commonsku</title>"), "{text}");
    let (_, text) = get("app.commusoft.co.uk", "/customers").await;
    assert!(text.contains("<title>commusoft</title>"), "{text}");
    // Unmatched hosts get the first site.
    let (_, text) = get("localhost", "/").await;
    assert!(text.contains("<title>commusoft</title>"), "{text}");
    for sni in ["acme.commonsku.com", "app.commusoft.co.uk"] {
        let (status, text) = https_get(&sandbox, site, sni, "/vendor/react/react.js", &[]).await;
        assert_eq!(status, 200, "{sni}");
        assert!(text.contains("window.React = {};"));
        assert!(text.to_ascii_lowercase().contains("content-type: text/javascript"));
    }
    let (status, _) = get("acme.commonsku.com", "/vendor/react/missing.js").await;
    assert_eq!(status, 404);
    drop(sandbox);

    let missing = Config { site_mounts: vec![("/v/".into(), base.join("nope"))], site_dir: Some(commusoft), ..Config::default() };
    assert!(Sandbox::start(missing).await.is_err());
    let _ = std::fs::remove_dir_all(base);
}

#[tokio::test]
async fn dropping_the_sandbox_stops_it() {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    let addr = sandbox.http_addr();
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    drop(sandbox);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            break;
        }
        assert!(Instant::now() < deadline, "listener still open after drop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[test]
fn cli_prints_its_urls_and_stops_when_stdin_closes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ghl-sandbox"))
        .args(["--quiet", "--seed", "demo"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    let http = v["http"].as_str().unwrap().to_string();
    assert!(http.starts_with("http://127.0.0.1:"));
    assert!(v["https"].as_str().unwrap().starts_with("https://127.0.0.1:"));
    assert!(v["site"].is_null());

    // A plain HTTP/1.1 request with std only.
    let addr = http.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /contacts/{} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nVersion: {}\r\nConnection: close\r\n\r\n",
        demo::JANE,
        demo::TOKEN,
        demo::VERSION
    )
    .unwrap();
    let mut resp = String::new();
    std::io::Read::read_to_string(&mut s, &mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");

    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the sandbox did not stop on stdin EOF");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn cli_stops_after_max_seconds_and_rejects_bad_flags() {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_ghl-sandbox"))
        .args(["--quiet", "--max-seconds", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(started.elapsed() < Duration::from_secs(8));
    for bad in [&["--bogus"][..], &["--site-mount", "vendor"], &["--site-mount", "vendor=/tmp"], &["--site-dir", "/a", "--site-dir", "/b"]]
    {
        let status = Command::new(env!("CARGO_BIN_EXE_ghl-sandbox")).args(bad).stderr(Stdio::null()).status().unwrap();
        assert_eq!(status.code(), Some(2), "{bad:?}");
    }
}
