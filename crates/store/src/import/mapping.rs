//! Column mapping: header names (and their common aliases) to the store's fields, plus an explicit
//! mapping file for the rest.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::Kind;
use crate::StoreError;

/// `--mapping FILE` (TOML): `[columns]` "Header as written" = "field".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    /// Header → field.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

impl MappingFile {
    /// Reads a mapping file.
    ///
    /// # Errors
    /// Unreadable or invalid TOML.
    pub fn read(path: &Path) -> Result<Self, StoreError> {
        let text = std::fs::read_to_string(path).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| StoreError::Mapping {
            path: path.to_path_buf(),
            message: e.message().to_owned(),
        })
    }
}

/// The fields of each kind, in the order reports list them.
pub fn fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Profiles => &[
            "email",
            "crm_id",
            "shop_id",
            "first_name",
            "last_name",
            "phone",
            "locale",
            "timezone",
            "country",
            "postal_code",
            "city",
            "consent_email",
            "created_at",
            "updated_at",
            "source",
        ],
        Kind::Events => &[
            "email",
            "crm_id",
            "type",
            "sku",
            "category",
            "value",
            "currency",
            "occurred_at",
            "source",
        ],
        Kind::Products => &[
            "sku",
            "name",
            "price",
            "currency",
            "category",
            "image_url",
            "url",
            "stock",
        ],
    }
}

/// Required fields of each kind.
pub fn required(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Profiles => &["email"],
        Kind::Events => &["type", "occurred_at"],
        Kind::Products => &["sku", "name"],
    }
}

/// Lowercase letters and digits only: `E-mail Address` → `emailaddress`.
fn squash(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn alias(kind: Kind, squashed: &str) -> Option<&'static str> {
    let shared = match squashed {
        "email" | "emailaddress" | "mail" | "mailaddress" | "emailadresse" | "courriel" | "correo" => Some("email"),
        "crmid" | "customerid" | "customernumber" | "contactid" | "externalid" => Some("crm_id"),
        "source" | "origin" => Some("source"),
        "currency" | "currencycode" => Some("currency"),
        "sku" | "productid" | "productsku" | "itemid" | "articlenumber" => Some("sku"),
        "category" | "productcategory" => Some("category"),
        _ => None,
    };
    if shared.is_some() {
        return shared;
    }
    match kind {
        Kind::Profiles => Some(match squashed {
            "shopid" | "shopcustomerid" | "ecommerceid" => "shop_id",
            "firstname" | "givenname" | "forename" | "fname" | "vorname" | "prenom" => "first_name",
            "lastname" | "surname" | "familyname" | "lname" | "nachname" | "nom" => "last_name",
            "phone" | "phonenumber" | "mobile" | "mobilephone" | "telephone" | "tel" => "phone",
            "locale" | "language" | "lang" => "locale",
            "timezone" | "tz" | "timezoneoffset" => "timezone",
            "country" | "countrycode" | "land" | "pays" => "country",
            "postalcode" | "postcode" | "zip" | "zipcode" | "plz" => "postal_code",
            "city" | "town" | "ort" | "ville" => "city",
            "consentemail" | "emailconsent" | "optin" | "emailoptin" | "subscribed" | "acceptsmarketing" => {
                "consent_email"
            }
            "createdat" | "created" | "signupdate" | "signedupat" => "created_at",
            "updatedat" | "updated" | "lastmodified" | "modifiedat" => "updated_at",
            _ => return None,
        }),
        Kind::Events => Some(match squashed {
            "type" | "event" | "eventtype" | "eventname" | "action" => "type",
            "value" | "amount" | "revenue" | "total" | "price" => "value",
            "occurredat" | "timestamp" | "time" | "date" | "eventtime" | "createdat" => "occurred_at",
            _ => return None,
        }),
        Kind::Products => Some(match squashed {
            "name" | "title" | "productname" => "name",
            "price" | "unitprice" => "price",
            "imageurl" | "image" | "imagelink" => "image_url",
            "url" | "link" | "producturl" | "pageurl" => "url",
            "stock" | "inventory" | "quantity" | "qty" => "stock",
            _ => return None,
        }),
    }
}

/// Where each column goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A store field.
    Field(&'static str),
    /// A custom profile attribute, by its name.
    Attribute(String),
    /// Not used (events and products keep only their fields).
    Ignored,
}

/// Maps headers to targets; refuses blank and duplicate columns and missing required fields.
///
/// # Errors
/// The reason, as a sentence for the report.
pub fn map_headers(kind: Kind, headers: &[String], explicit: &MappingFile) -> Result<Vec<Target>, String> {
    let mut targets = Vec::with_capacity(headers.len());
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (i, header) in headers.iter().enumerate() {
        let header = header.trim();
        if header.is_empty() {
            return Err(format!("column {} has a blank column name", i + 1));
        }
        let target = target(kind, header, explicit)?;
        let key = match &target {
            Target::Field(f) => (*f).to_owned(),
            Target::Attribute(a) => format!("attribute {a}"),
            Target::Ignored => format!("ignored {i}"),
        };
        if let Some(previous) = seen.insert(key.clone(), header.to_owned()) {
            return Err(format!(
                "duplicate column: \"{previous}\" and \"{header}\" both mean {key}"
            ));
        }
        targets.push(target);
    }
    let missing: Vec<&str> = required(kind)
        .iter()
        .copied()
        .filter(|f| !targets.contains(&Target::Field(f)))
        .collect();
    if kind == Kind::Events && !targets.contains(&Target::Field("email")) && !targets.contains(&Target::Field("crm_id"))
    {
        return Err(format!(
            "no email or crm_id column to find each event's profile (columns: {})",
            headers.join(", ")
        ));
    }
    if let Some(first) = missing.first() {
        return Err(format!(
            "no {first} column (columns: {}); name it, or map it with --mapping",
            headers.join(", ")
        ));
    }
    Ok(targets)
}

/// Where one column (or JSON key) goes.
///
/// # Errors
/// A mapping to a field the kind does not have.
pub fn target(kind: Kind, header: &str, explicit: &MappingFile) -> Result<Target, String> {
    Ok(if let Some(field) = explicit.columns.get(header) {
        let known = fields(kind).iter().find(|f| **f == field.as_str()).copied();
        match (known, kind) {
            (Some(f), _) => Target::Field(f),
            (None, Kind::Profiles) => Target::Attribute(field.clone()),
            (None, _) => {
                return Err(format!(
                    "the mapping sends \"{header}\" to \"{field}\", which is not a field of {kind}"
                ))
            }
        }
    } else if let Some(field) = alias(kind, &squash(header)) {
        Target::Field(field)
    } else if kind == Kind::Profiles {
        Target::Attribute(attribute_name(header))
    } else {
        Target::Ignored
    })
}

/// A custom attribute's name: lowercase words joined by underscores.
fn attribute_name(header: &str) -> String {
    let mut out = String::new();
    for word in header.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn aliases_map_to_fields_and_the_rest_become_attributes() {
        let t = map_headers(
            Kind::Profiles,
            &headers(&["E-mail", "First Name", "surname", "Loyalty Tier"]),
            &MappingFile::default(),
        )
        .expect("maps");
        assert_eq!(
            t,
            vec![
                Target::Field("email"),
                Target::Field("first_name"),
                Target::Field("last_name"),
                Target::Attribute("loyalty_tier".into())
            ]
        );
    }

    #[test]
    fn duplicate_blank_and_missing_columns_are_refused() {
        let m = MappingFile::default();
        assert!(map_headers(Kind::Profiles, &headers(&["email", "Email"]), &m)
            .expect_err("dup")
            .contains("duplicate column"));
        assert!(map_headers(Kind::Profiles, &headers(&["email", " "]), &m)
            .expect_err("blank")
            .contains("blank column name"));
        assert!(map_headers(Kind::Profiles, &headers(&["name"]), &m)
            .expect_err("missing")
            .contains("no email column"));
        assert!(map_headers(Kind::Events, &headers(&["type", "occurred_at"]), &m)
            .expect_err("no ref")
            .contains("no email or crm_id"));
    }

    #[test]
    fn an_explicit_mapping_wins() {
        let mut m = MappingFile::default();
        m.columns.insert("Mailadresse".into(), "email".into());
        m.columns.insert("Kundennummer".into(), "crm_id".into());
        let t = map_headers(Kind::Profiles, &headers(&["Kundennummer", "Mailadresse"]), &m).expect("maps");
        assert_eq!(t, vec![Target::Field("crm_id"), Target::Field("email")]);
    }
}
