//! TEMPORARY stand-in until the validation module lands.
#![allow(missing_docs)]
pub fn country_code(input: &str) -> Option<&'static str> {
    match input.trim().to_lowercase().as_str() {
        "de" | "germany" | "deutschland" => Some("DE"),
        "us" | "usa" | "united states" => Some("US"),
        _ => None,
    }
}
