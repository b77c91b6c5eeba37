//! The personalization language: Handlebars syntax, restricted to what every export target can express.

pub(crate) mod ast;
pub(crate) mod error;
pub(crate) mod parse;

pub use ast::{CmpOp, Cond, DataPath, Format, LoopVar, Node, Operand, Placeholder};
pub use error::LangError;
pub(crate) use parse::parse_condition;
pub use parse::{parse_text, LiteralMode, Lowerer, StaticEnv, StaticValue};
