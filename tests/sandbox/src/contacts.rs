//! Contact endpoints: CRUD, upsert, duplicate lookup, the deprecated list, business lists, tags
//! and the bulk operations.

use serde_json::{json, Map, Value};

use crate::api::{Ctx, Res};
use crate::reply::{percent_encode, Reply};
use crate::state::{Contact, Location, World};
use crate::{time, validate};

pub fn not_found() -> Reply {
    Reply::not_found("Contact not found")
}

/// The caller's location (always present: tokens create theirs).
pub fn location<'w>(w: &'w mut World, cx: &Ctx) -> Result<&'w mut Location, Reply> {
    w.locations.get_mut(&cx.location_id).ok_or_else(Reply::forbidden_location)
}

/// GHL keeps tags lower-case and trimmed; duplicates collapse.
pub fn normalize_tags<'a>(tags: impl IntoIterator<Item = &'a Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        if let Some(s) = t.as_str() {
            let s = s.trim().to_lowercase();
            if !s.is_empty() && !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// `+44 7700 900123` → `+447700900123`: what GHL stores.
fn normalize_phone(s: &str) -> String {
    let d = crate::state::digits(s);
    if s.trim_start().starts_with('+') {
        format!("+{d}")
    } else {
        d
    }
}

/// Checks a custom field value against the field's data type.
fn check_custom_value(data_type: &str, options: &[String], v: &Value) -> Result<(), String> {
    match data_type {
        "NUMERICAL" | "MONETORY" => {
            let ok = v.is_number() || v.as_str().is_some_and(|s| s.trim().parse::<f64>().is_ok());
            if ok {
                Ok(())
            } else {
                Err("must be a number".into())
            }
        }
        "CHECKBOX" | "MULTIPLE_OPTIONS" => match v.as_array() {
            Some(a) if a.iter().all(Value::is_string) => {
                if !options.is_empty() {
                    if let Some(bad) = a.iter().filter_map(Value::as_str).find(|s| !options.iter().any(|o| o == s)) {
                        return Err(format!("has {bad:?}, which is not one of: {}", options.join(", ")));
                    }
                }
                Ok(())
            }
            _ => Err("must be an array of strings".into()),
        },
        "FILE_UPLOAD" => {
            if v.is_object() {
                Ok(())
            } else {
                Err("must be an object".into())
            }
        }
        "DATE" => {
            if v.is_string() || v.is_number() {
                Ok(())
            } else {
                Err("must be a date string".into())
            }
        }
        "SINGLE_OPTIONS" | "RADIO" if !options.is_empty() => match v.as_str() {
            Some(s) if options.iter().any(|o| o == s) => Ok(()),
            _ => Err(format!("must be one of: {}", options.join(", "))),
        },
        _ => {
            if v.is_string() {
                Ok(())
            } else {
                Err("must be a string".into())
            }
        }
    }
}

/// Applies a validated create/update/upsert body to a contact. Fails (422 messages) without
/// partial effects: callers apply to a copy.
pub fn apply(loc: &Location, c: &mut Contact, body: &Map<String, Value>) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for (k, v) in body {
        match k.as_str() {
            "locationId" | "createNewIfDuplicateAllowed" => {}
            "tags" => {
                let tags = normalize_tags(v.as_array().into_iter().flatten());
                c.set_tags(tags);
            }
            "customFields" => {
                for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                    let id = item.get("id").and_then(Value::as_str).filter(|s| !s.is_empty());
                    let key = item.get("key").and_then(Value::as_str).filter(|s| !s.is_empty());
                    let field = loc.custom_fields.iter().find(|f| match (id, key) {
                        (Some(id), _) => f.id == id,
                        (None, Some(key)) => f.matches_key(key),
                        _ => false,
                    });
                    let Some(field) = field else {
                        errors.push(format!("customFields.{i} does not match a custom field of this location"));
                        continue;
                    };
                    let value = item.get("field_value").cloned().unwrap_or(Value::Null);
                    let empty = value.is_null() || value.as_str() == Some("");
                    if empty {
                        c.custom.retain(|(fid, _)| *fid != field.id);
                        continue;
                    }
                    if let Err(e) = check_custom_value(&field.data_type, &field.options, &value) {
                        errors.push(format!("customFields.{i}.field_value {e}"));
                        continue;
                    }
                    match c.custom.iter_mut().find(|(fid, _)| *fid == field.id) {
                        Some(slot) => slot.1 = value,
                        None => c.custom.push((field.id.clone(), value)),
                    }
                }
            }
            _ if v.is_null() || v.as_str() == Some("") => {
                c.fields.remove(k);
            }
            "phone" => {
                let p = normalize_phone(v.as_str().unwrap_or_default());
                if p.is_empty() {
                    c.fields.remove(k);
                } else {
                    c.fields.insert(k.clone(), Value::from(p));
                }
            }
            "email" => {
                c.fields.insert(k.clone(), Value::from(v.as_str().unwrap_or_default().trim()));
            }
            "dateOfBirth" => {
                if let Some((y, m, d)) = v.as_str().and_then(time::parse_birth_date) {
                    let ms = time::days_from_civil(y, m, d) * time::DAY_MS;
                    c.fields.insert(k.clone(), Value::from(time::iso(ms)));
                }
            }
            _ => {
                c.fields.insert(k.clone(), v.clone());
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn duplicate_error(existing: &Contact, field: &str) -> Reply {
    Reply::json(
        400,
        json!({
            "statusCode": 400,
            "message": "This location does not allow duplicated contacts.",
            "meta": {"contactId": existing.id, "contactName": existing.display_name(), "matchingField": field},
        }),
    )
}

fn new_contact(id: String, now: i64) -> Contact {
    Contact { id, date_added: now, date_updated: now, fields: Map::new(), custom: Vec::new() }
}

/// Creates a contact from a validated body (duplicate check included unless skipped).
fn insert_new(w: &mut World, cx: &Ctx, body: &Map<String, Value>, check_duplicates: bool) -> Result<Value, Reply> {
    let id = w.ids.next('c');
    let loc = location(w, cx)?;
    if loc.contacts.len() >= crate::state::MAX_CONTACTS {
        return Err(Reply::bad_request("This location holds the maximum number of contacts"));
    }
    let mut c = new_contact(id, cx.now_ms);
    apply(loc, &mut c, body).map_err(Reply::unprocessable)?;
    if check_duplicates && !loc.allow_duplicates {
        if let Some((existing, field)) = loc.find_duplicate(c.str_field("email"), c.str_field("phone"), None) {
            return Err(duplicate_error(existing, field));
        }
    }
    let out = c.to_json(&loc.id);
    loc.insert_contact(c);
    Ok(out)
}

pub fn create(w: &mut World, cx: &Ctx) -> Res {
    let body = cx.dto(&validate::contact_create())?;
    let contact = insert_new(w, cx, &body, true)?;
    Ok(Reply::created(json!({ "contact": contact })))
}

pub fn get(w: &mut World, cx: &Ctx, id: &str) -> Res {
    let loc = location(w, cx)?;
    let c = loc.contact(id).ok_or_else(not_found)?;
    Ok(Reply::ok(json!({ "contact": c.to_json(&loc.id) })))
}

/// Updates an existing contact from a validated body; `ignore_phone` drops a phone that belongs
/// to another contact (upsert's "second identifier is ignored").
fn update_existing(loc: &mut Location, id: &str, body: &Map<String, Value>, now: i64) -> Result<Value, Reply> {
    let current = loc.contact(id).ok_or_else(not_found)?;
    let mut c = current.clone();
    apply(loc, &mut c, body).map_err(Reply::unprocessable)?;
    if !loc.allow_duplicates {
        let email = body.contains_key("email").then(|| c.str_field("email")).flatten();
        let phone = body.contains_key("phone").then(|| c.str_field("phone")).flatten();
        if let Some((existing, field)) = loc.find_duplicate(email, phone, Some(id)) {
            return Err(duplicate_error(existing, field));
        }
    }
    c.date_updated = now;
    let out = c.to_json(&loc.id);
    if let Some(slot) = loc.contact_mut(id) {
        *slot = c;
    }
    Ok(out)
}

pub fn update(w: &mut World, cx: &Ctx, id: &str) -> Res {
    let body = cx.dto(&validate::contact_update())?;
    let loc = location(w, cx)?;
    let contact = update_existing(loc, id, &body, cx.now_ms)?;
    Ok(Reply::ok(json!({ "succeded": true, "contact": contact })))
}

pub fn delete(w: &mut World, cx: &Ctx, id: &str) -> Res {
    let loc = location(w, cx)?;
    if !loc.remove_contact(id) {
        return Err(not_found());
    }
    Ok(Reply::ok(json!({ "succeded": true })))
}

pub fn upsert(w: &mut World, cx: &Ctx) -> Res {
    let mut body = cx.dto(&validate::contact_upsert())?;
    let force_new = body.get("createNewIfDuplicateAllowed").and_then(Value::as_bool).unwrap_or(false);
    let loc = location(w, cx)?;
    if !(force_new && loc.allow_duplicates) {
        let email = body.get("email").and_then(Value::as_str).filter(|s| !s.is_empty());
        let phone = body.get("phone").and_then(Value::as_str).filter(|s| !s.is_empty());
        // The location's match order: email first, then phone.
        let by_email = email.and_then(|e| loc.find_duplicate(Some(e), None, None)).map(|(c, _)| c.id.clone());
        let by_phone = phone.and_then(|p| loc.find_duplicate(None, Some(p), None)).map(|(c, _)| c.id.clone());
        if let Some(id) = by_email.clone().or(by_phone.clone()) {
            if by_email.is_some() && by_phone.as_ref().is_some_and(|p| *p != id) {
                body.remove("phone");
            }
            let contact = update_existing(loc, &id, &body, cx.now_ms)?;
            return Ok(Reply::ok(json!({ "new": false, "contact": contact })));
        }
    }
    let contact = insert_new(w, cx, &body, false)?;
    Ok(Reply::ok(json!({ "new": true, "contact": contact })))
}

pub fn duplicate(w: &mut World, cx: &Ctx) -> Res {
    cx.query_location()?;
    let email = cx.req.query.get("email").map(str::trim).filter(|s| !s.is_empty());
    let number = cx.req.query.get("number").map(str::trim).filter(|s| !s.is_empty());
    let loc = location(w, cx)?;
    let found = email
        .and_then(|e| loc.find_duplicate(Some(e), None, None))
        .or_else(|| number.and_then(|n| loc.find_duplicate(None, Some(n), None)))
        .map(|(c, _)| c.to_json(&loc.id));
    Ok(Reply::ok(json!({ "contact": found })))
}

/// Free-text match used by the list endpoints and search: names, email, company, phone digits.
pub fn matches_query(c: &Contact, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let name = c.display_name().to_lowercase();
    let hay = [Some(name.as_str()), c.str_field("email"), c.str_field("companyName"), c.str_field("firstName"), c.str_field("lastName")];
    if hay.into_iter().flatten().any(|h| h.to_lowercase().contains(&q)) {
        return true;
    }
    let qd = crate::state::digits(&q);
    qd.len() >= 3 && qd.len() * 2 >= q.len() && c.phone_digits().is_some_and(|p| p.contains(&qd))
}

fn parse_limit(raw: Option<&str>, default: usize, max: usize, name: &str) -> Result<usize, Reply> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => match s.parse::<usize>() {
            Ok(0) => Err(Reply::unprocessable(vec![format!("{name} must not be less than 1")])),
            Ok(n) if n > max => Err(Reply::unprocessable(vec![format!("{name} must not be greater than {max}")])),
            Ok(n) => Ok(n),
            Err(_) => Err(Reply::unprocessable(vec![format!("{name} must be a number conforming to the specified constraints")])),
        },
    }
}

/// Deprecated `GET /contacts/`: oldest first, cursor paging with `startAfter` (ms) and
/// `startAfterId`; `meta.nextPageUrl` leaves out `locationId`, as GHL's does.
pub fn list(w: &mut World, cx: &Ctx) -> Res {
    cx.query_location()?;
    let q = &cx.req.query;
    let limit = parse_limit(q.get("limit"), 20, 100, "limit")?;
    let query = q.get("query").unwrap_or("").to_string();
    let start_after: Option<i64> = match q.get("startAfter").map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<f64>()
                .map(|f| f as i64)
                .map_err(|_| Reply::unprocessable(vec!["startAfter must be a number conforming to the specified constraints".into()]))?,
        ),
    };
    let start_after_id = q.get("startAfterId").filter(|s| !s.is_empty()).map(str::to_string);
    let loc = location(w, cx)?;
    let mut all: Vec<&Contact> = loc.contacts.values().filter(|c| matches_query(c, &query)).collect();
    all.sort_by(|a, b| (a.date_added, &a.id).cmp(&(b.date_added, &b.id)));
    // The cursor: the id's own position when we know it, else the timestamp.
    let cursor: Option<(i64, String)> = match (&start_after_id, start_after) {
        (Some(id), sa) => match loc.contact(id) {
            Some(c) => Some((c.date_added, c.id.clone())),
            None => sa.map(|t| (t, id.clone())),
        },
        (None, Some(t)) => Some((t, String::from("\u{10FFFF}"))),
        (None, None) => None,
    };
    let skipped = match &cursor {
        Some((t, id)) => all.iter().take_while(|c| (c.date_added, &c.id) <= (*t, id)).count(),
        None => 0,
    };
    let page: Vec<&Contact> = all.iter().skip(skipped).take(limit).copied().collect();
    let total = all.len();
    let current_page = skipped / limit + 1;
    let has_next = skipped + page.len() < total;
    let last = page.last().filter(|_| has_next);
    let next_url = last.map(|c| {
        let mut url =
            format!("{}/contacts/?startAfter={}&startAfterId={}&limit={limit}", cx.req.base_url(), c.date_added, percent_encode(&c.id));
        if !query.is_empty() {
            url.push_str(&format!("&query={}", percent_encode(&query)));
        }
        url
    });
    let contacts: Vec<Value> = page.iter().map(|c| c.to_json(&loc.id)).collect();
    Ok(Reply::ok(json!({
        "contacts": contacts,
        "count": total,
        "meta": {
            "total": total,
            "nextPageUrl": next_url,
            "startAfterId": last.map(|c| c.id.clone()),
            "startAfter": last.map(|c| c.date_added),
            "currentPage": current_page,
            "nextPage": has_next.then_some(current_page + 1),
            "prevPage": (current_page > 1).then(|| current_page - 1),
        },
    })))
}

pub fn by_business(w: &mut World, cx: &Ctx, business_id: &str) -> Res {
    cx.query_location()?;
    let q = &cx.req.query;
    let limit = parse_limit(q.get("limit"), 25, 100, "limit")?;
    let skip = match q.get("skip").map(str::trim).filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s.parse::<usize>().map_err(|_| Reply::unprocessable(vec!["skip must be a number".into()]))?,
    };
    let query = q.get("query").unwrap_or("").to_string();
    let loc = location(w, cx)?;
    let matching: Vec<&Contact> =
        loc.contacts.values().filter(|c| c.str_field("businessId") == Some(business_id) && matches_query(c, &query)).collect();
    let contacts: Vec<Value> = matching.iter().skip(skip).take(limit).map(|c| c.to_json(&loc.id)).collect();
    Ok(Reply::ok(json!({ "contacts": contacts, "count": matching.len() })))
}

fn tags_body(cx: &Ctx) -> Result<Vec<String>, Reply> {
    let body = cx.dto(validate::TAGS)?;
    Ok(normalize_tags(body.get("tags").and_then(Value::as_array).into_iter().flatten()))
}

pub fn add_tags(w: &mut World, cx: &Ctx, id: &str) -> Res {
    let add = tags_body(cx)?;
    let loc = location(w, cx)?;
    let c = loc.contact_mut(id).ok_or_else(not_found)?;
    let mut tags = c.tags();
    for t in add {
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    c.set_tags(tags.clone());
    c.date_updated = cx.now_ms;
    Ok(Reply::created(json!({ "tags": tags })))
}

pub fn remove_tags(w: &mut World, cx: &Ctx, id: &str) -> Res {
    let remove = tags_body(cx)?;
    let loc = location(w, cx)?;
    let c = loc.contact_mut(id).ok_or_else(not_found)?;
    let tags: Vec<String> = c.tags().into_iter().filter(|t| !remove.contains(t)).collect();
    c.set_tags(tags.clone());
    c.date_updated = cx.now_ms;
    Ok(Reply::ok(json!({ "tags": tags })))
}

const MAX_BULK: usize = 10_000;

pub fn bulk_tags(w: &mut World, cx: &Ctx, kind: &str) -> Res {
    let add = match kind {
        "add" => true,
        "remove" => false,
        _ => return Err(Reply::unprocessable(vec!["type must be one of the following values: add, remove".into()])),
    };
    let body = cx.dto(validate::BULK_TAGS)?;
    let ids: Vec<String> =
        body.get("contacts").and_then(Value::as_array).into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect();
    if ids.len() > MAX_BULK {
        return Err(Reply::unprocessable(vec![format!("contacts must contain no more than {MAX_BULK} elements")]));
    }
    let tags = normalize_tags(body.get("tags").and_then(Value::as_array).into_iter().flatten());
    let remove_all = body.get("removeAllTags").and_then(Value::as_bool).unwrap_or(false);
    if remove_all && add {
        return Err(Reply::bad_request("removeAllTags can only be used with the remove type"));
    }
    let loc = location(w, cx)?;
    let mut responses = Vec::new();
    let mut errors = 0;
    for id in ids {
        let Some(c) = loc.contact_mut(&id) else {
            errors += 1;
            responses.push(json!({"contactId": id, "message": "Contact not found", "type": "error"}));
            continue;
        };
        let old = c.tags();
        let new: Vec<String> = if add {
            let mut n = old.clone();
            n.extend(tags.iter().filter(|t| !old.contains(t)).cloned());
            n
        } else if remove_all {
            Vec::new()
        } else {
            old.iter().filter(|t| !tags.contains(t)).cloned().collect()
        };
        let added: Vec<&String> = new.iter().filter(|t| !old.contains(t)).collect();
        let removed: Vec<&String> = old.iter().filter(|t| !new.contains(t)).collect();
        responses.push(json!({"contactId": id, "message": "Tags updated", "type": "success",
            "oldTags": old, "tagsAdded": added, "tagsRemoved": removed}));
        c.set_tags(new);
        c.date_updated = cx.now_ms;
    }
    Ok(Reply::created(json!({ "succeded": errors == 0, "errorCount": errors, "responses": responses })))
}

pub fn bulk_business(w: &mut World, cx: &Ctx) -> Res {
    let body = cx.dto(validate::BULK_BUSINESS)?;
    let ids: Vec<String> =
        body.get("ids").and_then(Value::as_array).into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect();
    if ids.len() > MAX_BULK {
        return Err(Reply::unprocessable(vec![format!("ids must contain no more than {MAX_BULK} elements")]));
    }
    let business = body.get("businessId").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let loc = location(w, cx)?;
    let mut updated = Vec::new();
    for id in ids {
        if let Some(c) = loc.contact_mut(&id) {
            match &business {
                Some(b) => c.fields.insert("businessId".into(), Value::from(b.clone())),
                None => c.fields.remove("businessId"),
            };
            c.date_updated = cx.now_ms;
            updated.push(id);
        }
    }
    Ok(Reply::ok(json!({ "success": true, "ids": updated })))
}
