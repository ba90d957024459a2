//! Fault injection, set through `POST /__admin/faults`: latency, error statuses, "commit then
//! drop the connection" and truncated bodies. Random faults come from a seeded generator, so a
//! run is repeatable.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::ids::Rng;

/// One injected fault, as applied to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer this status before touching state; `body` is sent as `text/html` when given.
    Status { status: u16, body: Option<String> },
    /// Perform the request, then close the connection without a response.
    Drop,
    /// Perform the request, then answer its status with a body of `bytes` bytes instead: with its length declared
    /// in `Content-Length`, or streamed without one.
    Oversize { bytes: usize, declared: bool },
    /// Perform the request, then answer with a truncated JSON body.
    Malformed,
}

impl Fault {
    pub fn label(&self) -> &'static str {
        match self {
            Fault::Status { .. } => "status",
            Fault::Drop => "drop",
            Fault::Oversize { .. } => "oversize",
            Fault::Malformed => "malformed",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Spec {
    latency_ms: Option<u64>,
    status_rates: Option<BTreeMap<String, f64>>,
    drop_after_commit_rate: Option<f64>,
    malformed_rate: Option<f64>,
    seed: Option<u64>,
    path_prefix: Option<String>,
    methods: Option<Vec<String>>,
    next: Option<Vec<NextSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NextSpec {
    status: Option<u16>,
    body: Option<String>,
    drop: Option<bool>,
    malformed: Option<bool>,
    /// Bytes of body for an oversize answer, and whether `Content-Length` declares them.
    #[serde(rename = "oversizeBytes")]
    oversize_bytes: Option<usize>,
    declared: Option<bool>,
}

/// The largest oversize body the sandbox makes (it only has to pass a client's cap).
const MAX_OVERSIZE: usize = 256 * 1024 * 1024;

/// The longest latency accepted, so a typo cannot hang a test run.
const MAX_LATENCY_MS: u64 = 120_000;
const MAX_NEXT: usize = 10_000;

#[derive(Debug)]
pub struct Faults {
    latency: Option<Duration>,
    status_rates: Vec<(u16, f64)>,
    drop_rate: f64,
    malformed_rate: f64,
    path_prefix: Option<String>,
    methods: Option<Vec<String>>,
    next: VecDeque<Fault>,
    rng: Rng,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency: None,
            status_rates: Vec::new(),
            drop_rate: 0.0,
            malformed_rate: 0.0,
            path_prefix: None,
            methods: None,
            next: VecDeque::new(),
            rng: Rng::new(0),
        }
    }
}

fn rate(name: &str, r: Option<f64>) -> Result<f64, String> {
    let r = r.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&r) {
        return Err(format!("{name} must be between 0 and 1"));
    }
    Ok(r)
}

fn status_code(s: u16, what: &str) -> Result<u16, String> {
    if (200..=599).contains(&s) {
        Ok(s)
    } else {
        Err(format!("{what} must be an HTTP status between 200 and 599"))
    }
}

impl Faults {
    /// Replaces all fault settings from the admin JSON.
    pub fn set(&mut self, v: &Value) -> Result<(), String> {
        let spec: Spec = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
        let latency_ms = spec.latency_ms.unwrap_or(0);
        if latency_ms > MAX_LATENCY_MS {
            return Err(format!("latencyMs must not be greater than {MAX_LATENCY_MS}"));
        }
        let mut status_rates = Vec::new();
        for (k, r) in spec.status_rates.unwrap_or_default() {
            let s: u16 = k.trim().parse().map_err(|_| format!("statusRates key {k:?} is not a status code"))?;
            status_rates.push((status_code(s, "statusRates key")?, rate("statusRates value", Some(r))?));
        }
        let drop_rate = rate("dropAfterCommitRate", spec.drop_after_commit_rate)?;
        let malformed_rate = rate("malformedRate", spec.malformed_rate)?;
        let total: f64 = status_rates.iter().map(|(_, r)| r).sum::<f64>() + drop_rate + malformed_rate;
        if total > 1.0 + 1e-9 {
            return Err("the fault rates add up to more than 1".into());
        }
        let mut next = VecDeque::new();
        for (i, n) in spec.next.unwrap_or_default().into_iter().enumerate() {
            if next.len() >= MAX_NEXT {
                return Err(format!("next holds at most {MAX_NEXT} faults"));
            }
            if let Some(bytes) = n.oversize_bytes {
                if bytes > MAX_OVERSIZE || n.status.is_some() || n.body.is_some() || n.drop.is_some() || n.malformed.is_some() {
                    return Err(format!("next[{i}]: oversizeBytes (at most {MAX_OVERSIZE}) goes alone, with an optional declared"));
                }
                next.push_back(Fault::Oversize { bytes, declared: n.declared.unwrap_or(true) });
                continue;
            }
            let f = match (n.status, n.drop.unwrap_or(false), n.malformed.unwrap_or(false)) {
                (Some(s), false, false) => Fault::Status { status: status_code(s, "next.status")?, body: n.body },
                (None, true, false) if n.body.is_none() => Fault::Drop,
                (None, false, true) if n.body.is_none() => Fault::Malformed,
                _ => return Err(format!("next[{i}] must be one of {{status[,body]}}, {{drop:true}}, {{malformed:true}}")),
            };
            next.push_back(f);
        }
        *self = Faults {
            latency: (latency_ms > 0).then(|| Duration::from_millis(latency_ms)),
            status_rates,
            drop_rate,
            malformed_rate,
            path_prefix: spec.path_prefix.filter(|p| !p.is_empty()),
            methods: spec.methods.map(|m| m.iter().map(|s| s.to_ascii_uppercase()).collect()),
            next,
            rng: Rng::new(spec.seed.unwrap_or(0)),
        };
        Ok(())
    }

    pub fn clear(&mut self) {
        *self = Faults::default();
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        if let Some(p) = &self.path_prefix {
            if !path.starts_with(p.as_str()) {
                return false;
            }
        }
        match &self.methods {
            Some(m) => m.iter().any(|x| x.eq_ignore_ascii_case(method)),
            None => true,
        }
    }

    /// The delay for a request, if latency is set and the request matches.
    pub fn latency(&self, method: &str, path: &str) -> Option<Duration> {
        self.latency.filter(|_| self.matches(method, path))
    }

    /// The fault for a matching request: the `next` queue first, then one draw from the
    /// seeded generator.
    pub fn pick(&mut self, method: &str, path: &str) -> Option<Fault> {
        if !self.matches(method, path) {
            return None;
        }
        if let Some(f) = self.next.pop_front() {
            return Some(f);
        }
        if self.status_rates.is_empty() && self.drop_rate == 0.0 && self.malformed_rate == 0.0 {
            return None;
        }
        let x = self.rng.next_f64();
        let mut acc = 0.0;
        for &(status, r) in &self.status_rates {
            acc += r;
            if x < acc {
                return Some(Fault::Status { status, body: None });
            }
        }
        acc += self.drop_rate;
        if x < acc {
            return Some(Fault::Drop);
        }
        acc += self.malformed_rate;
        if x < acc {
            return Some(Fault::Malformed);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn queue_then_random_and_filters() {
        let mut f = Faults::default();
        f.set(&json!({"pathPrefix":"/contacts","methods":["post"],
            "next":[{"status":500},{"drop":true},{"malformed":true}], "statusRates":{"503":1.0}}))
            .unwrap();
        assert_eq!(f.pick("GET", "/contacts/x"), None);
        assert_eq!(f.pick("POST", "/users"), None);
        assert_eq!(f.pick("POST", "/contacts/"), Some(Fault::Status { status: 500, body: None }));
        assert_eq!(f.pick("POST", "/contacts/"), Some(Fault::Drop));
        assert_eq!(f.pick("POST", "/contacts/"), Some(Fault::Malformed));
        assert_eq!(f.pick("POST", "/contacts/"), Some(Fault::Status { status: 503, body: None }));
        assert!(f.set(&json!({"bogus":1})).is_err());
        assert!(f.set(&json!({"statusRates":{"500":0.8},"malformedRate":0.5})).is_err());
        assert!(f.set(&json!({"next":[{"drop":true,"status":500}]})).is_err());
    }

    #[test]
    fn seeded_draws_repeat() {
        let spec = json!({"statusRates":{"500":0.3},"dropAfterCommitRate":0.2,"seed":7});
        let run = || {
            let mut f = Faults::default();
            f.set(&spec).unwrap();
            (0..50).map(|_| f.pick("GET", "/x")).collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }
}
