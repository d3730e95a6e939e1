use crate::Color;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The type of a property, which decides the accessor to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PropertyType {
    /// `get_bool` / `set_bool`.
    Bool,
    /// `get_int` / `set_int`.
    Int,
    /// `get_float` / `set_float`.
    Float,
    /// `get_double` / `set_double`.
    Double,
    /// `get_string` / `set_string`.
    String,
    /// `get_color` / `set_color`.
    Color,
    /// `get_enum` / `set_enum`.
    Enum,
}

impl PropertyType {
    /// The getter that reads this type, e.g. `get_string`.
    pub fn getter(self) -> &'static str {
        match self {
            PropertyType::Bool => "get_bool",
            PropertyType::Int => "get_int",
            PropertyType::Float => "get_float",
            PropertyType::Double => "get_double",
            PropertyType::String => "get_string",
            PropertyType::Color => "get_color",
            PropertyType::Enum => "get_enum",
        }
    }

    /// The setter that writes this type, e.g. `set_string`.
    pub fn setter(self) -> &'static str {
        match self {
            PropertyType::Bool => "set_bool",
            PropertyType::Int => "set_int",
            PropertyType::Float => "set_float",
            PropertyType::Double => "set_double",
            PropertyType::String => "set_string",
            PropertyType::Color => "set_color",
            PropertyType::Enum => "set_enum",
        }
    }
}

impl fmt::Display for PropertyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A property value of any type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PropertyValue {
    /// A boolean.
    Bool(bool),
    /// A 32-bit integer.
    Int(i32),
    /// A single-precision number.
    Float(f32),
    /// A double-precision number.
    Double(f64),
    /// Text.
    String(String),
    /// An RGBA colour.
    Color(Color),
    /// One of the property's enum values.
    Enum(String),
}

impl PropertyValue {
    /// The type of this value.
    pub fn property_type(&self) -> PropertyType {
        match self {
            PropertyValue::Bool(_) => PropertyType::Bool,
            PropertyValue::Int(_) => PropertyType::Int,
            PropertyValue::Float(_) => PropertyType::Float,
            PropertyValue::Double(_) => PropertyType::Double,
            PropertyValue::String(_) => PropertyType::String,
            PropertyValue::Color(_) => PropertyType::Color,
            PropertyValue::Enum(_) => PropertyType::Enum,
        }
    }

    /// The value as plain JSON (numbers, strings, `{r,g,b,a}` for colours).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            PropertyValue::Bool(b) => (*b).into(),
            PropertyValue::Int(i) => (*i).into(),
            PropertyValue::Float(f) => serde_json::Value::from(*f as f64),
            PropertyValue::Double(d) => serde_json::Value::from(*d),
            PropertyValue::String(s) | PropertyValue::Enum(s) => s.clone().into(),
            PropertyValue::Color(c) => serde_json::json!({"r": c.r, "g": c.g, "b": c.b, "a": c.a}),
        }
    }

    /// Reads a plain JSON value as a property of type `ty`; `None` when it does not fit.
    pub fn from_json(ty: PropertyType, value: &serde_json::Value) -> Option<PropertyValue> {
        Some(match ty {
            PropertyType::Bool => PropertyValue::Bool(value.as_bool()?),
            PropertyType::Int => PropertyValue::Int(i32::try_from(value.as_i64()?).ok()?),
            PropertyType::Float => PropertyValue::Float(value.as_f64()? as f32),
            PropertyType::Double => PropertyValue::Double(value.as_f64()?),
            PropertyType::String => PropertyValue::String(value.as_str()?.to_string()),
            PropertyType::Enum => PropertyValue::Enum(value.as_str()?.to_string()),
            PropertyType::Color => {
                PropertyValue::Color(serde_json::from_value(value.clone()).ok()?)
            }
        })
    }
}

impl fmt::Display for PropertyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropertyValue::Bool(v) => write!(f, "{v}"),
            PropertyValue::Int(v) => write!(f, "{v}"),
            PropertyValue::Float(v) => write!(f, "{v}"),
            PropertyValue::Double(v) => write!(f, "{v}"),
            PropertyValue::String(v) | PropertyValue::Enum(v) => write!(f, "{v:?}"),
            PropertyValue::Color(c) => write!(f, "rgba({}, {}, {}, {})", c.r, c.g, c.b, c.a),
        }
    }
}
