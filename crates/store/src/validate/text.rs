//! TEMPORARY stand-in until the validation module lands.
#![allow(missing_docs)]
use std::borrow::Cow;
pub fn clean_text(input: &str) -> Cow<'_, str> {
    Cow::Owned(input.split_whitespace().collect::<Vec<_>>().join(" "))
}
pub fn has_nul(input: &str) -> bool {
    input.contains('\0')
}
