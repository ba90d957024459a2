//! Reading JSON: one small parser into a [`Json`] tree, and typed field readers over it.
//!
//! Why not `serde::Deserialize`: every derived deserializer is a generic state machine instantiated per type and
//! per format, and with GHL's models, the stored records and the messages that came to about 60 KB of the wasm
//! (gzip) — half the product's size budget. Reading by field name from one parsed tree costs a few hundred bytes
//! per type. Writing stays with `serde::Serialize` + `serde_json`, which is cheap.
//!
//! Everything read here is untrusted (GHL answers, storage, messages from content scripts), so the parser bounds
//! nesting, refuses invalid UTF-16 escapes and trailing text, and never panics.

use std::fmt;

/// Deepest nesting read; GHL's answers nest about 5 levels, hostile input could nest thousands.
const MAX_DEPTH: usize = 64;

/// A parsed JSON value. Object members keep their order; numbers keep their text (the core reads only integers,
/// and passes other numbers through unchanged).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Why a text is not the JSON, or not the shape, that was expected.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonError {
    /// The text ended inside a value.
    Eof,
    /// Not JSON: the message, the 1-based line and column.
    Syntax { message: &'static str, line: usize, column: usize },
    /// Valid JSON of the wrong shape.
    Shape(String),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Eof => f.write_str("the text ended early"),
            Self::Syntax { message, line, column } => write!(f, "{message} at line {line} column {column}"),
            Self::Shape(message) => f.write_str(message),
        }
    }
}

pub type JsonResult<T> = std::result::Result<T, JsonError>;

fn shape(message: String) -> JsonError {
    JsonError::Shape(message)
}

/// Parses one JSON value; surrounding whitespace is allowed, anything else after it is not.
pub fn parse(text: &str) -> JsonResult<Json> {
    let mut parser = Parser { text: text.as_bytes(), at: 0 };
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.at < parser.text.len() {
        return Err(parser.syntax("trailing characters"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn syntax(&self, message: &'static str) -> JsonError {
        if self.at >= self.text.len() {
            return JsonError::Eof;
        }
        let before = &self.text[..self.at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = self.at - before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
        JsonError::Syntax { message, line, column }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.text.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8, message: &'static str) -> JsonResult<()> {
        if self.peek() != Some(byte) {
            return Err(self.syntax(message));
        }
        self.at += 1;
        Ok(())
    }

    fn literal(&mut self, word: &'static [u8], value: Json) -> JsonResult<Json> {
        if !self.text[self.at..].starts_with(word) {
            // Point at the end when the text stops inside the word ("tru").
            if word.starts_with(&self.text[self.at..]) {
                return Err(JsonError::Eof);
            }
            return Err(self.syntax("expected a value"));
        }
        self.at += word.len();
        Ok(value)
    }

    fn value(&mut self, depth: usize) -> JsonResult<Json> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(JsonError::Eof),
            Some(b'n') => self.literal(b"null", Json::Null),
            Some(b't') => self.literal(b"true", Json::Bool(true)),
            Some(b'f') => self.literal(b"false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                let depth = self.nest(depth)?;
                let mut items = Vec::new();
                if self.close(b']') {
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth)?);
                    if self.separator(b']')? {
                        return Ok(Json::Array(items));
                    }
                }
            }
            Some(b'{') => {
                let depth = self.nest(depth)?;
                let mut members = Vec::new();
                if self.close(b'}') {
                    return Ok(Json::Object(members));
                }
                loop {
                    self.skip_whitespace();
                    if self.peek() != Some(b'"') {
                        return Err(self.syntax("expected a member name"));
                    }
                    let name = self.string()?;
                    self.skip_whitespace();
                    self.expect(b':', "expected `:`")?;
                    members.push((name, self.value(depth)?));
                    if self.separator(b'}')? {
                        return Ok(Json::Object(members));
                    }
                }
            }
            Some(_) => Err(self.syntax("expected a value")),
        }
    }

    /// Steps into an array or object.
    fn nest(&mut self, depth: usize) -> JsonResult<usize> {
        if depth >= MAX_DEPTH {
            return Err(self.syntax("nested too deeply"));
        }
        self.at += 1;
        Ok(depth + 1)
    }

    /// Consumes `end` right after an opening bracket (an empty array or object).
    fn close(&mut self, end: u8) -> bool {
        self.skip_whitespace();
        let empty = self.peek() == Some(end);
        if empty {
            self.at += 1;
        }
        empty
    }

    /// After an item: `,` (more follow, `false`) or `end` (`true`).
    fn separator(&mut self, end: u8) -> JsonResult<bool> {
        self.skip_whitespace();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(byte) if byte == end => {
                self.at += 1;
                Ok(true)
            }
            None => Err(JsonError::Eof),
            Some(_) => Err(self.syntax(if end == b']' { "expected `,` or `]`" } else { "expected `,` or `}`" })),
        }
    }

    fn number(&mut self) -> JsonResult<Json> {
        let start = self.at;
        let digits = |parser: &mut Self| {
            let from = parser.at;
            while let Some(b'0'..=b'9') = parser.peek() {
                parser.at += 1;
            }
            parser.at - from
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let leading_zero = self.peek() == Some(b'0');
        match digits(self) {
            0 => return Err(self.syntax("expected a digit")),
            n if leading_zero && n > 1 => return Err(self.syntax("a number may not start with 0")),
            _ => {}
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(self.syntax("expected a digit"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.syntax("expected a digit"));
            }
        }
        // Only ASCII was consumed, so this slice is valid UTF-8.
        Ok(Json::Number(String::from_utf8_lossy(&self.text[start..self.at]).into_owned()))
    }

    fn string(&mut self) -> JsonResult<String> {
        self.at += 1; // the opening quote
        let mut out = Vec::new();
        loop {
            let Some(byte) = self.peek() else { return Err(JsonError::Eof) };
            self.at += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(escape) = self.peek() else { return Err(JsonError::Eof) };
                    self.at += 1;
                    let simple = match escape {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let c = self.unicode_escape()?;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                            continue;
                        }
                        _ => {
                            self.at -= 1;
                            return Err(self.syntax("invalid escape"));
                        }
                    };
                    out.push(simple);
                }
                0..=0x1f => {
                    self.at -= 1;
                    return Err(self.syntax("control character in a string"));
                }
                _ => out.push(byte),
            }
        }
        // The input is a `&str`, and escapes add only whole characters, so this cannot fail.
        String::from_utf8(out).map_err(|_| self.syntax("invalid UTF-8"))
    }

    /// `\uXXXX`, joining a surrogate pair; a lone surrogate is an error.
    fn unicode_escape(&mut self) -> JsonResult<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.text[self.at..].starts_with(b"\\u") {
                    return Err(self.syntax("unpaired surrogate in an escape"));
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.syntax("unpaired surrogate in an escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.syntax("unpaired surrogate in an escape")),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.syntax("invalid escape"))
    }

    fn hex4(&mut self) -> JsonResult<u32> {
        let mut code = 0;
        for _ in 0..4 {
            let Some(byte) = self.peek() else { return Err(JsonError::Eof) };
            let digit = (byte as char).to_digit(16).ok_or_else(|| self.syntax("invalid escape"))?;
            code = code * 16 + digit;
            self.at += 1;
        }
        Ok(code)
    }
}

impl Json {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(text) => Some(text),
            _ => None,
        }
    }

    /// An integer number (`12`, also `12.0`); `None` for fractions, other types and out-of-range values.
    pub fn as_i64(&self) -> Option<i64> {
        let Self::Number(text) = self else { return None };
        let whole = match text.split_once('.') {
            Some((whole, fraction)) if fraction.bytes().all(|b| b == b'0') => whole,
            Some(_) => return None,
            None => text,
        };
        whole.parse().ok()
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        self.as_i64().and_then(|n| u64::try_from(n).ok())
    }

    /// A member of an object; `None` when absent, `null`, or when this is not an object.
    pub fn get(&self, name: &str) -> Option<&Json> {
        match self {
            Self::Object(members) => member(members, name),
            _ => None,
        }
    }

    /// This value as an object to read fields from; `what` names it in the error.
    pub fn object(&self, what: &str) -> JsonResult<Fields<'_>> {
        match self {
            Self::Object(members) => Ok(Fields { members, what: what.to_owned(), error: Default::default() }),
            _ => Err(shape(format!("{what} should be an object"))),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "true or false",
            Self::Number(_) => "a number",
            Self::String(_) => "text",
            Self::Array(_) => "a list",
            Self::Object(_) => "an object",
        }
    }
}

/// A type read from a JSON value.
pub trait FromJson: Sized {
    fn from_json(value: &Json) -> JsonResult<Self>;
}

/// Implements [`FromJson`] for a struct read field by field:
/// `read_fields!(Note, "a note" { id: text("id"), pinned: flag("pinned") });` — each reader is a [`Fields`] method.
macro_rules! read_fields {
    ($type:ty, $what:literal { $($field:ident: $reader:ident($name:literal)),* $(,)? }) => {
        impl $crate::platform::json::FromJson for $type {
            fn from_json(value: &$crate::platform::json::Json) -> $crate::platform::json::JsonResult<Self> {
                let fields = value.object($what)?;
                let read = Self { $($field: fields.$reader($name)),* };
                fields.finish(read)
            }
        }
    };
}
pub(crate) use read_fields;

/// Writes `value` as JSON text (`what` names it in the error). serde_json fails only on non-text map keys, which
/// no type here has; its error is not shown, because its `Display` would link every serde_json message and
/// `io::ErrorKind` name into the wasm.
pub fn write(value: &impl serde::Serialize, what: &str) -> crate::Result<String> {
    // Only the serializing is per type; the rest is shared (this function is instantiated for every view type).
    let mut out = Vec::with_capacity(256);
    let written = value.serialize(&mut serde_json::Serializer::new(&mut out)).is_ok();
    written_text(out, written, what)
}

#[inline(never)]
fn written_text(out: Vec<u8>, written: bool, what: &str) -> crate::Result<String> {
    match String::from_utf8(out) {
        Ok(text) if written => Ok(text),
        _ => Err(crate::Error::internal(format!("could not encode {what}"))),
    }
}

/// Parses `text` and reads a `T` from it.
pub fn read<T: FromJson>(text: &str) -> JsonResult<T> {
    T::from_json(&parse(text)?)
}

/// The members of one object, read by name. Absent and `null` read as `None`; a present value of the wrong type
/// reads as `None` too and is remembered: [`Fields::finish`] then fails, naming the field.
///
/// (Readers do not return `Result`s: a `?` after each of a struct's fields makes the compiler emit drop code for
/// every field read so far at every `?`, which is most of a reader's wasm size.)
pub struct Fields<'a> {
    members: &'a [(String, Json)],
    what: String,
    error: std::cell::RefCell<Option<JsonError>>,
}

impl<'a> Fields<'a> {
    pub fn get(&self, name: &str) -> Option<&'a Json> {
        member(self.members, name)
    }

    /// `value` when every field read well, else the first problem.
    pub fn finish<T>(&self, value: T) -> JsonResult<T> {
        match self.error.take() {
            None => Ok(value),
            Some(error) => Err(error),
        }
    }

    fn fail(&self, error: JsonError) {
        let mut first = self.error.borrow_mut();
        if first.is_none() {
            *first = Some(error);
        }
    }

    fn wrong(&self, name: &str, expected: &str, found: &Json) {
        self.fail(shape(format!("`{name}` of {} should be {expected}, not {}", self.what, found.kind())));
    }

    pub fn text(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Json::String(text) => Some(text.clone()),
            other => {
                self.wrong(name, "text", other);
                None
            }
        }
    }

    /// Text that must be present (empty, and remembered as a problem, when it is not).
    pub fn required_text(&self, name: &str) -> String {
        if self.get(name).is_none() {
            self.fail(shape(format!("{} lacks `{name}`", self.what)));
        }
        self.text(name).unwrap_or_default()
    }

    pub fn flag(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            Json::Bool(flag) => Some(*flag),
            other => {
                self.wrong(name, "true or false", other);
                None
            }
        }
    }

    pub fn integer(&self, name: &str) -> Option<i64> {
        let value = self.get(name)?;
        let integer = value.as_i64();
        if integer.is_none() {
            self.wrong(name, "a whole number", value);
        }
        integer
    }

    pub fn count(&self, name: &str) -> Option<u64> {
        let value = self.get(name)?;
        let count = value.as_u64();
        if count.is_none() {
            self.wrong(name, "a whole number ≥ 0", value);
        }
        count
    }

    /// A count that defaults to 0 when absent (still remembered as a problem when of the wrong type).
    pub fn count_or_zero(&self, name: &str) -> u64 {
        self.count(name).unwrap_or(0)
    }

    pub fn flag_or_false(&self, name: &str) -> bool {
        self.flag(name).unwrap_or(false)
    }

    pub fn texts_or_default(&self, name: &str) -> Vec<String> {
        self.texts(name).unwrap_or_default()
    }

    pub fn texts(&self, name: &str) -> Option<Vec<String>> {
        let mut texts = Vec::new();
        for item in self.list(name)? {
            match item {
                Json::String(text) => texts.push(text.clone()),
                other => {
                    self.wrong(name, "a list of text", other);
                    return None;
                }
            }
        }
        Some(texts)
    }

    pub fn item<T: FromJson>(&self, name: &str) -> Option<T> {
        T::from_json(self.get(name)?).map_err(|error| self.fail(error)).ok()
    }

    /// A list that reads as empty when absent.
    pub fn items_or_empty<T: FromJson>(&self, name: &str) -> Vec<T> {
        self.items(name).unwrap_or_default()
    }

    pub fn items<T: FromJson>(&self, name: &str) -> Option<Vec<T>> {
        let mut read = Vec::new();
        for item in self.list(name)? {
            match T::from_json(item) {
                Ok(value) => read.push(value),
                Err(error) => {
                    self.fail(error);
                    return None;
                }
            }
        }
        Some(read)
    }

    fn list(&self, name: &str) -> Option<&'a [Json]> {
        match self.get(name)? {
            Json::Array(items) => Some(items),
            other => {
                self.wrong(name, "a list", other);
                None
            }
        }
    }

    /// Refuses members other than `allowed`, and names given twice (a message must mean one thing).
    pub fn only(&self, allowed: &[&str]) -> JsonResult<()> {
        for (index, (name, _)) in self.members.iter().enumerate() {
            if !allowed.contains(&name.as_str()) {
                return Err(shape(format!("{} does not take `{}`", self.what, clip(name))));
            }
            if self.members[..index].iter().any(|(earlier, _)| earlier == name) {
                return Err(shape(format!("{} gives `{}` twice", self.what, clip(name))));
            }
        }
        Ok(())
    }
}

/// The first member called `name`, unless it is `null` (absent and `null` read alike).
fn member<'a>(members: &'a [(String, Json)], name: &str) -> Option<&'a Json> {
    members.iter().find(|(key, _)| key == name).map(|(_, v)| v).filter(|v| **v != Json::Null)
}

fn clip(name: &str) -> String {
    name.chars().take(40).collect()
}

/// A list of `T` (used by tests and the fuzzer; the core reads lists through [`Fields::items`]).
impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Json) -> JsonResult<Self> {
        match value {
            Json::Array(items) => items.iter().map(T::from_json).collect(),
            other => Err(shape(format!("expected a list, not {}", other.kind()))),
        }
    }
}

impl FromJson for Json {
    fn from_json(value: &Json) -> JsonResult<Self> {
        Ok(value.clone())
    }
}

/// Written back unchanged (a search cursor, a custom-field value): numbers keep their exact text.
impl serde::Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Bool(flag) => serializer.serialize_bool(*flag),
            Self::Number(text) => {
                // serde_json writes this struct's one field verbatim: how its `RawValue` serializes, without
                // `RawValue::from_string`'s re-validation, which would link serde_json's whole deserializer into
                // the wasm. The text is a number our parser checked. (`agrees_with_serde_json_on_valid_text`
                // catches a serde_json that changes the token.)
                use serde::ser::SerializeStruct;
                const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";
                let mut raw = serializer.serialize_struct(RAW_VALUE_TOKEN, 1)?;
                raw.serialize_field(RAW_VALUE_TOKEN, text)?;
                raw.end()
            }
            Self::String(text) => serializer.serialize_str(text),
            Self::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(json: &Json) -> String {
        serde_json::to_string(json).unwrap()
    }

    #[test]
    fn parses_every_kind_of_value() {
        let value = parse(r#" {"a": [1, -2.5e3, true, false, null, "x\"\u00e9\ud83d\ude00\n"], "b": {}, "c": []} "#).unwrap();
        let a = match value.get("a") {
            Some(Json::Array(items)) => items.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(a[0].as_i64(), Some(1));
        assert_eq!(a[1], Json::Number("-2.5e3".into()));
        assert_eq!(a[5].as_str(), Some("x\"é😀\n"));
        assert_eq!(value.get("b"), Some(&Json::Object(vec![])));
        assert_eq!(text_of(&value), r#"{"a":[1,-2.5e3,true,false,null,"x\"é😀\n"],"b":{},"c":[]}"#);
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            "{",
            "[1,",
            "[1 2]",
            "{\"a\" 1}",
            "{a:1}",
            "01",
            "1.",
            "-",
            "1e",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "tru",
            "nul",
            "[1]]",
            "{\"a\":1} x",
            "\"a\nb\"",
            "'a'",
            "NaN",
            "+1",
            "[,]",
            "{,}",
            "[1,]",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse("[1,").unwrap_err(), JsonError::Eof);
        assert_eq!(parse("{\"a\":1}\n x").unwrap_err().to_string(), "trailing characters at line 2 column 2");
    }

    #[test]
    fn bounds_nesting() {
        assert!(parse(&format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH))).is_ok());
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(parse(&deep), Err(JsonError::Syntax { message: "nested too deeply", .. })));
    }

    #[test]
    fn numbers_read_as_integers_only_when_whole() {
        let n = |text: &str| parse(text).unwrap();
        assert_eq!(n("86399").as_u64(), Some(86399));
        assert_eq!(n("12.000").as_i64(), Some(12));
        assert_eq!(n("12.5").as_i64(), None);
        assert_eq!(n("-3").as_u64(), None);
        assert_eq!(n("99999999999999999999").as_i64(), None);
        assert_eq!(n("1e3").as_i64(), None);
        assert_eq!(n("1699999999999").as_u64(), Some(1_699_999_999_999));
    }

    #[test]
    fn fields_read_by_type_and_name_the_field_when_wrong() {
        let value = parse(r#"{"name":"Jo","age":5,"tags":["a"],"gone":null,"flag":true}"#).unwrap();
        let fields = value.object("the contact").unwrap();
        assert_eq!(fields.text("name").as_deref(), Some("Jo"));
        assert_eq!(fields.text("gone"), None);
        assert_eq!(fields.text("missing"), None);
        assert_eq!(fields.count("age"), Some(5));
        assert_eq!(fields.texts("tags"), Some(vec!["a".to_owned()]));
        assert_eq!(fields.flag("flag"), Some(true));
        assert_eq!(fields.finish(()), Ok(()));
        assert_eq!(fields.text("age"), None);
        assert!(fields.texts("name").is_none());
        let error = fields.finish(()).unwrap_err().to_string();
        assert_eq!(error, "`age` of the contact should be text, not a number", "the first problem is reported");
        assert!(parse("[1]").unwrap().object("the answer").is_err());
        assert_eq!(fields.required_text("missing"), "");
        assert!(fields.finish(()).unwrap_err().to_string().contains("lacks `missing`"));
    }

    #[test]
    fn only_refuses_unknown_and_repeated_names() {
        let value = parse(r#"{"a":1,"b":2}"#).unwrap();
        assert!(value.object("x").unwrap().only(&["a", "b"]).is_ok());
        assert!(value.object("x").unwrap().only(&["a"]).unwrap_err().to_string().contains("does not take `b`"));
        let twice = parse(r#"{"a":1,"a":2}"#).unwrap();
        assert!(twice.object("x").unwrap().only(&["a"]).unwrap_err().to_string().contains("twice"));
    }

    #[test]
    fn agrees_with_serde_json_on_valid_text() {
        for text in [r#"{"k":[{"x":"\u0000\t"},0,-0,1.5E-7,"\\/"]}"#, "[]", "\"\"", "0", "[[[]]]"] {
            let ours = text_of(&parse(text).unwrap());
            let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::from_str::<serde_json::Value>(&ours).unwrap(), theirs, "{text}");
        }
    }
}
