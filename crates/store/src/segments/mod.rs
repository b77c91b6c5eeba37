//! Behavioural segments evaluated in the store.
//!
//! A segment is defined in the workspace (`segments/<name>.json`, see [`model`]), checked as a set
//! (references resolve, no cycles: [`SegmentSet`]), compiled to one parameterized SQL expression
//! per profile ([`compile`]), evaluated for the whole store, a batch of profiles or one profile
//! (`evaluate`), and materialized with the time each profile entered and left ([`membership`]).
//! The store keeps a copy of the definitions it evaluated (`sync`: [`Store::sync_segments`]), so
//! that imports and new events re-evaluate the affected profiles without the workspace (`update`:
//! [`Store::add_events`], [`Store::refresh_segments`]). A pass over every profile maps the file
//! into memory and runs on two threads (`pass`); `query` reads sizes, members and plans
//! ([`Store::segment_members`], [`Store::live_segments`]...). Built-in scores are in [`scores`].
//! Time is explicit: every evaluation takes an `as_of` instant.
//!
//! Layering, each module using only those before it: `model`, `set`, `compile` and `scores`,
//! `evaluate`, `pass`, `membership`, `sync`, `update`; `query` reads beside them. Outside this
//! module, the segments read the event types from [`crate::events`], which also writes the events
//! of [`Store::add_events`], and the profile columns from [`crate::profiles`]; the import calls
//! in (`update`) to re-evaluate the profiles it touched, and nothing here uses the import.
//!
//! [`Store::sync_segments`]: crate::Store::sync_segments
//! [`Store::add_events`]: crate::Store::add_events
//! [`Store::refresh_segments`]: crate::Store::refresh_segments
//! [`Store::segment_members`]: crate::Store::segment_members
//! [`Store::live_segments`]: crate::Store::live_segments

pub mod compile;
pub(crate) mod evaluate;
pub mod membership;
pub mod model;
mod pass;
mod query;
pub mod scores;
mod set;
mod sync;
mod update;

pub use crate::events::NewEvent;
pub use compile::CompiledRule;
pub use membership::Change;
pub use model::{DefinitionError, Rule, Score, Segment};
pub use query::{Member, SegmentSummary};
pub use set::{Deps, SegmentError, SegmentSet};
pub(crate) use sync::SegmentCache;
pub use sync::SyncReport;
pub(crate) use update::{update_profiles, Touched};
