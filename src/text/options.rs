//! How bytes are cut into tokens.

/// Whether `b` separates words: ASCII whitespace as C's `isspace` sees it (space, `\t`,
/// `\n`, `\v`, `\f`, `\r`), as `wc -w` uses.
#[inline(always)]
pub(crate) fn is_space(b: u8) -> bool {
    b == b' ' || b.wrapping_sub(b'\t') < 5
}

/// How a text is cut into tokens, and how each token is folded before it is hashed.
///
/// Bytes are never decoded: invalid UTF-8 is just bytes, and a token is hashed from its
/// bytes as [`ItemHasher::hash_item`](crate::ItemHasher::hash_item) hashes a `[u8]`.
///
/// * Words (the default): runs of bytes between ASCII whitespace (space, `\t`, `\n`,
///   `\v`, `\f`, `\r`: C's `isspace`, as `wc -w` uses). Runs of whitespace make no empty
///   tokens.
/// * Lines ([`TokenOptions::lines`]): the bytes before each `\n` (so a `\r` before it is
///   part of the line, and an empty line is a token), and the bytes after the last `\n`
///   if any.
/// * Lower-casing ([`TokenOptions::lowercase`]): ASCII `A..=Z` folded to `a..=z` first;
///   other bytes are left alone.
///
/// # Example
///
/// ```
/// use lessram::text::{TokenOptions, hash_tokens};
///
/// let mut hashes = Vec::new();
/// hash_tokens(b"The cat\nthe  dog\n", TokenOptions::words(), 0, &mut hashes);
/// assert_eq!(hashes.len(), 4);
/// hashes.clear();
/// hash_tokens(b"The cat\nthe  dog\n", TokenOptions::lines(), 0, &mut hashes);
/// assert_eq!(hashes.len(), 2);
/// hashes.clear();
/// let folded = TokenOptions::words().lowercase(true);
/// hash_tokens(b"The the", folded, 0, &mut hashes);
/// assert_eq!(hashes[0], hashes[1]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TokenOptions {
    /// Tokens are lines (the bytes before each `\n`), not whitespace-separated words.
    pub lines: bool,
    /// Fold ASCII upper case to lower case before hashing.
    pub lowercase: bool,
}

impl TokenOptions {
    /// Whitespace-separated words, bytes as they are (the default).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::TokenOptions;
    /// assert_eq!(TokenOptions::words(), TokenOptions::default());
    /// ```
    #[must_use]
    pub const fn words() -> Self {
        Self {
            lines: false,
            lowercase: false,
        }
    }

    /// Lines: the bytes before each `\n`, and after the last one if any.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::TokenOptions;
    /// assert!(TokenOptions::lines().lines);
    /// ```
    #[must_use]
    pub const fn lines() -> Self {
        Self {
            lines: true,
            lowercase: false,
        }
    }

    /// These options with ASCII lower-casing on or off.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::TokenOptions;
    /// assert!(TokenOptions::words().lowercase(true).lowercase);
    /// ```
    #[must_use]
    pub const fn lowercase(mut self, on: bool) -> Self {
        self.lowercase = on;
        self
    }

    /// Whether `b` ends a token in this mode.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::TokenOptions;
    /// assert!(TokenOptions::words().is_separator(b'\t'));
    /// assert!(!TokenOptions::lines().is_separator(b'\t'));
    /// ```
    #[inline(always)]
    #[must_use]
    pub fn is_separator(&self, b: u8) -> bool {
        if self.lines { b == b'\n' } else { is_space(b) }
    }
}
