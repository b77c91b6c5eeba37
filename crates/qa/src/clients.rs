//! Email clients as caniemail names them (`family.platform`, e.g. `outlook.windows`), the default
//! list the QA checks, and the globs that select clients (`gmail.*`, `*.ios`).

use crate::data::data;

/// The clients checked when the workspace's `[qa]` table names none: the families a marketing
/// email is usually tested in (Gmail, Outlook, Apple Mail, Yahoo, AOL, Samsung Email, Thunderbird,
/// Proton), with their platforms. Thunderbird for Windows is left out: caniemail has results for
/// a tenth of its features (name it in `[qa] clients` to check it anyway).
pub const DEFAULT_CLIENTS: &[&str] = &[
    "gmail.desktop-webmail",
    "gmail.ios",
    "gmail.android",
    "outlook.windows",
    "outlook.macos",
    "outlook.outlook-com",
    "outlook.ios",
    "outlook.android",
    "apple-mail.macos",
    "apple-mail.ios",
    "yahoo.desktop-webmail",
    "yahoo.ios",
    "yahoo.android",
    "aol.desktop-webmail",
    "aol.ios",
    "aol.android",
    "samsung-email.android",
    "thunderbird.macos",
    "protonmail.desktop-webmail",
    "protonmail.ios",
    "protonmail.android",
];

/// A client: family and platform.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Client {
    /// `outlook`.
    pub family: String,
    /// `windows`.
    pub platform: String,
}

impl Client {
    /// `outlook.windows`.
    #[must_use]
    pub fn key(&self) -> String {
        format!("{}.{}", self.family, self.platform)
    }

    /// `Outlook Windows`.
    #[must_use]
    pub fn display(&self) -> String {
        let names = &data().nicenames;
        let family = names.family.get(&self.family).unwrap_or(&self.family);
        let platform = names.platform.get(&self.platform).unwrap_or(&self.platform);
        format!("{family} {platform}")
    }
}

/// A family's display name (`apple-mail` → `Apple Mail`).
#[must_use]
pub fn family_name(family: &str) -> String {
    data()
        .nicenames
        .family
        .get(family)
        .cloned()
        .unwrap_or_else(|| family.to_owned())
}

/// Every client the data knows, sorted (computed once).
#[must_use]
pub fn all_clients() -> &'static [Client] {
    static ALL: std::sync::OnceLock<Vec<Client>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut out: Vec<Client> = data()
            .data
            .iter()
            .flat_map(|f| {
                f.stats.iter().flat_map(|(family, platforms)| {
                    platforms.keys().map(move |platform| Client {
                        family: family.clone(),
                        platform: platform.clone(),
                    })
                })
            })
            .collect();
        out.sort();
        out.dedup();
        out
    })
}

/// Whether `name` matches `glob`, where `*` stands for any run of characters.
#[must_use]
pub fn glob_matches(glob: &str, name: &str) -> bool {
    let mut parts = glob.split('*');
    let Some(first) = parts.next() else {
        return glob == name;
    };
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let tail: Vec<&str> = parts.collect();
    let Some((last, middle)) = tail.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = rest.get(i + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// The clients the globs select, sorted; the globs that selected nothing are returned too, so a
/// caller can report a typo.
#[must_use]
pub fn select(globs: &[String]) -> (Vec<Client>, Vec<String>) {
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let all = all_clients();
    let keys = KEYS.get_or_init(|| all.iter().map(Client::key).collect());
    let mut unmatched = Vec::new();
    let mut out = Vec::new();
    for glob in globs {
        let glob = glob.trim().to_ascii_lowercase();
        let hits: Vec<&Client> = all
            .iter()
            .zip(keys)
            .filter(|(_, key)| glob_matches(&glob, key))
            .map(|(c, _)| c)
            .collect();
        if hits.is_empty() {
            unmatched.push(glob);
        }
        out.extend(hits.into_iter().cloned());
    }
    out.sort();
    out.dedup();
    (out, unmatched)
}

/// The default client list as globs.
#[must_use]
pub fn default_globs() -> Vec<String> {
    DEFAULT_CLIENTS.iter().map(|s| (*s).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_shell_patterns() {
        assert!(glob_matches("gmail.*", "gmail.ios"));
        assert!(glob_matches("*.ios", "apple-mail.ios"));
        assert!(glob_matches("outlook.windows", "outlook.windows"));
        assert!(!glob_matches("outlook.windows", "outlook.windows-mail"));
        assert!(glob_matches("*", "aol.ios"));
        assert!(!glob_matches("gmail.*", "aol.ios"));
        assert!(glob_matches("o*k.w*s", "outlook.windows"));
    }

    #[test]
    fn the_default_list_names_known_clients_only() {
        let (clients, unmatched) = select(&default_globs());
        assert!(unmatched.is_empty(), "{unmatched:?}");
        assert_eq!(clients.len(), DEFAULT_CLIENTS.len());
        let (none, unmatched) = select(&["hotmail.*".to_owned()]);
        assert!(none.is_empty());
        assert_eq!(unmatched, vec!["hotmail.*".to_owned()]);
    }
}
