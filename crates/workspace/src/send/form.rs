//! A test send as the Send screen asks for it, over the same [`Workspace::send_test`] that
//! `tessera send` calls.

use serde::{Deserialize, Serialize};

use super::{Route, SendReport, SendRequest};
use crate::{Workspace, WorkspaceError};

/// Where a test send goes, as chosen in the dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum RouteChoice {
    /// The configured default (`[send] smtp`, the only profile, or the outbox).
    Default,
    /// The local outbox.
    Outbox,
    /// A named SMTP profile.
    Profile(String),
    /// A one-off `smtp://host:port` (loopback) or `smtps://` URL.
    Url(String),
}

/// A test send as the dialog asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SendForm {
    /// The saved email to send.
    pub email: String,
    /// Seed addresses (each entry may hold several, separated by commas).
    pub to: Vec<String>,
    /// Stored profiles to render as; none: the first sample recipient.
    pub profiles: Vec<String>,
    /// Where to send.
    pub route: RouteChoice,
    /// Add the AMP for Email part (the Send screen's "AMP" switch).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub amp: bool,
}

/// Sends the test: one message per (profile, address), every result in the report (delivery
/// failures included).
///
/// # Errors
/// Anything found before the first message leaves (addresses, settings, password, a missing
/// profile, a render or image problem).
pub fn send(
    ws: &mut Workspace,
    form: &SendForm,
    cancel: &tessera_store::Cancel,
    tracking: Option<std::sync::Arc<dyn super::Tracking>>,
    progress: &dyn Fn(u64, u64),
) -> Result<SendReport, WorkspaceError> {
    let request = SendRequest {
        email: form.email.clone(),
        to: form.to.clone(),
        profiles: form
            .profiles
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect(),
        route: match &form.route {
            RouteChoice::Default => Route::Default,
            RouteChoice::Outbox => Route::Outbox,
            RouteChoice::Profile(name) => Route::Profile(name.clone()),
            RouteChoice::Url(url) => Route::Url(url.trim().to_owned()),
        },
        amp: form.amp,
        cancel: cancel.clone(),
        tracking,
    };
    ws.send_test(&request, &mut |_| {}, progress)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send::outbox::{list as outbox, message as outbox_message};
    use crate::send::setup::{setup, store_password};

    #[test]
    fn a_cancelled_send_stops_between_messages_and_reports_what_was_done() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::init(dir.path()).expect("init");
        let mut ws = Workspace::open(dir.path()).expect("open");
        let form = SendForm {
            email: "welcome".into(),
            to: vec!["a@example.com, b@example.com, c@example.com".into()],
            profiles: vec![],
            route: RouteChoice::Outbox,
            amp: false,
        };
        let cancel = tessera_store::Cancel::new();
        let stop = cancel.clone();
        // Cancelled once the first message is done: the other two never leave.
        let seen = std::cell::RefCell::new(Vec::new());
        let progress = |done: u64, total: u64| {
            seen.borrow_mut().push((done, total));
            stop.cancel();
        };
        let report = send(&mut ws, &form, &cancel, None, &progress).expect("send");
        assert_eq!(seen.into_inner(), [(1, 3), (2, 3), (3, 3)]);
        let statuses: Vec<_> = report.messages.iter().map(|m| m.status).collect();
        assert_eq!(
            statuses,
            [
                super::super::Status::Sent,
                super::super::Status::NotAttempted,
                super::super::Status::NotAttempted
            ]
        );
        assert!(report.messages[1]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("cancelled")));
        assert_eq!(outbox(&ws).expect("outbox").len(), 1);
    }

    #[test]
    fn without_smtp_a_test_goes_to_the_outbox_and_can_be_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::init(dir.path()).expect("init");
        let mut ws = Workspace::open(dir.path()).expect("open");
        let s = setup(&ws).expect("setup");
        assert!(s.smtp.is_empty() && s.default_smtp.is_none());
        let form = SendForm {
            email: "welcome".into(),
            to: vec!["seed@example.com, other@example.com".into()],
            profiles: vec![],
            route: RouteChoice::Default,
            amp: false,
        };
        let report = send(&mut ws, &form, &tessera_store::Cancel::new(), None, &|_, _| {}).expect("send");
        assert_eq!(report.messages.len(), 2);
        let items = outbox(&ws).expect("outbox");
        assert_eq!(items.len(), 2);
        let message = outbox_message(&ws, &items[0].id).expect("message");
        assert!(
            message
                .headers
                .iter()
                .any(|(k, v)| k == "Subject" && v.contains("[TEST]")),
            "{:?}",
            message.headers
        );
        let bad = SendForm {
            to: vec!["not an address".into()],
            ..form
        };
        assert!(send(&mut ws, &bad, &tessera_store::Cancel::new(), None, &|_, _| {}).is_err());
        assert_eq!(outbox(&ws).expect("outbox").len(), 2);
        assert!(store_password(&ws, "nope", "x".into()).is_err());
    }
}
