//! Notes, tasks and appointments of a contact. None of GHL's lists page: they return everything.

use std::cmp::Reverse;

use serde_json::{json, Map, Value};

use crate::api::{Ctx, Res};
use crate::contacts::{location, not_found};
use crate::reply::Reply;
use crate::state::{Location, Note, Task, World};
use crate::{time, validate};

/// Notes and tasks per contact are capped so a loop cannot grow the state without bound.
const MAX_ITEMS_PER_CONTACT: usize = 10_000;

fn note_not_found() -> Reply {
    Reply::not_found("Note not found")
}

fn task_not_found() -> Reply {
    Reply::not_found("Task not found")
}

fn contact_exists(loc: &Location, contact_id: &str) -> Result<(), Reply> {
    loc.contact(contact_id).map(|_| ()).ok_or_else(not_found)
}

fn str_of(body: &Map<String, Value>, k: &str) -> Option<String> {
    body.get(k).and_then(Value::as_str).map(str::to_string)
}

/// An optional string field: absent keeps, null or "" clears, a string sets.
fn set_opt(slot: &mut Option<String>, body: &Map<String, Value>, k: &str) {
    match body.get(k) {
        None => {}
        Some(Value::String(s)) if !s.is_empty() => *slot = Some(s.clone()),
        Some(_) => *slot = None,
    }
}

pub fn list_notes(w: &mut World, cx: &Ctx, contact_id: &str) -> Res {
    let loc = location(w, cx)?;
    contact_exists(loc, contact_id)?;
    let mut notes: Vec<&Note> = loc.notes.iter().rev().filter(|n| n.contact_id == contact_id).collect();
    notes.sort_by_key(|n| Reverse(n.date_added));
    Ok(Reply::ok(json!({ "notes": notes.iter().map(|n| n.to_json()).collect::<Vec<_>>() })))
}

pub fn create_note(w: &mut World, cx: &Ctx, contact_id: &str) -> Res {
    let body = cx.dto(validate::NOTE_CREATE)?;
    let id = w.ids.next('n');
    let loc = location(w, cx)?;
    contact_exists(loc, contact_id)?;
    if loc.notes.iter().filter(|n| n.contact_id == contact_id).count() >= MAX_ITEMS_PER_CONTACT {
        return Err(Reply::bad_request("This contact holds the maximum number of notes"));
    }
    let note = Note {
        id,
        contact_id: contact_id.to_string(),
        body: str_of(&body, "body").unwrap_or_default(),
        user_id: str_of(&body, "userId").filter(|s| !s.is_empty()),
        title: str_of(&body, "title").filter(|s| !s.is_empty()),
        color: str_of(&body, "color").filter(|s| !s.is_empty()),
        pinned: body.get("pinned").and_then(Value::as_bool).unwrap_or(false),
        date_added: cx.now_ms,
    };
    let out = note.to_json();
    loc.notes.push(note);
    Ok(Reply::created(json!({ "note": out })))
}

fn find_note<'l>(loc: &'l mut Location, contact_id: &str, note_id: &str) -> Result<&'l mut Note, Reply> {
    contact_exists(loc, contact_id)?;
    loc.notes.iter_mut().find(|n| n.id == note_id && n.contact_id == contact_id).ok_or_else(note_not_found)
}

pub fn get_note(w: &mut World, cx: &Ctx, contact_id: &str, note_id: &str) -> Res {
    let loc = location(w, cx)?;
    let n = find_note(loc, contact_id, note_id)?;
    Ok(Reply::ok(json!({ "note": n.to_json() })))
}

pub fn update_note(w: &mut World, cx: &Ctx, contact_id: &str, note_id: &str) -> Res {
    let body = cx.dto(validate::NOTE_UPDATE)?;
    let loc = location(w, cx)?;
    let n = find_note(loc, contact_id, note_id)?;
    if let Some(b) = str_of(&body, "body").filter(|s| !s.is_empty()) {
        n.body = b;
    }
    set_opt(&mut n.user_id, &body, "userId");
    set_opt(&mut n.title, &body, "title");
    set_opt(&mut n.color, &body, "color");
    if let Some(p) = body.get("pinned").and_then(Value::as_bool) {
        n.pinned = p;
    }
    Ok(Reply::ok(json!({ "note": n.to_json() })))
}

pub fn delete_note(w: &mut World, cx: &Ctx, contact_id: &str, note_id: &str) -> Res {
    let loc = location(w, cx)?;
    find_note(loc, contact_id, note_id)?;
    loc.notes.retain(|n| n.id != note_id);
    Ok(Reply::ok(json!({ "succeded": true })))
}

pub fn list_tasks(w: &mut World, cx: &Ctx, contact_id: &str) -> Res {
    let loc = location(w, cx)?;
    contact_exists(loc, contact_id)?;
    let tasks: Vec<Value> = loc.tasks.iter().filter(|t| t.contact_id == contact_id).map(Task::to_json).collect();
    Ok(Reply::ok(json!({ "tasks": tasks })))
}

fn due(body: &Map<String, Value>) -> Option<i64> {
    body.get("dueDate").and_then(Value::as_str).and_then(time::parse_iso)
}

pub fn create_task(w: &mut World, cx: &Ctx, contact_id: &str) -> Res {
    let body = cx.dto(validate::TASK_CREATE)?;
    let id = w.ids.next('t');
    let loc = location(w, cx)?;
    contact_exists(loc, contact_id)?;
    if loc.tasks.iter().filter(|t| t.contact_id == contact_id).count() >= MAX_ITEMS_PER_CONTACT {
        return Err(Reply::bad_request("This contact holds the maximum number of tasks"));
    }
    let task = Task {
        id,
        contact_id: contact_id.to_string(),
        title: str_of(&body, "title").unwrap_or_default(),
        body: str_of(&body, "body").filter(|s| !s.is_empty()),
        assigned_to: str_of(&body, "assignedTo").filter(|s| !s.is_empty()),
        due_date: due(&body).unwrap_or(cx.now_ms),
        completed: body.get("completed").and_then(Value::as_bool).unwrap_or(false),
    };
    let out = task.to_json();
    loc.tasks.push(task);
    Ok(Reply::created(json!({ "task": out })))
}

fn find_task<'l>(loc: &'l mut Location, contact_id: &str, task_id: &str) -> Result<&'l mut Task, Reply> {
    contact_exists(loc, contact_id)?;
    loc.tasks.iter_mut().find(|t| t.id == task_id && t.contact_id == contact_id).ok_or_else(task_not_found)
}

pub fn get_task(w: &mut World, cx: &Ctx, contact_id: &str, task_id: &str) -> Res {
    let loc = location(w, cx)?;
    let t = find_task(loc, contact_id, task_id)?;
    Ok(Reply::ok(json!({ "task": t.to_json() })))
}

pub fn update_task(w: &mut World, cx: &Ctx, contact_id: &str, task_id: &str) -> Res {
    let body = cx.dto(validate::TASK_UPDATE)?;
    let loc = location(w, cx)?;
    let t = find_task(loc, contact_id, task_id)?;
    if let Some(title) = str_of(&body, "title").filter(|s| !s.is_empty()) {
        t.title = title;
    }
    set_opt(&mut t.body, &body, "body");
    set_opt(&mut t.assigned_to, &body, "assignedTo");
    if let Some(d) = due(&body) {
        t.due_date = d;
    }
    if let Some(c) = body.get("completed").and_then(Value::as_bool) {
        t.completed = c;
    }
    Ok(Reply::ok(json!({ "task": t.to_json() })))
}

pub fn complete_task(w: &mut World, cx: &Ctx, contact_id: &str, task_id: &str) -> Res {
    let body = cx.dto(validate::TASK_COMPLETED)?;
    let loc = location(w, cx)?;
    let t = find_task(loc, contact_id, task_id)?;
    t.completed = body.get("completed").and_then(Value::as_bool).unwrap_or(t.completed);
    Ok(Reply::ok(json!({ "task": t.to_json() })))
}

pub fn delete_task(w: &mut World, cx: &Ctx, contact_id: &str, task_id: &str) -> Res {
    let loc = location(w, cx)?;
    find_task(loc, contact_id, task_id)?;
    loc.tasks.retain(|t| t.id != task_id);
    Ok(Reply::ok(json!({ "succeded": true })))
}

pub fn list_appointments(w: &mut World, cx: &Ctx, contact_id: &str) -> Res {
    let loc = location(w, cx)?;
    contact_exists(loc, contact_id)?;
    let events: Vec<Value> =
        loc.appointments.iter().filter(|a| a.get("contactId").and_then(Value::as_str) == Some(contact_id)).cloned().collect();
    Ok(Reply::ok(json!({ "events": events })))
}
