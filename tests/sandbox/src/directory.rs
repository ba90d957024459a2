//! Users, the location record, custom-field definitions and location tags.

use serde_json::{json, Value};

use crate::api::{Ctx, Res};
use crate::contacts::location;
use crate::reply::Reply;
use crate::state::World;

/// A path location id must be the token's own.
fn own_location(cx: &Ctx, id: &str) -> Result<(), Reply> {
    if id == cx.location_id {
        Ok(())
    } else {
        Err(Reply::forbidden_location())
    }
}

/// Deprecated `GET /users/?locationId=`.
pub fn list_users(w: &mut World, cx: &Ctx) -> Res {
    cx.query_location()?;
    let loc = location(w, cx)?;
    Ok(Reply::ok(json!({ "users": loc.users })))
}

/// `GET /users/search?companyId=&locationId=&query=&skip=&limit=&ids=`.
pub fn search_users(w: &mut World, cx: &Ctx) -> Res {
    let q = &cx.req.query;
    let loc = location(w, cx)?;
    match q.get("companyId") {
        Some(c) if c == loc.company_id => {}
        Some(c) if !c.is_empty() => return Err(Reply::forbidden_location()),
        _ => return Err(Reply::unprocessable(vec!["companyId should not be empty".into()])),
    }
    let text = q.get("query").unwrap_or("").to_lowercase();
    let ids: Vec<&str> = q.get("ids").map(|s| s.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()).unwrap_or_default();
    let skip = q.get("skip").and_then(|s| s.parse::<usize>().ok()).unwrap_or(0);
    let limit = q.get("limit").and_then(|s| s.parse::<usize>().ok()).unwrap_or(25).min(500);
    let matching: Vec<&Value> = loc
        .users
        .iter()
        .filter(|u| ids.is_empty() || u.get("id").and_then(Value::as_str).is_some_and(|id| ids.contains(&id)))
        .filter(|u| {
            text.is_empty()
                || ["name", "email", "phone"]
                    .iter()
                    .any(|k| u.get(*k).and_then(Value::as_str).is_some_and(|s| s.to_lowercase().contains(&text)))
        })
        .collect();
    let users: Vec<&Value> = matching.iter().skip(skip).take(limit).copied().collect();
    Ok(Reply::ok(json!({ "users": users, "count": matching.len() })))
}

pub fn get_user(w: &mut World, cx: &Ctx, id: &str) -> Res {
    let loc = location(w, cx)?;
    let user = loc.users.iter().find(|u| u.get("id").and_then(Value::as_str) == Some(id));
    match user {
        Some(u) => Ok(Reply::ok(u.clone())),
        None => Err(Reply::not_found("User not found")),
    }
}

pub fn get_location(w: &mut World, cx: &Ctx, id: &str) -> Res {
    own_location(cx, id)?;
    let loc = location(w, cx)?;
    Ok(Reply::ok(json!({ "location": loc.to_json() })))
}

pub fn list_custom_fields(w: &mut World, cx: &Ctx, id: &str) -> Res {
    own_location(cx, id)?;
    let model = cx.req.query.get("model").unwrap_or("all");
    if !matches!(model, "contact" | "opportunity" | "all" | "") {
        return Err(Reply::unprocessable(vec!["model must be one of the following values: contact, opportunity, all".into()]));
    }
    let loc = location(w, cx)?;
    let fields: Vec<Value> =
        if model == "opportunity" { Vec::new() } else { loc.custom_fields.iter().map(|f| f.to_json(&loc.id)).collect() };
    Ok(Reply::ok(json!({ "customFields": fields })))
}

pub fn get_custom_field(w: &mut World, cx: &Ctx, id: &str, field_id: &str) -> Res {
    own_location(cx, id)?;
    let loc = location(w, cx)?;
    match loc.custom_fields.iter().find(|f| f.id == field_id) {
        Some(f) => Ok(Reply::ok(json!({ "customField": f.to_json(&loc.id) }))),
        None => Err(Reply::not_found("Custom field not found")),
    }
}

/// `GET /locations/{id}/tags`: the distinct tags in use, with stable made-up ids.
pub fn location_tags(w: &mut World, cx: &Ctx, id: &str) -> Res {
    own_location(cx, id)?;
    let loc = location(w, cx)?;
    let mut names: Vec<String> = loc.contacts.values().flat_map(|c| c.tags()).collect();
    names.sort();
    names.dedup();
    let tags: Vec<Value> = names
        .iter()
        .map(|n| {
            let h = n.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
            json!({"id": format!("tag{h:017x}"), "name": n, "locationId": loc.id})
        })
        .collect();
    Ok(Reply::ok(json!({ "tags": tags })))
}
