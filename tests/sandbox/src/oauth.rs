//! `POST /oauth/token` in GHL's shape: form body; refresh tokens rotate on every use and
//! authorization codes are single-use. Grants are registered through `POST /__admin/oauth`.

use std::time::Duration;

use serde_json::{json, Value};

use crate::api::ApiRequest;
use crate::reply::{Params, Reply};
use crate::state::{Grant, World};

pub const DEFAULT_ACCESS_TTL_SECONDS: u64 = 86_399;

fn invalid(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(status, json!({"statusCode": status, "error": error, "error_description": description, "message": description}))
}

/// Reads the form body (GHL's content type); a JSON object body is accepted too.
fn fields(req: &ApiRequest) -> Params {
    if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&req.body) {
        return Params(
            m.into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    Value::Null => None,
                    other => Some((k, other.to_string())),
                })
                .collect(),
        );
    }
    Params::parse(&String::from_utf8_lossy(&req.body))
}

pub fn token(w: &mut World, req: &ApiRequest) -> Reply {
    if req.method != "POST" {
        return Reply::not_found(&format!("Cannot {} {}", req.method, req.path));
    }
    let f = fields(req);
    let get = |k: &str| f.get(k).map(str::trim).filter(|s| !s.is_empty());
    let mut missing = Vec::new();
    // `client_secret` is GHL's and the sandbox accepts it, but does not require it: the sandbox also stands in
    // for the user's own token endpoint, which adds the secret itself before forwarding to GHL.
    for k in ["client_id", "grant_type"] {
        if get(k).is_none() {
            missing.push(format!("{k} should not be empty"));
        }
    }
    if !missing.is_empty() {
        return Reply::unprocessable(missing);
    }
    let client_id = get("client_id").unwrap_or_default();
    let (grant, used) = match get("grant_type").unwrap_or_default() {
        "refresh_token" => {
            let Some(rt) = get("refresh_token") else {
                return invalid(400, "invalid_request", "refresh_token is required for grant_type refresh_token");
            };
            match w.refresh_tokens.get(rt) {
                Some(g) => (g.clone(), ("refresh", rt.to_string())),
                None => return invalid(401, "invalid_grant", "Invalid grant: refresh token is invalid"),
            }
        }
        "authorization_code" => {
            let Some(code) = get("code") else {
                return invalid(400, "invalid_request", "code is required for grant_type authorization_code");
            };
            match w.auth_codes.get(code) {
                Some(g) => (g.clone(), ("code", code.to_string())),
                None => return invalid(401, "invalid_grant", "Invalid grant: authorization code is invalid"),
            }
        }
        other => return invalid(400, "unsupported_grant_type", &format!("Unsupported grant_type {other:?}")),
    };
    if grant.client_id.as_deref().is_some_and(|c| c != client_id) {
        return invalid(401, "invalid_client", "Invalid client: client_id does not match the grant");
    }
    // Rotation: the used refresh token or code stops working now.
    match used.0 {
        "refresh" => w.refresh_tokens.remove(&used.1),
        _ => w.auth_codes.remove(&used.1),
    };
    let access = w.ids.secret("sbx-at-");
    let refresh = w.ids.secret("sbx-rt-");
    w.add_token(&access, &grant.location_id, grant.scopes.clone(), Some(Duration::from_secs(grant.access_ttl_seconds)));
    w.refresh_tokens.insert(refresh.clone(), grant.clone());
    let loc = w.location_or_create(&grant.location_id);
    let user_id = loc.users.first().and_then(|u| u.get("id")).cloned().unwrap_or(Value::from(""));
    Reply::ok(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": grant.access_ttl_seconds,
        "refresh_token": refresh,
        "scope": grant.scopes.join(" "),
        "userType": "Location",
        "locationId": grant.location_id,
        "companyId": loc.company_id,
        "approvedLocations": [],
        "userId": user_id,
        "planId": "",
        "isBulkInstallation": false,
        "installToFutureLocations": false,
        "approveAllLocations": false,
    }))
}

/// Registers a refresh token and/or authorization code (`POST /__admin/oauth`).
pub fn register(w: &mut World, v: &Value) -> Result<(), String> {
    let m = v.as_object().ok_or("the body must be a JSON object")?;
    for k in m.keys() {
        if !matches!(k.as_str(), "clientId" | "refreshToken" | "code" | "locationId" | "scopes" | "accessTtlSeconds") {
            return Err(format!("property {k} should not exist"));
        }
    }
    let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let location_id = s("locationId").ok_or("locationId should not be empty")?;
    let refresh = s("refreshToken");
    let code = s("code");
    if refresh.is_none() && code.is_none() {
        return Err("give a refreshToken, a code, or both".into());
    }
    let scopes = match m.get("scopes") {
        None | Some(Value::Null) => vec!["contacts.readonly".to_string(), "contacts.write".to_string()],
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        Some(_) => return Err("scopes must be an array of strings".into()),
    };
    let ttl = match m.get("accessTtlSeconds") {
        None | Some(Value::Null) => DEFAULT_ACCESS_TTL_SECONDS,
        Some(x) => x.as_u64().filter(|t| *t <= 10 * 365 * 86_400).ok_or("accessTtlSeconds must be a whole number of seconds")?,
    };
    let grant = Grant { client_id: s("clientId"), location_id: location_id.clone(), scopes, access_ttl_seconds: ttl };
    w.location_or_create(&location_id);
    if let Some(r) = refresh {
        w.refresh_tokens.insert(r, grant.clone());
    }
    if let Some(c) = code {
        w.auth_codes.insert(c, grant);
    }
    Ok(())
}
