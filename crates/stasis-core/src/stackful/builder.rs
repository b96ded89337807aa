//! [`GenBuilder`](crate::GenBuilder): the stack size and pooling of a new [`Gen`](crate::Gen), checked and taken from the pool
//! before the generator is built on it.
//!
//! Owns: the builder's settings and their validation (through `pool::validate`). May not
//! touch: the stack's reserved bytes or the coroutine; it hands the stack to `Gen::on_stack`.

use super::co::Co;
use super::generator::Gen;
use crate::pool::{self, DEFAULT_STACK_SIZE, StackError};

/// Builds stackful generators with a chosen stack size.
///
/// # Examples
///
/// ```
/// # use stasis_core as stasis;
/// use stasis::Gen;
///
/// let deep = Gen::builder()
///     .stack_size(8 << 20) // 8 MiB of address space; only touched pages become resident
///     .build(|co, ()| {
///         fn down(co: &stasis::Co<u32>, n: u32) {
///             if n > 0 { down(co, n - 1) } else { co.yield_(n) }
///         }
///         down(co, 10_000);
///     })
///     .expect("stack");
/// assert_eq!(deep.collect::<Vec<_>>(), [0]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct GenBuilder {
    stack_size: usize,
    pooled: bool,
}

impl Default for GenBuilder {
    fn default() -> Self {
        GenBuilder { stack_size: DEFAULT_STACK_SIZE, pooled: true }
    }
}

impl GenBuilder {
    /// A builder with the default stack size ([`DEFAULT_STACK_SIZE`](crate::DEFAULT_STACK_SIZE)) and pooling on.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// let g = stasis::GenBuilder::new().build(|co, ()| co.yield_(1)).unwrap();
    /// assert_eq!(g.collect::<Vec<i32>>(), [1]);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The usable stack size in bytes, between [`MIN_STACK_SIZE`](crate::MIN_STACK_SIZE) and
    /// [`MAX_STACK_SIZE`](crate::MAX_STACK_SIZE) (checked by `build`). A guard page is added
    /// below it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// let g = stasis::Gen::builder().stack_size(64 * 1024).build(|co, ()| co.yield_(1));
    /// assert!(g.is_ok());
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
        self
    }

    /// Whether to take the stack from (and return it to) this thread's pool. On by default;
    /// `false` maps a fresh stack and unmaps it on drop.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// let g = stasis::Gen::builder().pooled(false).build(|co, ()| co.yield_(1));
    /// assert_eq!(g.unwrap().collect::<Vec<i32>>(), [1]);
    /// ```
    pub fn pooled(mut self, pooled: bool) -> Self {
        self.pooled = pooled;
        self
    }

    /// Builds a generator that cannot be thrown into (see [`Gen::new`](crate::Gen::new)).
    ///
    /// # Errors
    ///
    /// [`StackError`](crate::StackError) when the stack size is out of range or the OS refuses the stack.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, StackError};
    /// let too_big = Gen::builder().stack_size(usize::MAX).build(|co, ()| co.yield_(1u8));
    /// assert!(matches!(too_big, Err(StackError::TooLarge { .. })));
    /// ```
    pub fn build<Y, R, S, F>(self, body: F) -> Result<Gen<Y, R, S>, StackError>
    where
        F: FnOnce(&Co<Y, S>, S) -> R + 'static,
        Y: 'static,
        R: 'static,
        S: 'static,
    {
        self.build_throwing(body)
    }

    /// Builds a generator whose body can be thrown into with errors of type `E` (see
    /// [`Gen::throwing`](crate::Gen::throwing)).
    ///
    /// # Errors
    ///
    /// [`StackError`](crate::StackError) when the stack size is out of range or the OS refuses the stack.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// use stasis::{Gen, Generator, Step, Thrown};
    /// let mut g = Gen::builder()
    ///     .build_throwing(|co, ()| co.yield_(1))
    ///     .unwrap();
    /// let _ = g.resume(());
    /// assert_eq!(g.throw("stop"), Step::Raised(Thrown::Error("stop")));
    /// ```
    pub fn build_throwing<Y, R, S, E, F>(self, body: F) -> Result<Gen<Y, R, S, E>, StackError>
    where
        F: FnOnce(&Co<Y, S, E>, S) -> R + 'static,
        Y: 'static,
        R: 'static,
        S: 'static,
        E: 'static,
    {
        let size = pool::validate(self.stack_size)?;
        let (stack, clean) = pool::take(size, self.pooled)?;
        Ok(Gen::on_stack(stack, clean, size, self.pooled, body))
    }
}

impl Gen<()> {
    /// A [`GenBuilder`](crate::GenBuilder) to choose the stack size or opt out of the pool.
    ///
    /// # Examples
    ///
    /// ```
    /// # use stasis_core as stasis;
    /// let g = stasis::Gen::builder().stack_size(1 << 20).build(|co, ()| co.yield_('x'));
    /// assert_eq!(g.unwrap().next(), Some('x'));
    /// ```
    pub fn builder() -> GenBuilder {
        GenBuilder::new()
    }
}
