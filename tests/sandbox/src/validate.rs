//! Request-body checks in the style of GHL's NestJS DTOs (class-validator with a whitelist):
//! unknown properties are refused, and each failure becomes one message in a 422 array.

use serde_json::{Map, Value};

use crate::time;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    /// A string that may be explicitly null (still has to be present when required).
    NullableStr,
    Email,
    Bool,
    Num,
    StrArray,
    Array,
    /// An ISO 8601 date-time (task `dueDate`).
    IsoDate,
    /// `dateOfBirth` in one of GHL's eight formats.
    BirthDate,
    CustomFields,
    DndSettings,
    InboundDndSettings,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

const fn opt(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, required: false }
}

const fn req(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, required: true }
}

use Kind::*;

/// Fields shared by create, update and upsert (`UpdateContactDto`'s list).
const CONTACT_COMMON: [Field; 20] = [
    opt("firstName", Str),
    opt("lastName", Str),
    opt("name", Str),
    opt("email", Email),
    opt("phone", Str),
    opt("address1", Str),
    opt("city", Str),
    opt("state", Str),
    opt("postalCode", Str),
    opt("website", Str),
    opt("timezone", Str),
    opt("dnd", Bool),
    opt("dndSettings", DndSettings),
    opt("inboundDndSettings", InboundDndSettings),
    opt("tags", StrArray),
    opt("customFields", CustomFields),
    opt("source", Str),
    opt("dateOfBirth", BirthDate),
    opt("country", Str),
    opt("assignedTo", Str),
];

/// `CreateContactDto`: the common list plus `locationId*`, `gender`, `companyName`.
pub fn contact_create() -> Vec<Field> {
    let mut v = CONTACT_COMMON.to_vec();
    v.extend([req("locationId", Str), opt("gender", Str), opt("companyName", Str)]);
    v
}

/// `UpdateContactDto`: no `locationId`, `gender` or `companyName`.
pub fn contact_update() -> Vec<Field> {
    CONTACT_COMMON.to_vec()
}

/// `UpsertContactDto`: the create list plus `createNewIfDuplicateAllowed`.
pub fn contact_upsert() -> Vec<Field> {
    let mut v = contact_create();
    v.push(opt("createNewIfDuplicateAllowed", Bool));
    v
}

pub const NOTE_CREATE: &[Field] = &[req("body", Str), opt("userId", Str), opt("title", Str), opt("color", Str), opt("pinned", Bool)];
pub const NOTE_UPDATE: &[Field] = &[opt("body", Str), opt("userId", Str), opt("title", Str), opt("color", Str), opt("pinned", Bool)];
pub const TASK_CREATE: &[Field] =
    &[req("title", Str), opt("body", Str), req("dueDate", IsoDate), req("completed", Bool), opt("assignedTo", Str)];
pub const TASK_UPDATE: &[Field] =
    &[opt("title", Str), opt("body", Str), opt("dueDate", IsoDate), opt("completed", Bool), opt("assignedTo", Str)];
pub const TASK_COMPLETED: &[Field] = &[req("completed", Bool)];
pub const TAGS: &[Field] = &[req("tags", StrArray)];
pub const BULK_TAGS: &[Field] = &[req("contacts", StrArray), req("tags", StrArray), req("locationId", Str), opt("removeAllTags", Bool)];
pub const BULK_BUSINESS: &[Field] = &[req("locationId", Str), req("ids", StrArray), req("businessId", NullableStr)];
pub const SEARCH: &[Field] = &[
    req("locationId", Str),
    req("pageLimit", Num),
    opt("page", Num),
    opt("searchAfter", Array),
    opt("filters", Array),
    opt("sort", Array),
    opt("query", Str),
];

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

/// Validates a JSON object against a field list; returns the 422 messages (empty when valid).
pub fn check(body: &Map<String, Value>, fields: &[Field]) -> Vec<String> {
    let mut msgs = Vec::new();
    for k in body.keys() {
        if !fields.iter().any(|f| f.name == k) {
            msgs.push(format!("property {k} should not exist"));
        }
    }
    for f in fields {
        let v = body.get(f.name);
        let absent = match v {
            None | Some(Value::Null) => f.kind != NullableStr || v.is_none(),
            Some(Value::String(s)) => s.is_empty() && f.kind != NullableStr,
            _ => false,
        };
        if absent {
            if f.required {
                msgs.push(format!("{} should not be empty", f.name));
            }
            continue;
        }
        if let Some(v) = v {
            check_value(f.name, f.kind, v, &mut msgs);
        }
    }
    msgs
}

fn check_value(name: &str, kind: Kind, v: &Value, msgs: &mut Vec<String>) {
    match kind {
        Str => {
            if !v.is_string() {
                msgs.push(format!("{name} must be a string"));
            }
        }
        NullableStr => {
            if !v.is_string() && !v.is_null() {
                msgs.push(format!("{name} must be a string"));
            }
        }
        Email => match v.as_str() {
            Some(s) if is_email(s) => {}
            _ => msgs.push(format!("{name} must be an email")),
        },
        Bool => {
            if !v.is_boolean() {
                msgs.push(format!("{name} must be a boolean value"));
            }
        }
        Num => {
            if !v.is_number() {
                msgs.push(format!("{name} must be a number conforming to the specified constraints"));
            }
        }
        StrArray => match v.as_array() {
            None => msgs.push(format!("{name} must be an array")),
            Some(a) => {
                if a.iter().any(|x| !x.is_string()) {
                    msgs.push(format!("each value in {name} must be a string"));
                }
            }
        },
        Array => {
            if !v.is_array() {
                msgs.push(format!("{name} must be an array"));
            }
        }
        IsoDate => {
            if v.as_str().and_then(time::parse_iso).is_none() {
                msgs.push(format!("{name} must be a valid ISO 8601 date string"));
            }
        }
        BirthDate => {
            if v.as_str().and_then(time::parse_birth_date).is_none() {
                msgs.push(format!(
                    "{name} must be a date in one of the formats YYYY/MM/DD, MM/DD/YYYY, YYYY-MM-DD, MM-DD-YYYY, YYYY.MM.DD, MM.DD.YYYY, YYYY_MM_DD, MM_DD_YYYY"
                ));
            }
        }
        CustomFields => check_custom_fields(name, v, msgs),
        DndSettings => {
            check_dnd(name, v, &["Call", "Email", "SMS", "WhatsApp", "GMB", "FB"], &["active", "inactive", "permanent"], true, msgs)
        }
        InboundDndSettings => check_dnd(name, v, &["all"], &["active", "inactive"], false, msgs),
    }
}

fn check_custom_fields(name: &str, v: &Value, msgs: &mut Vec<String>) {
    let Some(items) = v.as_array() else {
        msgs.push(format!("{name} must be an array"));
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let Some(m) = item.as_object() else {
            msgs.push(format!("nested property {name}.{i} must be either object or array"));
            continue;
        };
        for k in m.keys() {
            if !matches!(k.as_str(), "id" | "key" | "field_value") {
                msgs.push(format!("{name}.{i}.property {k} should not exist"));
            }
        }
        for k in ["id", "key"] {
            if let Some(x) = m.get(k) {
                if !x.is_string() && !x.is_null() {
                    msgs.push(format!("{name}.{i}.{k} must be a string"));
                }
            }
        }
        let has = |k: &str| m.get(k).and_then(Value::as_str).is_some_and(|s| !s.is_empty());
        if !has("id") && !has("key") {
            msgs.push(format!("{name}.{i}.id should not be empty (pass either id or key)"));
        }
    }
}

fn check_dnd(name: &str, v: &Value, channels: &[&str], statuses: &[&str], with_code: bool, msgs: &mut Vec<String>) {
    let Some(m) = v.as_object() else {
        msgs.push(format!("nested property {name} must be either object or array"));
        return;
    };
    for (ch, setting) in m {
        if !channels.contains(&ch.as_str()) {
            msgs.push(format!("{name}.property {ch} should not exist"));
            continue;
        }
        let Some(s) = setting.as_object() else {
            msgs.push(format!("nested property {name}.{ch} must be either object or array"));
            continue;
        };
        for k in s.keys() {
            let known = k == "status" || k == "message" || (with_code && k == "code");
            if !known {
                msgs.push(format!("{name}.{ch}.property {k} should not exist"));
            }
        }
        match s.get("status").and_then(Value::as_str) {
            Some(st) if statuses.contains(&st) => {}
            _ => msgs.push(format!("{name}.{ch}.status must be one of the following values: {}", statuses.join(", "))),
        }
        for k in ["message", "code"] {
            if let Some(x) = s.get(k) {
                if !x.is_string() {
                    msgs.push(format!("{name}.{ch}.{k} must be a string"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msgs(v: Value, fields: &[Field]) -> Vec<String> {
        check(v.as_object().unwrap(), fields)
    }

    #[test]
    fn dto_messages() {
        assert_eq!(msgs(json!({"body":"x","additionalEmails":[]}), NOTE_CREATE), vec!["property additionalEmails should not exist"]);
        assert_eq!(
            msgs(json!({"completed":"yes","dueDate":"2020-10-25T11:00:00Z"}), TASK_CREATE),
            vec!["title should not be empty", "completed must be a boolean value"]
        );
        assert!(msgs(json!({"locationId":"L","companyName":"x"}), &contact_create()).is_empty());
        assert_eq!(msgs(json!({"companyName":"x"}), &contact_update()), vec!["property companyName should not exist"]);
        let cf =
            msgs(json!({"locationId":"L","customFields":[{"id":"a","field_value":"x"},{"key":"k","fieldValue":1},{}]}), &contact_create());
        assert_eq!(
            cf,
            vec!["customFields.1.property fieldValue should not exist", "customFields.2.id should not be empty (pass either id or key)"]
        );
        let dnd = msgs(json!({"dndSettings":{"Call":{"status":"on"},"Pager":{}}}), &contact_update());
        assert_eq!(dnd.len(), 2, "{dnd:?}");
        assert!(msgs(json!({"locationId":"L","ids":["a"],"businessId":null}), BULK_BUSINESS).is_empty());
        assert_eq!(msgs(json!({"locationId":"L","ids":["a"]}), BULK_BUSINESS), vec!["businessId should not be empty"]);
        assert_eq!(msgs(json!({"email":"nope"}), &contact_update()), vec!["email must be an email"]);
    }
}
