//! Wall and CPU time per call, measured side by side: on a shared machine the thread's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`) is disturbed less by load than wall time.

use std::time::{Duration, Instant};

/// The calling thread's CPU time so far.
#[allow(dead_code)]
pub fn thread_cpu_time() -> Duration {
    clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// The process's CPU time so far (every thread's, for work spread over threads).
#[allow(dead_code)]
pub fn process_cpu_time() -> Duration {
    clock(libc::CLOCK_PROCESS_CPUTIME_ID)
}

fn clock(id: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the kernel knows.
    let rc = unsafe { libc::clock_gettime(id, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

/// Mean wall time and mean CPU time (the thread's) of one call of `f`, over about `budget` (after
/// a warm-up).
#[allow(dead_code)]
pub fn per_call(budget: Duration, f: impl FnMut()) -> (Duration, Duration) {
    per_call_on(budget, 50, thread_cpu_time, f)
}

/// Like [`per_call`], in rounds of `round` calls, CPU time read from `cpu_clock`.
pub fn per_call_on(
    budget: Duration,
    round: u32,
    cpu_clock: fn() -> Duration,
    mut f: impl FnMut(),
) -> (Duration, Duration) {
    for _ in 0..round {
        f();
    }
    let wall = Instant::now();
    let cpu = cpu_clock();
    let mut n = 0u32;
    while wall.elapsed() < budget {
        for _ in 0..round {
            f();
        }
        n += round;
    }
    (wall.elapsed() / n, (cpu_clock() - cpu) / n)
}

/// Microseconds, for printing.
pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
