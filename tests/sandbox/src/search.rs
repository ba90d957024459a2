//! `POST /contacts/search`: filters (with AND/OR groups), sort, free-text query, and paging by
//! `page` or by the `searchAfter` cursor each result carries.

use std::cmp::Ordering;

use serde_json::{json, Value};

use crate::api::{Ctx, Res};
use crate::contacts::{location, matches_query};
use crate::reply::Reply;
use crate::state::{Contact, World};
use crate::{time, validate};

const MAX_PAGE_LIMIT: u64 = 500;
/// Standard paging reaches this many records; past it, `searchAfter` is required.
const MAX_PAGED_RECORDS: u64 = 10_000;
const MAX_FILTER_VALUE: usize = 75;
const MAX_FILTERS: usize = 100;
const MAX_DEPTH: usize = 4;

fn err(msg: impl Into<String>) -> Reply {
    Reply::unprocessable(vec![msg.into()])
}

/// A contact field for filters and sort: dotted paths into the contact JSON, dates as epoch ms,
/// `customFields.{id}` for custom values.
fn field_value(c: &Contact, json: &Value, field: &str) -> Value {
    match field {
        "dateAdded" => return Value::from(c.date_added),
        "dateUpdated" => return Value::from(c.date_updated),
        "id" => return Value::from(c.id.clone()),
        _ => {}
    }
    if let Some(id) = field.strip_prefix("customFields.").or_else(|| field.strip_prefix("customField.")) {
        return c.custom.iter().find(|(fid, _)| fid == id).map(|(_, v)| v.clone()).unwrap_or(Value::Null);
    }
    let mut cur = json;
    for part in field.split('.') {
        match cur.get(part) {
            Some(v) => cur = v,
            None => return Value::Null,
        }
    }
    cur.clone()
}

fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.to_lowercase() == y.to_lowercase(),
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::Number(y)) | (Value::Number(y), Value::String(x)) => x.trim().parse::<f64>().ok() == y.as_f64(),
        (Value::String(x), Value::Bool(y)) | (Value::Bool(y), Value::String(x)) => x.eq_ignore_ascii_case(&y.to_string()),
        _ => a == b,
    }
}

fn is_present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

/// Number for range comparisons; dates (ISO strings) become epoch ms.
fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().or_else(|| time::parse_iso(s).map(|ms| ms as f64)),
        _ => None,
    }
}

fn in_range(v: &Value, range: &serde_json::Map<String, Value>) -> bool {
    let Some(x) = as_number(v) else { return false };
    range.iter().all(|(op, bound)| {
        let Some(b) = as_number(bound) else { return false };
        match op.as_str() {
            "gte" => x >= b,
            "gt" => x > b,
            "lte" => x <= b,
            "lt" => x < b,
            _ => false,
        }
    })
}

/// Checks one filter (or group) for shape errors, so a bad filter is a 422, not "no results".
fn check_filter(f: &Value, depth: usize, count: &mut usize) -> Result<(), Reply> {
    *count += 1;
    if *count > MAX_FILTERS || depth > MAX_DEPTH {
        return Err(err(format!("filters may hold at most {MAX_FILTERS} filters nested {MAX_DEPTH} deep")));
    }
    let Some(m) = f.as_object() else { return Err(err("each filter must be an object")) };
    if let Some(g) = m.get("group") {
        if !matches!(g.as_str(), Some("AND") | Some("OR")) {
            return Err(err("filter group must be one of the following values: AND, OR"));
        }
        let Some(list) = m.get("filters").and_then(Value::as_array) else {
            return Err(err("a filter group needs a filters array"));
        };
        return list.iter().try_for_each(|x| check_filter(x, depth + 1, count));
    }
    if m.get("field").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err(err("filter field should not be empty"));
    }
    let op = m.get("operator").and_then(Value::as_str).unwrap_or("");
    let value = m.get("value");
    if let Some(s) = value.and_then(Value::as_str) {
        if s.chars().count() > MAX_FILTER_VALUE {
            return Err(err(format!("filter value must be shorter than or equal to {MAX_FILTER_VALUE} characters")));
        }
    }
    match op {
        "eq" | "not_eq" | "contains" | "not_contains" => {
            if value.is_none_or(Value::is_null) {
                return Err(err(format!("filter value should not be empty for operator {op}")));
            }
        }
        "exists" | "not_exists" => {}
        "range" => {
            if !value
                .and_then(Value::as_object)
                .is_some_and(|r| !r.is_empty() && r.keys().all(|k| matches!(k.as_str(), "gte" | "gt" | "lte" | "lt")))
            {
                return Err(err("range filter value must be an object with gte, gt, lte or lt"));
            }
        }
        _ => {
            return Err(err(
                "filter operator must be one of the following values: eq, not_eq, contains, not_contains, exists, not_exists, range",
            ))
        }
    }
    Ok(())
}

fn filter_matches(c: &Contact, json: &Value, f: &Value) -> bool {
    if let Some(g) = f.get("group").and_then(Value::as_str) {
        let list = f.get("filters").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
        return if g == "OR" { list.iter().any(|x| filter_matches(c, json, x)) } else { list.iter().all(|x| filter_matches(c, json, x)) };
    }
    let field = f.get("field").and_then(Value::as_str).unwrap_or("");
    let op = f.get("operator").and_then(Value::as_str).unwrap_or("");
    let wanted = f.get("value").cloned().unwrap_or(Value::Null);
    let actual = field_value(c, json, field);
    // Arrays (tags, multi-options) match when any element does; a list of wanted values is any-of.
    let elems: Vec<&Value> = match &actual {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    let wants: Vec<&Value> = match &wanted {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    let eq = || elems.iter().any(|a| wants.iter().any(|w| loose_eq(a, w)));
    let contains = || {
        elems.iter().any(|a| {
            let a = match a {
                Value::String(s) => s.to_lowercase(),
                other => other.to_string(),
            };
            wants.iter().any(|w| match w {
                Value::String(s) => a.contains(&s.to_lowercase()),
                other => a.contains(&other.to_string()),
            })
        })
    };
    match op {
        "eq" => eq(),
        "not_eq" => !eq(),
        "contains" => contains(),
        "not_contains" => !contains(),
        "exists" => is_present(&actual),
        "not_exists" => !is_present(&actual),
        "range" => wanted.as_object().is_some_and(|r| in_range(&actual, r)),
        _ => false,
    }
}

/// Sort value: strings compare case-insensitively, missing values sort first.
fn sort_value(c: &Contact, json: &Value, field: &str) -> Value {
    match field_value(c, json, field) {
        Value::String(s) => Value::String(s.to_lowercase()),
        Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
        v => v,
    }
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        _ => 4,
    }
}

fn cmp_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)).then_with(|| a.to_string().cmp(&b.to_string())),
    }
}

/// Compares two sort keys (sort values then the id, which keeps the order total).
fn cmp_keys(a: &[Value], b: &[Value], desc: &[bool]) -> Ordering {
    for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
        let o = cmp_values(x, y);
        let o = if desc.get(i).copied().unwrap_or(false) { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

pub fn search(w: &mut World, cx: &Ctx) -> Res {
    let body = cx.dto(validate::SEARCH)?;
    let page_limit = body.get("pageLimit").and_then(Value::as_f64).unwrap_or(0.0);
    if page_limit < 1.0 || page_limit.fract() != 0.0 {
        return Err(err("pageLimit must not be less than 1"));
    }
    if page_limit > MAX_PAGE_LIMIT as f64 {
        return Err(err(format!("pageLimit must not be greater than {MAX_PAGE_LIMIT}")));
    }
    let page_limit = page_limit as u64;
    let page = match body.get("page") {
        None | Some(Value::Null) => None,
        Some(p) => {
            let p = p.as_f64().unwrap_or(0.0);
            if p < 1.0 || p.fract() != 0.0 {
                return Err(err("page must not be less than 1"));
            }
            Some(p as u64)
        }
    };
    let search_after = body.get("searchAfter").and_then(Value::as_array).filter(|a| !a.is_empty()).cloned();
    if page.is_some() && search_after.is_some() {
        return Err(err("page and searchAfter cannot be used together"));
    }
    if let Some(p) = page {
        if p.saturating_mul(page_limit) > MAX_PAGED_RECORDS {
            return Err(err(format!("page and pageLimit reach past {MAX_PAGED_RECORDS} records; use searchAfter")));
        }
    }
    let query = body.get("query").and_then(Value::as_str).unwrap_or("").to_string();
    if query.chars().count() > 75 {
        return Err(err("query must be shorter than or equal to 75 characters"));
    }
    let filters = body.get("filters").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut count = 0;
    for f in &filters {
        check_filter(f, 0, &mut count)?;
    }
    let mut sort: Vec<(String, bool)> = Vec::new();
    for s in body.get("sort").and_then(Value::as_array).into_iter().flatten().take(10) {
        let field = s.get("field").and_then(Value::as_str).filter(|f| !f.is_empty());
        let dir = s.get("direction").and_then(Value::as_str).unwrap_or("asc");
        let Some(field) = field else { return Err(err("sort field should not be empty")) };
        if dir != "asc" && dir != "desc" {
            return Err(err("sort direction must be one of the following values: asc, desc"));
        }
        sort.push((field.to_string(), dir == "desc"));
    }
    if sort.is_empty() {
        // Newest first, like GHL's contact list.
        sort.push(("dateAdded".into(), true));
    }
    let desc: Vec<bool> = sort.iter().map(|(_, d)| *d).chain([false]).collect();
    if let Some(sa) = &search_after {
        if sa.len() != sort.len() + 1 {
            return Err(err(format!(
                "searchAfter must hold {} values: the sort values and the contact id, as returned with each contact",
                sort.len() + 1
            )));
        }
    }

    let loc = location(w, cx)?;
    let mut hits: Vec<(Vec<Value>, Value)> = Vec::new();
    for c in loc.contacts.values() {
        if !matches_query(c, &query) {
            continue;
        }
        let json = c.to_json(&loc.id);
        if !filters.iter().all(|f| filter_matches(c, &json, f)) {
            continue;
        }
        let mut key: Vec<Value> = sort.iter().map(|(f, _)| sort_value(c, &json, f)).collect();
        key.push(Value::from(c.id.clone()));
        hits.push((key, json));
    }
    hits.sort_by(|a, b| cmp_keys(&a.0, &b.0, &desc));
    let total = hits.len();
    let start = match (&search_after, page) {
        (Some(sa), _) => hits.partition_point(|(k, _)| cmp_keys(k, sa, &desc) != Ordering::Greater),
        (None, p) => ((p.unwrap_or(1) - 1) * page_limit) as usize,
    };
    let contacts: Vec<Value> = hits
        .into_iter()
        .skip(start)
        .take(page_limit as usize)
        .map(|(key, mut json)| {
            json["searchAfter"] = Value::from(key);
            json
        })
        .collect();
    Ok(Reply::ok(json!({ "contacts": contacts, "total": total })))
}
