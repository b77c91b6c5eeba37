//! Validation and normalization of imported values: email addresses, timestamps, countries, text.

pub mod country;
pub mod email;
pub mod text;
pub mod timestamp;

#[cfg(test)]
mod test_rng;
