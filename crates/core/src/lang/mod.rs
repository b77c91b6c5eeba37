//! The personalization language: Handlebars syntax, restricted to what every export target can express.

pub(crate) mod ast;
pub(crate) mod error;
pub(crate) mod lower;

pub use ast::{CmpOp, Cond, DataPath, Format, LoopVar, Node, Operand, Placeholder};
pub use error::LangError;
pub(crate) use lower::parse_condition;
pub use lower::{parse_text, LiteralMode, Lowerer, StaticEnv, StaticValue};
