//! The personalization language: Handlebars syntax, restricted to what every export target can express.

pub mod ast;
pub mod error;
pub mod parse;

pub use ast::{CmpOp, Cond, DataPath, Format, LoopVar, Node, Operand, Placeholder};
pub use error::LangError;
pub use parse::{parse_condition, parse_plain, parse_text, LiteralMode, Lowerer, StaticEnv, StaticValue};
