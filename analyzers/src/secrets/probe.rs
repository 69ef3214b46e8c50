//! Whether [`Redactor::scrub_value`] would change a value's JSON form, found without making
//! that form: a serde serializer that visits every string the JSON value would hold (values,
//! object keys, enum variant names) and stops at the first one the redactor would change.
//!
//! The report's redaction ([`crate::report::Report::redact`]) asks this first. Most reports
//! hide nothing, and building the whole `serde_json::Value` (one allocation per string and one
//! hashed insertion per field) only to find that out was the larger part of the drift's last
//! step. The answer is exact or "unsure": wherever this serializer is not certain that
//! `serde_json::to_value` makes exactly the strings it checked (a map key of a kind it does not
//! convert), it answers "unsure" and the caller takes the `Value` path.

use std::borrow::Cow;
use std::fmt::Display;

use serde::ser::{self, Serialize};

use super::text::redact_text;
use super::values::Redactor;

/// What [`would_change`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// No string of the JSON form would change.
    Clean,
    /// Some string would change: take the `Value` path.
    Changes,
    /// A shape this serializer does not mirror exactly: take the `Value` path.
    Unsure,
}

/// [`Probe::Clean`] only when `Redactor::scrub_value(&mut serde_json::to_value(value)?, false)`
/// would return `false`.
pub fn would_change<T: Serialize + ?Sized>(redactor: &Redactor, value: &T) -> Probe {
    match value.serialize(Values(redactor)) {
        Ok(()) => Probe::Clean,
        Err(Stop::Changes) => Probe::Changes,
        Err(Stop::Unsure) => Probe::Unsure,
    }
}

/// Why the visit stopped early.
#[derive(Debug)]
enum Stop {
    Changes,
    Unsure,
}

impl Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stop::Changes => "a string would change",
            Stop::Unsure => "a shape the probe does not mirror",
        })
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    /// A `Serialize` impl failing on its own: `to_value` would fail too; let it say so.
    fn custom<T: Display>(_: T) -> Self {
        Stop::Unsure
    }
}

/// A string value: `scrub_value` scrubs it, then redacts credential shapes.
fn value(r: &Redactor, s: &str) -> Result<(), Stop> {
    let scrubbed = r.scrub(s);
    if redact_text(&scrubbed, false).as_ref() != s {
        return Err(Stop::Changes);
    }
    Ok(())
}

/// An object key: `scrub_value` rewrites the object when the redactor changes a key.
fn key(r: &Redactor, k: &str) -> Result<(), Stop> {
    match r.scrub(k) {
        Cow::Owned(_) => Err(Stop::Changes),
        Cow::Borrowed(_) => Ok(()),
    }
}

/// Visits a value as `serde_json::value::Serializer` would build it.
#[derive(Clone, Copy)]
struct Values<'r>(&'r Redactor);

/// Visits a map key as serde_json's map-key serializer turns it into a string.
#[derive(Clone, Copy)]
struct Keys<'r>(&'r Redactor);

macro_rules! fine {
    ($($name:ident: $ty:ty),*) => {
        $(fn $name(self, _: $ty) -> Result<(), Stop> { Ok(()) })*
    };
}

impl<'r> ser::Serializer for Values<'r> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    // Numbers, booleans and bytes (an array of numbers) hold no string.
    fine!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
          serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
          serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_f32: f32,
          serialize_f64: f64, serialize_bytes: &[u8]);

    fn serialize_char(self, v: char) -> Result<(), Stop> {
        value(self.0, v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        value(self.0, v)
    }
    fn serialize_none(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Stop> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Stop> {
        value(self.0, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Stop> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Stop> {
        key(self.0, variant)?;
        v.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        key(self.0, variant)?;
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        key(self.0, variant)?;
        Ok(self)
    }
}

/// The compounds whose elements are values (sequences, tuples, tuple structs and variants).
macro_rules! elements {
    ($($trait:ident::$method:ident),*) => {
        $(impl ser::$trait for Values<'_> {
            type Ok = ();
            type Error = Stop;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
                v.serialize(*self)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        })*
    };
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// The compounds with named fields (structs and struct variants): each name is an object key.
macro_rules! named_fields {
    ($($trait:ident),*) => {
        $(impl ser::$trait for Values<'_> {
            type Ok = ();
            type Error = Stop;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                v: &T,
            ) -> Result<(), Stop> {
                key(self.0, name)?;
                v.serialize(*self)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        })*
    };
}

named_fields!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Values<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Stop> {
        k.serialize(Keys(self.0))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
        v.serialize(*self)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

/// Integer keys become their decimal text; strings, chars and unit variants their own text.
/// Any other key kind is [`Stop::Unsure`] (the `Value` path then decides, errors included).
macro_rules! int_keys {
    ($($name:ident: $ty:ty),*) => {
        $(fn $name(self, v: $ty) -> Result<(), Stop> { key(self.0, &v.to_string()) })*
    };
}

macro_rules! unsure {
    ($($name:ident: $ty:ty),*) => {
        $(fn $name(self, _: $ty) -> Result<(), Stop> { Err(Stop::Unsure) })*
    };
}

impl ser::Serializer for Keys<'_> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = ser::Impossible<(), Stop>;
    type SerializeTuple = ser::Impossible<(), Stop>;
    type SerializeTupleStruct = ser::Impossible<(), Stop>;
    type SerializeTupleVariant = ser::Impossible<(), Stop>;
    type SerializeMap = ser::Impossible<(), Stop>;
    type SerializeStruct = ser::Impossible<(), Stop>;
    type SerializeStructVariant = ser::Impossible<(), Stop>;

    int_keys!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
              serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
              serialize_u64: u64, serialize_u128: u128);
    unsure!(serialize_bool: bool, serialize_f32: f32, serialize_f64: f64,
            serialize_bytes: &[u8]);

    fn serialize_char(self, v: char) -> Result<(), Stop> {
        key(self.0, v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        key(self.0, v)
    }
    fn serialize_none(self) -> Result<(), Stop> {
        Err(Stop::Unsure)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Stop> {
        Err(Stop::Unsure)
    }
    fn serialize_unit(self) -> Result<(), Stop> {
        Err(Stop::Unsure)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Stop> {
        Err(Stop::Unsure)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Stop> {
        key(self.0, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Stop> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Stop> {
        Err(Stop::Unsure)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
        Err(Stop::Unsure)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
        Err(Stop::Unsure)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Stop> {
        Err(Stop::Unsure)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        Err(Stop::Unsure)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        Err(Stop::Unsure)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
        Err(Stop::Unsure)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        Err(Stop::Unsure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::values::SecretValues;
    use serde::Serialize;
    use std::collections::{BTreeMap, HashMap};

    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum Kind {
        Plain,
        Hunter2Value,
        Wrapped(String),
        Pair(u8, String),
        Shaped { inner: String },
    }

    #[derive(Serialize)]
    struct Inner {
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        hunter2: Option<u32>,
        tags: Vec<String>,
    }

    #[derive(Serialize)]
    struct Doc {
        path: String,
        kind: Kind,
        inner: Option<Inner>,
        by_name: BTreeMap<String, u64>,
        by_number: HashMap<u32, String>,
        chars: Vec<char>,
        many: Vec<String>,
        #[serde(flatten)]
        extra: BTreeMap<String, String>,
    }

    fn doc() -> Doc {
        Doc {
            path: "lms/envs/common.py".into(),
            kind: Kind::Plain,
            inner: Some(Inner {
                name: "x".into(),
                hunter2: None,
                tags: vec!["a".into()],
            }),
            by_name: BTreeMap::from([("lms".into(), 3)]),
            by_number: HashMap::from([(7, "seven".into())]),
            chars: vec!['a'],
            many: (0..80).map(|i| format!("file{i}.py")).collect(),
            extra: BTreeMap::from([("note".into(), "fine".into())]),
        }
    }

    /// What the `Value` path says: does `scrub_value` change anything?
    fn value_path(r: &Redactor, d: &Doc) -> bool {
        let mut v = serde_json::to_value(d).unwrap();
        r.scrub_value(&mut v, false)
    }

    fn redactor(secret: &str) -> Redactor {
        let mut values = SecretValues::default();
        values.insert(secret);
        Redactor::new(values)
    }

    /// Each case puts something the redactor changes in one place of the document; the probe
    /// and the `Value` path agree on every one, and on the clean document.
    #[test]
    fn the_probe_agrees_with_the_value_path_wherever_a_string_lands() {
        let r = redactor("hunter2");
        type Edit = fn(&mut Doc);
        let cases: Vec<(&str, Edit)> = vec![
            ("clean", |_| {}),
            ("a string value", |d| d.path = "a/hunter2/b".into()),
            ("a credential shape", |d| {
                d.path = "DB_PASSWORD = 's3cr3t!'".into()
            }),
            ("a URL password", |d| {
                d.path = "see redis://:pw@host:6379".into()
            }),
            ("a unit variant", |d| d.kind = Kind::Hunter2Value),
            ("a newtype variant's value", |d| {
                d.kind = Kind::Wrapped("hunter2".into())
            }),
            ("a tuple variant's field", |d| {
                d.kind = Kind::Pair(1, "hunter2".into())
            }),
            ("a struct variant's field", |d| {
                d.kind = Kind::Shaped {
                    inner: "hunter2".into(),
                }
            }),
            ("a nested field", |d| {
                if let Some(i) = &mut d.inner {
                    i.tags.push("x hunter2".into());
                }
            }),
            ("a field name when present", |d| {
                if let Some(i) = &mut d.inner {
                    i.hunter2 = Some(1);
                }
            }),
            ("a map key", |d| {
                d.by_name.insert("hunter2".into(), 1);
            }),
            ("an integer map key", |d| {
                d.by_number.insert(12, "twelve".into());
            }),
            ("a flattened key", |d| {
                d.extra.insert("hunter2".into(), "v".into());
            }),
            ("a flattened value", |d| {
                d.extra.insert("k".into(), "hunter2".into());
            }),
            ("a long array's last element", |d| {
                d.many.push("hunter2.py".into())
            }),
            ("a PEM block", |d| {
                d.path =
                    "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----".into()
            }),
        ];
        let mut changed = 0;
        for (what, edit) in cases {
            let mut d = doc();
            edit(&mut d);
            let want = value_path(&r, &d);
            changed += usize::from(want);
            let got = would_change(&r, &d);
            assert_eq!(
                got,
                if want { Probe::Changes } else { Probe::Clean },
                "{what}"
            );
        }
        assert_eq!(
            changed, 14,
            "every case but the clean one and the integer key hides something"
        );
        // An all-digit secret equal to an integer key: the key is scrubbed as text.
        let digits = redactor("424242");
        let mut d = doc();
        d.by_number.insert(424242, "n".into());
        assert!(value_path(&digits, &d));
        assert_eq!(would_change(&digits, &d), Probe::Changes);
    }

    /// On every scenario's whole report: clean with the run's own secrets (the report is
    /// already redacted), and, with a secret equal to a string the report holds (each of
    /// several picked across the report), exactly what the `Value` path says.
    #[test]
    fn the_probe_agrees_with_the_value_path_on_every_scenario_report() {
        use forkcheck_fixtures::{shared, Scenario};
        let mut reports = 0;
        for scenario in Scenario::ALL {
            let g = shared(scenario);
            // Scenarios that stop with their own error (shallow, partial clones) have no report.
            let Ok(ctx) = crate::Context::open(&crate::OpenOptions::new(&g.fork)) else {
                continue;
            };
            let Ok(report) = crate::run(&ctx, &crate::NoProgress) else {
                continue;
            };
            let own = Redactor::new(report.secrets.clone());
            let mut v = serde_json::to_value(&report).unwrap();
            assert!(
                !own.scrub_value(&mut v, false),
                "{scenario:?}: redacted already"
            );
            assert_eq!(would_change(&own, &report), Probe::Clean, "{scenario:?}");
            // Strings of the report's JSON form, long enough to be taken as a secret.
            let mut strings = Vec::new();
            collect(&v, &mut strings);
            strings.retain(|s| s.chars().count() >= 8 && !s.contains(['=', ':']));
            strings.sort();
            strings.dedup();
            let step = (strings.len() / 12).max(1);
            let mut checked = 0;
            for s in strings.iter().step_by(step) {
                let r = redactor(s);
                let mut v = serde_json::to_value(&report).unwrap();
                let want = r.scrub_value(&mut v, false);
                let got = would_change(&r, &report);
                assert_eq!(
                    got,
                    if want { Probe::Changes } else { Probe::Clean },
                    "{scenario:?}: secret {s:?}"
                );
                checked += usize::from(want);
            }
            assert!(checked > 0, "{scenario:?}: no secret changed the report");
            reports += 1;
        }
        assert!(reports >= 8, "only {reports} scenarios gave a report");
    }

    fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| {
                out.push(k.clone());
                collect(x, out)
            }),
            _ => {}
        }
    }

    #[test]
    fn a_key_kind_it_does_not_mirror_is_unsure() {
        let r = redactor("hunter2");
        let m: BTreeMap<bool, u8> = BTreeMap::from([(true, 1)]);
        assert_eq!(would_change(&r, &m), Probe::Unsure);
    }
}
