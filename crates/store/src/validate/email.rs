//! TEMPORARY stand-in until the validation module lands.
#![allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub display: String,
    pub key: String,
}
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("no @")]
    NoAt,
    #[error("the domain has no dot")]
    DomainWithoutDot,
}
pub fn parse_email(input: &str) -> Result<Email, EmailError> {
    let t = input.trim();
    let (l, d) = t.split_once('@').ok_or(EmailError::NoAt)?;
    if !d.contains('.') {
        return Err(EmailError::DomainWithoutDot);
    }
    Ok(Email {
        display: format!("{l}@{}", d.to_lowercase()),
        key: t.to_lowercase(),
    })
}
