//! The memory-mapped, two-thread pass over every profile: the store's file mapped into memory for
//! the pass, and the work split between the writer's connection and a read-only one beside it
//! ([`members_split`], [`alongside`]). Full re-evaluations, synchronizing definitions and a
//! draft's live count run through it.

use rusqlite::Connection;

use super::compile::CompiledRule;
use super::evaluate::{members, Scope};
use crate::{Store, StoreError};

/// How much of the store's file a full pass maps into memory (SQLite's default ceiling, 2 GB):
/// mapped pages are the operating system's file cache, shared and reclaimable, not the process's
/// own memory.
const PASS_MMAP_BYTES: i64 = 0x7fff_0000;

impl Store {
    /// A read-only connection for splitting a full pass over two threads, on a machine with more
    /// than one core (`None` otherwise, or if the file cannot be opened again: the pass then runs
    /// on one thread). Only for passes whose transaction has not changed profiles or events.
    pub(super) fn parallel_reader(&self) -> Option<Connection> {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let reader = (cores > 1).then(|| crate::open_reader(self.path()).ok()).flatten()?;
        reader
            .pragma_update(None, "mmap_size", PASS_MMAP_BYTES)
            .ok()
            .map(|()| reader)
    }

    /// Runs `pass` in one transaction that changes no profile or event (definitions, scores,
    /// membership), with a second connection to split evaluations across threads. The store's
    /// file is mapped into memory for the pass: a pass reads pages all over it, and through the
    /// page cache each would be a system call and a copy.
    pub(super) fn full_pass<T>(
        &mut self,
        pass: impl FnOnce(&Connection, Option<&mut Connection>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let path = self.path().to_path_buf();
        let mut reader = self.parallel_reader();
        self.map_file(PASS_MMAP_BYTES)?;
        let result = (|| -> Result<T, StoreError> {
            let tx = self.conn.transaction().map_err(|e| StoreError::sql(&path, e))?;
            let result = pass(&tx, reader.as_mut()).map_err(|e| e.with_path(&path))?;
            tx.commit().map_err(|e| StoreError::sql(&path, e))?;
            Ok(result)
        })();
        self.unmap_after(result)
    }

    /// Runs `read` on the writer's connection with the store's file mapped into memory (see
    /// [`Store::full_pass`]), unmapped afterwards whatever the outcome.
    pub(super) fn mapped<T>(&self, read: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.map_file(PASS_MMAP_BYTES)?;
        let result = read(self.conn());
        self.unmap_after(result)
    }

    /// Unmaps the file after work that ran mapped: the work's error first, else the unmapping's.
    fn unmap_after<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        let unmapped = self.map_file(0);
        let result = result?;
        unmapped?;
        Ok(result)
    }

    /// Maps up to `bytes` of the store's file into memory for the writer's reads (0: none).
    fn map_file(&self, bytes: i64) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "mmap_size", bytes)
            .map_err(|e| self.sql_error(e))
    }
}

/// [`members`] over every profile, the upper half of the ids evaluated on `reader` in a second
/// thread while this one evaluates the lower half on `conn`. Only for passes whose transaction
/// has not changed profiles or events: `reader` sees the last commit.
pub(super) fn members_split(
    conn: &Connection,
    reader: &mut Connection,
    rules: &[CompiledRule],
) -> rusqlite::Result<Vec<Vec<i64>>> {
    let (low, high): (Option<i64>, Option<i64>) = conn.query_row("SELECT min(id), max(id) FROM profiles", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    let (Some(low), Some(high)) = (low, high) else {
        return Ok(vec![Vec::new(); rules.len()]);
    };
    let middle = low + (high - low) / 2;
    let (lower, upper) = alongside(
        reader,
        |reader| members(reader, rules, Scope::Range(middle + 1, high)),
        || members(conn, rules, Scope::Range(low, middle)),
    );
    let mut lists = lower?;
    for (list, more) in lists.iter_mut().zip(upper?) {
        list.extend(more);
    }
    Ok(lists)
}

/// Runs `there` on `reader` in a second thread while `here` runs on this one; both results.
/// A panic in the second thread is resumed here.
pub(super) fn alongside<A, B: Send>(
    reader: &mut Connection,
    there: impl FnOnce(&Connection) -> B + Send,
    here: impl FnOnce() -> A,
) -> (A, B) {
    std::thread::scope(|scope| {
        let other = scope.spawn(move || there(reader));
        let mine = here();
        let theirs = other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (mine, theirs)
    })
}
