//! Stack-overflow reporting for generator stacks: a `SIGSEGV`/`SIGBUS` handler that recognises
//! faults on the guard page of a stasis stack, says so on stderr, and aborts.
//!
//! # Design
//!
//! ```text
//!   pool::fresh ──register(guard, size)──▶ REGISTRY: KEYS[0..HIGH] = guard page address
//!   pool (stack unmapped) ──unregister──▶            SIZES[i]      = usable stack size
//!                                                    (atomics; a lock-protected free list
//!                                                     and index, never touched by the handler)
//!
//!   fault ──kernel──▶ handler (on this thread's alternate signal stack)
//!                       ├─ si_addr in a registered guard page and the stack pointer inside
//!                       │  that stack?  write(2) the message, abort()
//!                       └─ otherwise: the previous handler (Rust's own, which reports
//!                          main-thread and thread overflows; or the default action)
//! ```
//!
//! - **Installed lazily, once**: the first stack a process maps installs the handler
//!   ([`register`] goes through a [`ForkOnce`], a `Once` that a `fork()` in the middle of the
//!   installation cannot leave waiting for ever in the child). The previous actions are read first and kept for
//!   chaining, so Rust's "thread 'main' has overflowed its stack" still works.
//! - **Async-signal-safe lookup**: the handler only reads atomics (`HIGH`, then `KEYS[i]`,
//!   `SIZES[i]`), formats into a buffer on its own stack with `core::fmt` (no allocation, no
//!   lock) and calls `write(2)` and `abort(3)`.
//! - **An alternate stack per thread**: a handler for a stack overflow cannot run on the stack
//!   that overflowed. std gives the main thread and the threads it spawns an alternate signal
//!   stack, but only when std installed its own handler (not, for example, under a sanitizer
//!   or on a thread created outside std). So the first stack registered on a thread checks
//!   `sigaltstack`, and installs one of [`ALTSTACK_SIZE`] bytes when the thread has none.
//! - **Through thread-local destruction**: std removes its alternate stack when the thread's
//!   main function returns, *before* thread-local destructors run, and a destructor may resume
//!   or close a generator. stasis's thread-local `AltStack` installs one again in its own
//!   destructor (or keeps its own) and hands it to a `pthread` key destructor, which glibc runs
//!   after every thread-local destructor, to unmap. Thread-local destructors run last-registered
//!   first, so this covers the destructors of thread-locals first used before the thread's
//!   first generator stack (and any generator created during destruction); a thread-local
//!   first used *after* it and destroyed before `AltStack` gets no alternate stack, and an
//!   overflow there is a bare `SIGSEGV`.
//! - **Only guard pages of live stasis stacks**: the pool registers every stack it maps and
//!   unregisters every stack it unmaps. A fault counts only if the faulting address is in a
//!   registered guard page *and* the interrupted stack pointer is inside that stack, which rules
//!   out a wild pointer that happens to hit a guard page from elsewhere.
//!
//! - **Fork-safe**: the registry's lock is a spin lock that `pthread_atfork` handlers take
//!   before `fork()` and release after it, in the parent and in the child (what glibc does for
//!   `malloc`). So the book is consistent in the child and its lock free, although the thread
//!   that held it at the moment of the fork does not exist there. Registered with the handler
//!   (once per process, and once more in a child forked during the installation, which takes
//!   it over: [`ForkOnce`]).
//!
//! Every stack is unmapped through [`crate::pool::release`] (the pool's own, and `Gen`'s drop
//! for unpooled generators), which unregisters it first. A stack dropped some other way (say,
//! while a panic unwinds out of `Gen`'s drop) leaves a stale entry: it is replaced when a new
//! stack gets the same address, and swept (with `mincore`, which fails on unmapped memory) when
//! the registry fills; the stack-pointer check keeps it from misreporting anything but an
//! overflow of a stack mapped at exactly the same place.

use std::cell::{Cell, UnsafeCell};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::ops::{Deref, DerefMut};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicUsize, Ordering};

/// How many stacks can be registered at once (Linux's default `vm.max_map_count` allows about
/// 32,750 live stacks). Two arrays of this many words live in `.bss`; only the pages up to the
/// high-water mark are ever touched.
const CAPACITY: usize = 1 << 16;

/// Size of the alternate signal stack installed on threads that have none.
pub(crate) const ALTSTACK_SIZE: usize = 64 * 1024;

/// Guard page address of each registered stack (0: free slot).
static KEYS: [AtomicUsize; CAPACITY] = [const { AtomicUsize::new(0) }; CAPACITY];
/// Usable size of each registered stack.
static SIZES: [AtomicUsize; CAPACITY] = [const { AtomicUsize::new(0) }; CAPACITY];
/// One past the highest slot ever used: the handler scans `KEYS[..HIGH]`.
static HIGH: AtomicUsize = AtomicUsize::new(0);
/// The page size, set before the handler is installed.
static PAGE: AtomicUsize = AtomicUsize::new(4096);

/// Bookkeeping for registration, outside the signal handler's view.
struct Book {
    /// Slot of each registered guard address.
    slots: HashMap<usize, usize>,
    /// Slots below `HIGH` that are free again.
    free: Vec<usize>,
}

/// The book, behind a lock that the fork handlers can hold across `fork()` (std's `Mutex`
/// can only be unlocked by dropping a guard, which `pthread_atfork`'s three separate callbacks
/// cannot carry). Held for a hash-map update at a time, so spinning (then yielding) is cheap.
struct BookLock {
    locked: AtomicBool,
    book: UnsafeCell<Option<Book>>,
}

// SAFETY: `book` is only reached through a `BookGuard`, which exists only while `locked` is
// held by its creator (acquire on lock, release on unlock), so accesses never overlap.
unsafe impl Sync for BookLock {}

static BOOK: BookLock = BookLock { locked: AtomicBool::new(false), book: UnsafeCell::new(None) };

impl BookLock {
    /// Takes the lock (spinning, then yielding the CPU while another thread holds it).
    fn acquire(&self) {
        let mut spins = 0u32;
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }

    /// Frees the lock taken by [`BookLock::acquire`].
    fn release(&self) {
        self.locked.store(false, Ordering::Release);
    }

    fn lock(&self) -> BookGuard<'_> {
        self.acquire();
        BookGuard(self)
    }
}

/// Access to the book while its lock is held.
struct BookGuard<'a>(&'a BookLock);

impl Deref for BookGuard<'_> {
    type Target = Option<Book>;
    fn deref(&self) -> &Option<Book> {
        // SAFETY: this guard holds the lock (see `BookLock`'s `Sync`), so no other reference
        // to the book exists; the returned one borrows the guard.
        unsafe { &*self.0.book.get() }
    }
}

impl DerefMut for BookGuard<'_> {
    fn deref_mut(&mut self) -> &mut Option<Book> {
        // SAFETY: as in `deref`; the `&mut self` borrow makes this the only reference.
        unsafe { &mut *self.0.book.get() }
    }
}

impl Drop for BookGuard<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// How many registrations of the fork handlers are between their prepare and their parent
/// or child handler. A child that finished an installation its parent's thread had started
/// (see [`ForkOnce`]) registers the handlers a second time, so one `fork()` may run each of
/// them twice: the book's lock is taken by the first [`before_fork`] and freed by the last
/// [`after_fork`]. glibc (and musl) run one fork's handlers under their own atfork lock, from
/// the prepare handlers to the parent or child ones, so two forks never interleave here.
static FORK_HOLDS: AtomicUsize = AtomicUsize::new(0);

/// `pthread_atfork` prepare handler: holds the book's lock across `fork()`, so neither side
/// sees it half-updated.
extern "C" fn before_fork() {
    if FORK_HOLDS.fetch_add(1, Ordering::Relaxed) == 0 {
        BOOK.acquire();
    }
}

/// `pthread_atfork` parent and child handler: frees the lock [`before_fork`] took. In the
/// child the thread that forked is the only one, and it holds the lock, so freeing it is right.
extern "C" fn after_fork() {
    if FORK_HOLDS.fetch_sub(1, Ordering::Relaxed) == 1 {
        BOOK.release();
    }
}

/// A run-once gate that `fork()` cannot wedge.
///
/// std's `Once` (and `OnceLock`), copied into a child forked while another thread of the
/// parent was inside `call_once`, says "running" for ever: the thread that would finish it
/// does not exist in the child, whose first generator would then wait for ever (CI's stress
/// run hung a child so). This gate keeps the process id of the process whose thread runs the
/// initialisation. A caller that finds another process's id there is a forked child whose
/// initialiser was left behind in the parent, and runs the initialisation itself. So the
/// initialisation must be correct when run again over a half-done copy of itself: [`install`]
/// is, and [`unmap_at_thread_exit`]'s key creation only leaks the parent's unused key.
struct ForkOnce {
    /// [`ForkOnce::NEW`], [`ForkOnce::DONE`], or the id of the process whose thread is
    /// running the initialisation.
    state: AtomicI32,
}

impl ForkOnce {
    const NEW: i32 = 0;
    const DONE: i32 = -1;

    const fn new() -> Self {
        ForkOnce { state: AtomicI32::new(Self::NEW) }
    }

    /// Runs `init` unless it has run to its end in this process (or in the parent before the
    /// fork); waits while another thread of this process runs it.
    #[inline]
    fn call_once(&self, init: impl FnOnce()) {
        if self.state.load(Ordering::Acquire) != Self::DONE {
            self.call_once_slow(init);
        }
    }

    #[cold]
    fn call_once_slow(&self, init: impl FnOnce()) {
        /// Gives the gate back if `init` panics, so that a later call tries again.
        struct Reopen<'a>(&'a AtomicI32);
        impl Drop for Reopen<'_> {
            fn drop(&mut self) {
                self.0.store(ForkOnce::NEW, Ordering::Release);
            }
        }
        // SAFETY: `getpid` has no preconditions and cannot fail.
        let me = unsafe { libc::getpid() };
        loop {
            match self.state.load(Ordering::Acquire) {
                Self::DONE => return,
                running if running == me => std::thread::yield_now(),
                // New, or left running by a thread of the process this one was forked from.
                seen => {
                    if self
                        .state
                        .compare_exchange(seen, me, Ordering::Acquire, Ordering::Acquire)
                        .is_ok()
                    {
                        let reopen = Reopen(&self.state);
                        init();
                        std::mem::forget(reopen);
                        self.state.store(Self::DONE, Ordering::Release);
                        return;
                    }
                }
            }
        }
    }

    /// Whether the initialisation has run to its end (for tests).
    #[cfg(test)]
    fn is_completed(&self) -> bool {
        self.state.load(Ordering::Acquire) == Self::DONE
    }
}

static INSTALL: ForkOnce = ForkOnce::new();

/// The actions that were in place for `SIGSEGV` and `SIGBUS` before ours.
struct Previous {
    segv: Cell<libc::sigaction>,
    bus: Cell<libc::sigaction>,
}

// SAFETY: written only inside `INSTALL.call_once` (one thread at a time: the installing thread,
// or in a forked child the one that took the installation over), and only while the handler
// that reads it is not installed for that signal; only read afterwards.
unsafe impl Sync for Previous {}

static PREVIOUS: Previous = Previous {
    // SAFETY: `sigaction` is a plain C struct; all-zero is `SIG_DFL` with no flags.
    segv: Cell::new(unsafe { std::mem::zeroed() }),
    // SAFETY: as above.
    bus: Cell::new(unsafe { std::mem::zeroed() }),
};

/// Registers the stack whose guard page starts at `guard` (a corosensei `DefaultStack`'s
/// `limit()`) with `size` usable bytes, installing the handler (once per process) and an
/// alternate signal stack (once per thread) first. Returns whether the stack is covered.
pub(crate) fn register(guard: usize, size: usize) -> bool {
    INSTALL.call_once(install);
    // `Err`: the thread is exiting; its generators run on whatever stack it has left.
    let _ = ALTSTACK.try_with(AltStack::ensure);
    let mut book = BOOK.lock();
    let book = book.get_or_insert_with(|| Book { slots: HashMap::new(), free: Vec::new() });
    let slot = match book.slots.get(&guard) {
        // A stale entry (its stack was unmapped without `unregister`): reuse it.
        Some(&slot) => slot,
        None => {
            let Some(slot) = book.free.pop().or_else(grow).or_else(|| {
                sweep(book);
                book.free.pop()
            }) else {
                return false;
            };
            book.slots.insert(guard, slot);
            slot
        }
    };
    SIZES[slot].store(size, Ordering::Relaxed);
    KEYS[slot].store(guard, Ordering::Release);
    true
}

/// Forgets the stack whose guard page starts at `guard` (call before unmapping it).
pub(crate) fn unregister(guard: usize) {
    let mut book = BOOK.lock();
    if let Some(book) = book.as_mut()
        && let Some(slot) = book.slots.remove(&guard)
    {
        KEYS[slot].store(0, Ordering::Release);
        book.free.push(slot);
    }
}

/// How many stacks are registered now (for tests).
#[cfg(test)]
pub(crate) fn registered() -> usize {
    let book = BOOK.lock();
    book.as_ref().map_or(0, |b| b.slots.len())
}

/// A never-used slot, raising the high-water mark, if any is left.
fn grow() -> Option<usize> {
    let high = HIGH.load(Ordering::Relaxed);
    if high == CAPACITY {
        return None;
    }
    HIGH.store(high + 1, Ordering::Release);
    Some(high)
}

/// Frees the slots of stacks that are no longer mapped.
fn sweep(book: &mut Book) {
    let page = PAGE.load(Ordering::Relaxed);
    let mut vec = 0u8;
    book.slots.retain(|&guard, &mut slot| {
        // SAFETY: `mincore` only inspects the address range; it fails with ENOMEM when the
        // page is not mapped, which is what we test. `vec` has room for one page.
        let mapped = unsafe { libc::mincore(guard as *mut libc::c_void, page, &mut vec) } == 0;
        if !mapped {
            KEYS[slot].store(0, Ordering::Release);
            book.free.push(slot);
        }
        mapped
    });
}

/// Installs the handler for `SIGSEGV` and `SIGBUS`, keeping the previous actions.
fn install() {
    #[cfg(test)]
    tests::pause_point(1);
    // SAFETY: `sysconf` has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if page > 0 {
        PAGE.store(page as usize, Ordering::Relaxed);
    }
    // SAFETY: the three handlers are `extern "C" fn()` that only flip the book's lock, which is
    // async-signal-safe and cannot fail. A failure to register (ENOMEM) leaves fork as unsafe
    // as it was before; nothing else depends on it.
    unsafe { libc::pthread_atfork(Some(before_fork), Some(after_fork), Some(after_fork)) };
    #[cfg(test)]
    tests::pause_point(2);
    for (signal, previous) in [(libc::SIGSEGV, &PREVIOUS.segv), (libc::SIGBUS, &PREVIOUS.bus)] {
        // SAFETY: all-zero is a valid `sigaction`; `sigaction` reads `action` and writes `old`,
        // both valid for the call. The old action is stored before ours is installed, so the
        // handler never chains to a half-written value.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, ptr::null(), &mut old) != 0 {
                continue;
            }
            if old.sa_sigaction == handler as *const () as usize {
                // Installed by the parent's thread before the fork that left this child to
                // finish the installation: `previous` already holds what came before.
                continue;
            }
            previous.set(old);
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, ptr::null_mut());
        }
    }
    #[cfg(test)]
    tests::pause_point(3);
}

/// The registered stack whose guard page holds `addr`: `(guard, size)`.
fn lookup(addr: usize) -> Option<(usize, usize)> {
    let page = PAGE.load(Ordering::Relaxed);
    let guard = addr & !(page - 1);
    if guard == 0 {
        // 0 marks a free slot; nothing is ever mapped there.
        return None;
    }
    let high = HIGH.load(Ordering::Acquire);
    KEYS[..high].iter().zip(&SIZES[..high]).find_map(|(key, size)| {
        (key.load(Ordering::Acquire) == guard).then(|| (guard, size.load(Ordering::Relaxed)))
    })
}

/// The interrupted stack pointer, where this platform's `ucontext_t` is known.
///
/// # Safety
///
/// `ctx` must be the third argument of an `SA_SIGINFO` handler.
unsafe fn stack_pointer(ctx: *mut libc::c_void) -> Option<usize> {
    #[cfg(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"))]
    {
        // SAFETY: per the contract, `ctx` points to the kernel's `ucontext_t`.
        let uc = unsafe { &*ctx.cast::<libc::ucontext_t>() };
        Some(uc.uc_mcontext.gregs[libc::REG_RSP as usize] as usize)
    }
    #[cfg(all(target_os = "linux", target_arch = "aarch64"))]
    {
        // SAFETY: per the contract, `ctx` points to the kernel's `ucontext_t`.
        let uc = unsafe { &*ctx.cast::<libc::ucontext_t>() };
        Some(uc.uc_mcontext.sp as usize)
    }
    #[cfg(not(any(
        all(target_os = "linux", target_arch = "x86_64", target_env = "gnu"),
        all(target_os = "linux", target_arch = "aarch64")
    )))]
    {
        let _ = ctx;
        None
    }
}

/// The signal handler. Async-signal-safe: atomics, `core::fmt` into a stack buffer, `write`,
/// `sigaction`, `abort`.
extern "C" fn handler(signal: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid `siginfo_t` to an `SA_SIGINFO` handler; `si_addr` is
    // the faulting address for SIGSEGV and SIGBUS.
    let addr = unsafe { (*info).si_addr() } as usize;
    if let Some((guard, size)) = lookup(addr) {
        let page = PAGE.load(Ordering::Relaxed);
        // SAFETY: `ctx` is this `SA_SIGINFO` handler's third argument.
        let sp = unsafe { stack_pointer(ctx) };
        let on_this_stack = sp.is_none_or(|sp| sp >= guard && sp < guard + page + size + page);
        if on_this_stack {
            report(size, addr);
            // SAFETY: `abort` is async-signal-safe and has no preconditions.
            unsafe { libc::abort() };
        }
    }
    // SAFETY: we are in the handler for `signal`, with the kernel's `info` and `ctx`.
    unsafe { chain(signal, info, ctx) }
}

/// Writes the overflow message to stderr with `write(2)`.
fn report(size: usize, addr: usize) {
    let buf = message(size, addr);
    let mut rest = &buf.bytes[..buf.len];
    while !rest.is_empty() {
        // SAFETY: `rest` is a valid, initialized byte slice for the whole call.
        let n = unsafe { libc::write(libc::STDERR_FILENO, rest.as_ptr().cast(), rest.len()) };
        if n <= 0 {
            if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        rest = &rest[n as usize..];
    }
}

/// The overflow message, formatted without allocating.
fn message(size: usize, addr: usize) -> Buf {
    let mut buf = Buf { bytes: [0; 640], len: 0 };
    let suggested = size.saturating_mul(2).max(crate::pool::MIN_STACK_SIZE);
    let _ = write!(
        buf,
        "\nstasis: a generator overflowed its stack ({size} bytes; fault at {addr:#x} on its \
         guard page)\nstasis: give it a bigger stack with `Gen::builder().stack_size({suggested})` \
         (or more; only touched pages use memory), or make the body recurse less deeply\n\
         fatal runtime error: generator stack overflow, aborting\n"
    );
    buf
}

/// Hands a fault that is not ours to the action that was installed before us.
///
/// # Safety
///
/// Must be called from the handler of `signal` with the kernel's `info` and `ctx`.
unsafe fn chain(signal: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let previous = if signal == libc::SIGBUS { PREVIOUS.bus.get() } else { PREVIOUS.segv.get() };
    let action = previous.sa_sigaction;
    if action == libc::SIG_DFL || action == libc::SIG_IGN {
        // Restore the default action and return: the faulting instruction runs again and the
        // process dies of the signal, as it would have without us (this is what std does).
        // SAFETY: all-zero is a valid `sigaction` (SIG_DFL); `sigaction` is async-signal-safe.
        unsafe {
            let mut dfl: libc::sigaction = std::mem::zeroed();
            dfl.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(signal, &dfl, ptr::null_mut());
        }
    } else if previous.sa_flags & libc::SA_SIGINFO != 0 {
        // SAFETY: with SA_SIGINFO the stored address is a three-argument handler, and we pass
        // it what the kernel passed us.
        unsafe {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(action);
            f(signal, info, ctx);
        }
    } else {
        // SAFETY: without SA_SIGINFO the stored address is a one-argument handler.
        unsafe {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(action);
            f(signal);
        }
    }
}

/// A fixed buffer `core::fmt` can write into without allocating (truncates when full).
struct Buf {
    bytes: [u8; 640],
    len: usize,
}

impl std::fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let n = s.len().min(self.bytes.len() - self.len);
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

thread_local! {
    /// Whether this thread was checked for an alternate signal stack, and the one stasis
    /// installed if it had none.
    static ALTSTACK: AltStack = const {
        AltStack { checked: Cell::new(false), mapping: Cell::new(None) }
    };
}

/// This thread's alternate-signal-stack bookkeeping; its destructor (among the thread-local
/// destructors) makes sure the thread keeps an alternate stack through the rest of them.
struct AltStack {
    checked: Cell<bool>,
    /// The mapping (guard page + stack), if stasis made it.
    mapping: Cell<Option<(*mut libc::c_void, usize)>>,
}

impl AltStack {
    /// Makes sure this thread has an alternate signal stack (checked once per thread).
    fn ensure(&self) {
        if self.checked.replace(true) {
            return;
        }
        if !has_altstack() {
            self.mapping.set(map_altstack());
        }
    }
}

/// Runs among the thread-local destructors, after std has removed (and unmapped) the
/// alternate signal stack it gave the thread: its `Handler` goes when the thread's main function
/// returns. A generator that overflows in a later thread-local destructor would then die of a
/// bare `SIGSEGV` (the kernel has nowhere to run the handler). So this keeps stasis's own
/// stack, or installs one if the thread has none left, and leaves it installed until the
/// thread's `pthread` keys are destroyed, which glibc does after every thread-local destructor.
impl Drop for AltStack {
    fn drop(&mut self) {
        let mapping =
            self.mapping.take().or_else(|| (!has_altstack()).then(map_altstack).flatten());
        if let Some((base, _)) = mapping {
            unmap_at_thread_exit(base);
        }
    }
}

/// Whether this thread has an enabled alternate signal stack.
fn has_altstack() -> bool {
    // SAFETY: `sigaltstack` with a null new stack only reads the current one into `current`.
    unsafe {
        let mut current: libc::stack_t = std::mem::zeroed();
        libc::sigaltstack(ptr::null(), &mut current) == 0
            && current.ss_flags & libc::SS_DISABLE == 0
    }
}

/// The `pthread` key whose destructor unmaps stasis's alternate stack at thread exit (`None`
/// if it could not be created: then the stack is unmapped in `AltStack`'s destructor, as
/// before).
static ALTSTACK_KEY: ForkOnce = ForkOnce::new();
/// The key [`ALTSTACK_KEY`] made, or `u64::MAX` if `pthread_key_create` failed.
static ALTSTACK_KEY_VALUE: AtomicU64 = AtomicU64::new(u64::MAX);

/// Hands this thread's alternate stack mapping (made by [`map_altstack`]) to a `pthread` key
/// destructor, which runs after the thread-local destructors; unmaps it now if that fails.
fn unmap_at_thread_exit(base: *mut libc::c_void) {
    ALTSTACK_KEY.call_once(|| {
        let mut key: libc::pthread_key_t = 0;
        // SAFETY: `key` is a valid out-pointer; `unmap_altstack` has the destructor's signature.
        if unsafe { libc::pthread_key_create(&mut key, Some(unmap_altstack)) } == 0 {
            ALTSTACK_KEY_VALUE.store(u64::from(key), Ordering::Relaxed);
        }
    });
    let key = libc::pthread_key_t::try_from(ALTSTACK_KEY_VALUE.load(Ordering::Relaxed)).ok();
    // SAFETY: `key` was created above; the value is only read back by `unmap_altstack`.
    let handed = key.is_some_and(|key| unsafe { libc::pthread_setspecific(key, base) } == 0);
    if !handed {
        // SAFETY: `base` is this thread's mapping from `map_altstack`.
        unsafe { unmap_altstack(base) };
    }
}

/// Removes and unmaps the alternate stack whose mapping starts at `base` (a guard page, then
/// the stack), if it is still this thread's; a `pthread` key destructor.
///
/// # Safety
///
/// `base` must be a mapping made by [`map_altstack`] on this thread and not unmapped yet.
unsafe extern "C" fn unmap_altstack(base: *mut libc::c_void) {
    let page = PAGE.load(Ordering::Relaxed);
    // SAFETY: `base..base+len` is the mapping `map_altstack` made for this thread. It is only
    // unmapped if it is still this thread's alternate stack, after disabling it, so no signal
    // can be delivered on unmapped memory.
    unsafe {
        let mut current: libc::stack_t = std::mem::zeroed();
        if libc::sigaltstack(ptr::null(), &mut current) == 0
            && current.ss_sp == base.cast::<u8>().add(page).cast()
        {
            let disable =
                libc::stack_t { ss_sp: ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
            if libc::sigaltstack(&disable, ptr::null_mut()) == 0 {
                libc::munmap(base, ALTSTACK_SIZE + page);
            }
        }
    }
}

/// Maps and installs an alternate signal stack with a guard page below it.
fn map_altstack() -> Option<(*mut libc::c_void, usize)> {
    let page = PAGE.load(Ordering::Relaxed);
    let len = ALTSTACK_SIZE + page;
    // SAFETY: an anonymous private mapping with no address hint; checked for failure.
    let base = unsafe {
        libc::mmap(
            ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return None;
    }
    // SAFETY: `base..base+len` is the mapping just made; its first page becomes the guard and
    // the rest is handed to the kernel as this thread's signal stack.
    unsafe {
        libc::mprotect(base, page, libc::PROT_NONE);
        let stack = libc::stack_t {
            ss_sp: base.cast::<u8>().add(page).cast(),
            ss_flags: 0,
            ss_size: ALTSTACK_SIZE,
        };
        if libc::sigaltstack(&stack, ptr::null_mut()) != 0 {
            libc::munmap(base, len);
            return None;
        }
    }
    Some((base, len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// The registry is process-wide and the test harness runs tests on several threads: the
    /// tests that register entries or count them take this lock, so that one test's entries
    /// never show up in another's count (CI once saw `registered()` move under a test).
    static SERIAL: Mutex<()> = Mutex::new(());

    fn serial() -> std::sync::MutexGuard<'static, ()> {
        SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[test]
    fn register_lookup_unregister() {
        let _serial = serial();
        let page = 4096 * 64;
        let guard = 0x7000_0000_0000usize & !(page - 1);
        assert!(register(guard, 32 * 1024));
        assert_eq!(lookup(guard + 17), Some((guard, 32 * 1024)));
        // Re-registering the same address (a stale entry) updates it in place.
        let before = registered();
        assert!(register(guard, 64 * 1024));
        assert_eq!(registered(), before);
        assert_eq!(lookup(guard), Some((guard, 64 * 1024)));
        unregister(guard);
        assert_eq!(lookup(guard), None);
    }

    #[test]
    fn sweep_frees_the_slots_of_unmapped_stacks() {
        let _serial = serial();
        use corosensei::stack::{DefaultStack, Stack};
        let stack = DefaultStack::new(16 * 1024).unwrap();
        let live = stack.limit().get();
        // Addresses in the lower half of the address space that nothing maps here.
        let gone: Vec<usize> = (1..=5).map(|i| 0x5000_0000_0000 + i * (1 << 20)).collect();
        assert!(register(live, 16 * 1024));
        for &g in &gone {
            assert!(register(g, 16 * 1024));
        }
        {
            let mut book = BOOK.lock();
            sweep(book.as_mut().unwrap());
        }
        assert_eq!(lookup(live), Some((live, 16 * 1024)), "a mapped stack stays registered");
        for &g in &gone {
            assert_eq!(lookup(g), None, "an unmapped one is swept");
        }
        unregister(live);
    }

    #[test]
    fn thread_without_alternate_stack_gets_one() {
        let _serial = serial();
        std::thread::spawn(|| {
            // SAFETY: disables this thread's alternate stack (std's, if any; std unmaps it at
            // thread exit as usual) and reads the current one; both structs are valid.
            let current = unsafe {
                let disable = libc::stack_t {
                    ss_sp: ptr::null_mut(),
                    ss_flags: libc::SS_DISABLE,
                    ss_size: 0,
                };
                assert_eq!(libc::sigaltstack(&disable, ptr::null_mut()), 0);
                register(0x6000_0000_0000, 16 * 1024);
                let mut current: libc::stack_t = std::mem::zeroed();
                assert_eq!(libc::sigaltstack(ptr::null(), &mut current), 0);
                current
            };
            unregister(0x6000_0000_0000);
            assert_eq!(current.ss_flags & libc::SS_DISABLE, 0, "an alternate stack is enabled");
            assert_eq!(current.ss_size, ALTSTACK_SIZE, "and it is the one stasis installed");
        })
        .join()
        .unwrap();
    }

    /// Where [`install`] stops for [`a_fork_during_the_first_install_leaves_the_child_working`]
    /// (0: nowhere), in which process, and whether it has stopped there.
    static PAUSE_AT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);
    static PAUSE_PID: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);
    static PAUSED: AtomicBool = AtomicBool::new(false);

    /// Called by [`install`] at its numbered points: waits there while the test holds it.
    pub(super) fn pause_point(point: u8) {
        // SAFETY: `getpid` has no preconditions.
        let me = unsafe { libc::getpid() };
        if PAUSE_AT.load(Ordering::Acquire) != point || PAUSE_PID.load(Ordering::Acquire) != me {
            return;
        }
        PAUSED.store(true, Ordering::Release);
        while PAUSE_AT.load(Ordering::Acquire) == point {
            std::thread::yield_now();
        }
    }

    const FORK_CHILD: &str = "STASIS_FORK_DURING_INSTALL";
    const FORK_TEST: &str =
        "overflow::tests::a_fork_during_the_first_install_leaves_the_child_working";

    /// A thread installs the handler (the process's first stack), and another thread forks
    /// while it is half-way: before the fork handlers are registered (point 1), after (point
    /// 2), or after the signal actions are set too (point 3). The child has only the forking thread, so nobody there will finish that
    /// installation; its generators must work all the same, and so must its own forks. Each
    /// point runs in a fresh process (this test binary again), where nothing is installed yet.
    /// A stress run in CI once hung a child this way (`examples/stress.rs`, round 0).
    #[test]
    fn a_fork_during_the_first_install_leaves_the_child_working() {
        if let Ok(point) = std::env::var(FORK_CHILD) {
            fork_during_install(point.parse().expect("a pause point"));
            return;
        }
        for point in [1u8, 2, 3] {
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", FORK_TEST, "--nocapture", "--test-threads=1"])
                .env(FORK_CHILD, point.to_string())
                .output()
                .expect("re-running the test binary");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && stdout.contains("fork during install: ok"),
                "pause point {point}: {}\n{stdout}\n{stderr}",
                out.status
            );
        }
    }

    /// Runs in a child of the test binary: see the test above.
    fn fork_during_install(point: u8) {
        assert!(!INSTALL.is_completed(), "this process must not have installed anything yet");
        // SAFETY: `getpid` has no preconditions.
        PAUSE_PID.store(unsafe { libc::getpid() }, Ordering::Release);
        PAUSE_AT.store(point, Ordering::Release);
        let guard = 0x6200_0000_0000usize;
        let installer = std::thread::spawn(move || register(guard, 16 * 1024));
        while !PAUSED.load(Ordering::Acquire) {
            std::thread::yield_now();
        }
        let pid = fork_running_generators();
        PAUSE_AT.store(0, Ordering::Release);
        assert!(installer.join().unwrap());
        unregister(guard);
        assert_eq!(reap(pid), Ok(()), "the child forked while the handler was being installed");
        let pid = fork_running_generators();
        assert_eq!(reap(pid), Ok(()), "a child forked after the installation");
        println!("fork during install: ok");
    }

    /// Forks a child that runs two generators to their end, forks a grandchild that does the
    /// same and waits for it (so the fork handlers work in the child too), and exits 0 if all
    /// went well. An alarm ends a child that hangs.
    fn fork_running_generators() -> libc::pid_t {
        // SAFETY: the child only runs generators, forks, waits and `_exit`s.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork: {}", io::Error::last_os_error());
        if pid != 0 {
            return pid;
        }
        // SAFETY: `alarm` has no preconditions; its default action ends a hung child.
        unsafe { libc::alarm(10) };
        let run = || {
            for pooled in [false, true] {
                let mut g =
                    crate::Gen::builder().pooled(pooled).build(|co, ()| co.yield_(7u32)).unwrap();
                assert_eq!(g.next(), Some(7));
                assert_eq!(g.next(), None);
            }
            let ours = handler as *const () as usize;
            assert_ne!(PREVIOUS.segv.get().sa_sigaction, ours, "chains to itself on SIGSEGV");
            assert_ne!(PREVIOUS.bus.get().sa_sigaction, ours, "chains to itself on SIGBUS");
        };
        let ok = std::panic::catch_unwind(|| {
            run();
            // SAFETY: as above, for the grandchild.
            let pid = unsafe { libc::fork() };
            if pid == 0 {
                let ok = std::panic::catch_unwind(run).is_ok();
                // SAFETY: ends the grandchild at once.
                unsafe { libc::_exit(i32::from(!ok)) };
            }
            assert_eq!(reap(pid), Ok(()), "the grandchild");
        })
        .is_ok();
        // SAFETY: ends the child at once, as a forked child of a threaded process should.
        unsafe { libc::_exit(i32::from(!ok)) };
    }

    /// Waits for the child `pid`: `Ok` if it exited 0, else how it ended.
    fn reap(pid: libc::pid_t) -> Result<(), String> {
        let mut status = 0;
        // SAFETY: `pid` is our child; `status` is a valid out-pointer.
        let got = unsafe { libc::waitpid(pid, &mut status, 0) };
        assert_eq!(got, pid, "waitpid: {}", io::Error::last_os_error());
        if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
            Ok(())
        } else if libc::WIFSIGNALED(status) {
            Err(format!(
                "killed by signal {} (14: hung, ended by its alarm)",
                libc::WTERMSIG(status)
            ))
        } else {
            Err(format!("exited {}", libc::WEXITSTATUS(status)))
        }
    }

    #[test]
    fn message_fits_and_names_the_knob() {
        let buf = message(usize::MAX, usize::MAX);
        let text = std::str::from_utf8(&buf.bytes[..buf.len]).unwrap();
        assert!(text.ends_with("aborting\n"), "the longest message fits the buffer: {text}");
        let buf = message(16384, 0x1000);
        let text = std::str::from_utf8(&buf.bytes[..buf.len]).unwrap();
        assert!(text.contains("a generator overflowed its stack (16384 bytes"), "{text}");
        assert!(text.contains("Gen::builder().stack_size(32768)"), "{text}");
    }

    #[test]
    fn full_buffer_truncates() {
        let mut buf = Buf { bytes: [0; 640], len: 0 };
        let _ = write!(buf, "{}", "x".repeat(1000));
        assert_eq!(buf.len, 640, "long text is truncated, not a panic");
    }
}
