//! TEMPORARY stand-in until the formatting module lands.
#![allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    Short,
    Medium,
    Long,
    Iso,
}
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("unknown date style `{0}`")]
    UnknownDateStyle(String),
    #[error("x")]
    NotANumber(String),
    #[error("y")]
    NotADate(String),
}
impl std::str::FromStr for DateStyle {
    type Err = FormatError;
    fn from_str(s: &str) -> Result<Self, FormatError> {
        Ok(match s {
            "short" => Self::Short,
            "medium" => Self::Medium,
            "long" => Self::Long,
            "iso" => Self::Iso,
            _ => return Err(FormatError::UnknownDateStyle(s.into())),
        })
    }
}
pub fn currency_from_str(a: &str, c: &str, _l: &str) -> Result<String, FormatError> {
    let n: f64 = a.trim().parse().map_err(|_| FormatError::NotANumber(a.into()))?;
    Ok(format!("{c} {n:.2}"))
}
pub fn date(i: &str, _s: DateStyle, _l: &str) -> Result<String, FormatError> {
    Ok(i.get(..10).ok_or(FormatError::NotADate(i.into()))?.to_owned())
}
pub fn upper(s: &str) -> String {
    s.to_uppercase()
}
pub fn lower(s: &str) -> String {
    s.to_lowercase()
}
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase())
        .unwrap_or_default()
}
