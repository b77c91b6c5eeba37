//! The one cancellation mechanism for long work (import, coverage, test send, saving a version):
//! a shared flag the caller keeps a clone of and sets from another thread; the work checks it
//! between rows, batches or recipients and stops with [`crate::StoreError::Cancelled`] (or its own
//! report of what was done). Cheap to clone; a fresh one is not cancelled.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A cancellation flag shared between the work and whoever may stop it.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag that is not set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the work to stop at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether the work was asked to stop.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// `Err(Cancelled)` once the work was asked to stop, for `?` between rows.
    ///
    /// # Errors
    /// The flag is set.
    pub fn check(&self) -> Result<(), crate::StoreError> {
        if self.is_cancelled() {
            Err(crate::StoreError::Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_sees_the_cancel() {
        let cancel = Cancel::new();
        let seen = cancel.clone();
        assert!(seen.check().is_ok());
        cancel.cancel();
        assert!(seen.is_cancelled());
        assert!(matches!(seen.check(), Err(crate::StoreError::Cancelled)));
    }
}
