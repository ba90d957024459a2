//! A throwaway self-signed certificate, made at start, for the HTTPS listeners.

use std::sync::Arc;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// Names the certificate covers: loopback plus the real hostnames tests map onto it.
pub const NAMES: [&str; 7] = [
    "localhost",
    "127.0.0.1",
    "services.leadconnectorhq.com",
    "app.commusoft.co.uk",
    "app.commusoft.us",
    "commonsku.com",
    "*.commonsku.com",
];

pub struct Tls {
    pub acceptor: TlsAcceptor,
    pub cert_pem: String,
    pub cert_der: Vec<u8>,
}

pub fn make() -> Result<Tls, String> {
    let names: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
    let certified = rcgen::generate_simple_self_signed(names).map_err(|e| format!("certificate: {e}"))?;
    let cert_der = certified.cert.der().clone();
    let cert_der_bytes = cert_der.to_vec();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    // The ring provider explicitly: only ring is compiled in (aws-lc-rs needs cmake).
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![cert_der], key)
        .map_err(|e| format!("tls certificate: {e}"))?;
    // HTTP/1.1 only: the server speaks nothing else.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls { acceptor: TlsAcceptor::from(Arc::new(config)), cert_pem: certified.cert.pem(), cert_der: cert_der_bytes })
}
