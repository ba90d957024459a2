//! The `ghl-sandbox` command: starts the sandbox, prints one JSON line with its URLs, and stops
//! when stdin (a pipe) reaches end-of-file, on SIGTERM/SIGINT, or after `--max-seconds`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use ghl_sandbox::{Config, Sandbox, Seed};

const USAGE: &str = "usage: ghl-sandbox [--http-port N] [--https-port N] [--site-dir [DOMAIN=]DIR]...
                   [--site-mount PREFIX=DIR]... [--site-port N] [--seed demo|none] [--max-seconds N] [--quiet]";

/// `DOMAIN=DIR` when the part before the first `=` looks like a host name (no `/`), else `DIR`.
fn site_dir(v: &str) -> (Option<String>, PathBuf) {
    match v.split_once('=') {
        Some((domain, dir)) if !domain.is_empty() && !domain.contains('/') => (Some(domain.to_string()), PathBuf::from(dir)),
        _ => (None, PathBuf::from(v)),
    }
}

struct Args {
    config: Config,
    max_seconds: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut config = Config { quiet: false, ..Config::default() };
    let mut max_seconds = 3600;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next()).ok_or_else(|| format!("{flag} needs a value"));
        let port = |v: String| v.parse::<u16>().map_err(|_| format!("{flag}: {v:?} is not a port"));
        match flag.as_str() {
            "--http-port" => config.http_port = port(value()?)?,
            "--https-port" => config.https_port = port(value()?)?,
            "--site-port" => config.site_port = port(value()?)?,
            "--site-dir" => match site_dir(&value()?) {
                (Some(domain), dir) => config.sites.push((domain, dir)),
                (None, _) if config.site_dir.is_some() => return Err("--site-dir DIR (without DOMAIN=) given twice".into()),
                (None, dir) => config.site_dir = Some(dir),
            },
            "--site-mount" => {
                let v = value()?;
                match v.split_once('=') {
                    Some((prefix, dir)) if prefix.starts_with('/') && !dir.is_empty() => {
                        config.site_mounts.push((prefix.to_string(), PathBuf::from(dir)))
                    }
                    _ => return Err(format!("--site-mount: {v:?} is not PREFIX=DIR (PREFIX starting with /)")),
                }
            }
            "--seed" => config.seed = value()?.parse::<Seed>()?,
            "--max-seconds" => {
                let v = value()?;
                max_seconds = v.parse().map_err(|_| format!("--max-seconds: {v:?} is not a number"))?;
            }
            "--quiet" => config.quiet = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args { config, max_seconds })
}

/// Whether stdin is a pipe or socket, i.e. tied to a parent that can go away. A terminal or
/// /dev/null (a background job in a script) is not watched, or the sandbox would stop at once.
fn stdin_is_pipe() -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata("/proc/self/fd/0").map(|m| m.file_type().is_fifo() || m.file_type().is_socket()).unwrap_or(false)
}

/// Resolves when stdin reaches end-of-file (read on a plain thread: a blocking read must not
/// hold up runtime shutdown).
fn stdin_eof() -> tokio::sync::oneshot::Receiver<()> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        let mut stdin = std::io::stdin().lock();
        loop {
            match std::io::Read::read(&mut stdin, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        let _ = tx.send(());
    });
    rx
}

async fn run(args: Args) -> Result<(), String> {
    let sandbox = Sandbox::start(args.config).await.map_err(|e| format!("cannot start: {e}"))?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", sandbox.announce_line()).map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
    }
    let eof = async {
        if stdin_is_pipe() {
            let _ = stdin_eof().await;
            "stdin closed"
        } else {
            std::future::pending().await
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
        "SIGTERM"
    };
    let reason = tokio::select! {
        r = eof => r,
        r = term => r,
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = tokio::time::sleep(Duration::from_secs(args.max_seconds)) => "--max-seconds reached",
    };
    eprintln!("[sandbox] stopping: {reason}");
    drop(sandbox);
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ghl-sandbox: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ghl-sandbox: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(run(args));
    // Do not wait for the stdin thread or open connections.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("ghl-sandbox: {e}");
            std::process::exit(1);
        }
    }
}
