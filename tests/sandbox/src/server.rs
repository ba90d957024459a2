//! Listeners and the hyper glue: accepts connections (plain or TLS), reads each request with a
//! size limit, sends it to the API, the admin API or the static site, and writes the reply with
//! CORS and rate-limit headers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::body::{Frame, SizeHint};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::api::{self, ApiRequest, Outcome};
use crate::reply::{Body, Params, Reply};
use crate::Shared;

/// Request bodies above this get 413 (GHL bodies are small; this only guards memory).
pub const MAX_BODY: usize = 8 * 1024 * 1024;
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

const RATE_HEADERS: &str =
    "x-ratelimit-limit-daily, x-ratelimit-daily-remaining, x-ratelimit-interval-milliseconds, x-ratelimit-max, x-ratelimit-remaining";

/// What a listener serves.
#[derive(Clone)]
pub enum Role {
    Api { scheme: &'static str },
    Site { sites: Arc<crate::site::Sites> },
}

/// The error that makes hyper close a connection without answering ("drop after commit").
#[derive(Debug)]
pub struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (fault injection)")
    }
}

impl std::error::Error for DropConnection {}

pub async fn bind(port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).await
}

/// Runs the accept loop. Aborting the returned task drops the listener and, with the `JoinSet`,
/// every open connection.
pub fn spawn(listener: TcpListener, tls: Option<TlsAcceptor>, shared: Arc<Shared>, role: Role) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut conns = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        conns.spawn(connection(stream, tls.clone(), shared.clone(), role.clone()));
                    }
                    // Out of file descriptors and the like: back off instead of spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                },
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
            }
        }
    })
}

async fn connection(stream: tokio::net::TcpStream, tls: Option<TlsAcceptor>, shared: Arc<Shared>, role: Role) {
    match tls {
        Some(acceptor) => {
            if let Ok(Ok(s)) = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                serve_io(TokioIo::new(s), shared, role).await;
            }
        }
        None => serve_io(TokioIo::new(stream), shared, role).await,
    }
}

async fn serve_io<I>(io: I, shared: Arc<Shared>, role: Role)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let svc = service_fn(move |req| {
        let shared = shared.clone();
        let role = role.clone();
        async move { handle(&shared, &role, req).await }
    });
    // HTTP/2 when the client offers it (browsers over TLS, as GHL's API is served), else HTTP/1.1: a browser
    // allows six HTTP/1.1 connections per host, which would serialise the panel's parallel requests.
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(30)).keep_alive(true);
    builder.http2().timer(TokioTimer::new());
    let _ = builder.serve_connection(io, svc).await;
}

fn cors(b: hyper::http::response::Builder) -> hyper::http::response::Builder {
    b.header("access-control-allow-origin", "*")
        .header("access-control-allow-headers", "authorization, version, content-type")
        .header("access-control-allow-methods", "GET, POST, PUT, DELETE, OPTIONS")
        .header("access-control-expose-headers", RATE_HEADERS)
}

/// A response body: whole (its length declared), or filler streamed in chunks without a declared length.
pub enum Answered {
    Whole(Full<Bytes>),
    Streamed { left: usize },
}

impl Default for Answered {
    fn default() -> Self {
        Answered::Whole(Full::default())
    }
}

impl hyper::body::Body for Answered {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            Answered::Whole(full) => std::pin::Pin::new(full).poll_frame(cx),
            Answered::Streamed { left } => {
                const CHUNK: usize = 64 * 1024;
                if *left == 0 {
                    return std::task::Poll::Ready(None);
                }
                let n = (*left).min(CHUNK);
                *left -= n;
                std::task::Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b' '; n])))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Answered::Whole(full) => full.is_end_stream(),
            Answered::Streamed { left } => *left == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Answered::Whole(full) => full.size_hint(),
            // Unknown: hyper sends it chunked (HTTP/1.1) or without content-length (HTTP/2).
            Answered::Streamed { .. } => SizeHint::default(),
        }
    }
}

fn to_response(reply: Reply, no_store: bool) -> Response<Answered> {
    let mut b = cors(Response::builder().status(reply.status));
    if no_store {
        b = b.header("cache-control", "no-store");
    }
    for (k, v) in &reply.headers {
        b = b.header(*k, v.as_str());
    }
    let bytes = match reply.body {
        Body::Streamed(left) => {
            b = b.header("content-type", "application/json; charset=utf-8");
            return b.body(Answered::Streamed { left }).unwrap_or_default();
        }
        Body::Json(v) => {
            b = b.header("content-type", "application/json; charset=utf-8");
            serde_json::to_vec(&v).unwrap_or_default()
        }
        Body::Raw(ct, bytes) => {
            b = b.header("content-type", ct);
            bytes
        }
    };
    b.body(Answered::Whole(Full::new(Bytes::from(bytes)))).unwrap_or_else(|_| {
        let mut r =
            Response::new(Answered::Whole(Full::new(Bytes::from_static(b"{\"statusCode\":500,\"message\":\"Internal Server Error\"}"))));
        *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

fn header(req: &hyper::http::request::Parts, name: &str) -> Option<String> {
    req.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// A response, or `Err(status)`: drop the connection (the status is what the handler committed).
type Answer = Result<Response<Answered>, u16>;

async fn handle(shared: &Shared, role: &Role, req: Request<Incoming>) -> Result<Response<Answered>, DropConnection> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => c.to_bytes().to_vec(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            let mut r = Reply::error(413, format!("request body larger than {MAX_BODY} bytes"));
            let trace = shared.world().trace_id();
            crate::api::add_trace_id(&mut r, trace);
            return Ok(to_response(r, false));
        }
        // The client went away mid-body.
        Err(_) => return Err(DropConnection),
    };

    let (outcome, fault, tag): (Answer, Option<&str>, &str) = match role {
        Role::Site { sites } => {
            let host = header(&parts, "host").or_else(|| parts.uri.host().map(str::to_string));
            let r = sites.serve(host.as_deref(), &method, &path).await;
            (Ok(to_response(r, true)), None, "site")
        }
        Role::Api { .. } if method == "OPTIONS" => {
            let r =
                cors(Response::builder().status(204)).header("access-control-max-age", "600").body(Answered::default()).unwrap_or_default();
            return Ok(r);
        }
        Role::Api { .. } if path == "/__admin" || path.starts_with("/__admin/") => {
            let query = Params::parse(parts.uri.query().unwrap_or(""));
            let r = crate::admin::handle(&mut shared.world(), &method, &path, &query, &body, shared.default_seed);
            (Ok(to_response(r, false)), None, "sandbox")
        }
        Role::Api { scheme } => {
            let raw_query = parts.uri.query().map(str::to_string);
            let req = ApiRequest {
                method: method.clone(),
                path: path.clone(),
                query: Params::parse(raw_query.as_deref().unwrap_or("")),
                raw_query,
                authorization: header(&parts, "authorization"),
                version: header(&parts, "version"),
                host: header(&parts, "host"),
                scheme,
                body,
            };
            match api::serve(shared, req).await {
                (Outcome::Reply(r), fault) => (Ok(to_response(r, false)), fault, "sandbox"),
                (Outcome::Drop(status), fault) => (Err(status), fault, "sandbox"),
            }
        }
    };
    if !shared.quiet {
        let status = match &outcome {
            Ok(r) => r.status().as_u16().to_string(),
            Err(s) => s.to_string(),
        };
        let fault = fault.map(|f| format!("  fault={f}")).unwrap_or_default();
        eprintln!("[{tag}] {status} {method} {path} {} ms{fault}", started.elapsed().as_millis());
    }
    outcome.map_err(|_| DropConnection)
}
