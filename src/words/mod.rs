//! Word stores: a [`Trie`] you can grow and a [`Dawg`] you can ship.
//!
//! # Overview
//!
//! Both hold exact sets of words, where a word is any byte string: the empty string,
//! non-ASCII UTF-8 and bytes that are not UTF-8 at all are all valid words. Both iterate
//! in byte order, answer prefix queries and implement [`WordStore`](crate::WordStore) and
//! [`MemoryUsage`](crate::MemoryUsage).
//!
//! * [`Trie`] is mutable: insert and remove words in any order, keep an exact count per
//!   word (token frequencies), find the longest stored prefix of a query. It is a radix
//!   (Patricia) tree whose nodes are packed byte blocks: on the 663,473-word English list
//!   13.2 heap bytes a word as built and 9.9 after [`Trie::shrink_to_fit`], about a third
//!   of a collected `BTreeSet<String>` (35.6; `docs/footprint.md` has every figure).
//! * [`Dawg`] (a set) and [`DawgMap`] (word to `u64`) are immutable minimal automata built on
//!   the [`fst`] crate: 3.6 bytes a word on that list, with range and fuzzy
//!   (Levenshtein) search, saved as one checksummed frame that can be opened from a memory
//!   map without copying.
//!
//! The usual life: count tokens in a [`Trie`], then freeze it into a [`DawgMap`] to ship.
//!
//! # Usage
//!
//! ```
//! use lessram::{Dawg, DawgMap, Trie};
//!
//! let mut counts = Trie::new();
//! for token in "the cat and the hat and the bat".split(' ') {
//!     counts.insert(token);
//! }
//! assert_eq!(counts.count("the"), 3);
//!
//! let frozen = DawgMap::from_trie(&counts);
//! assert_eq!(frozen.get("and"), Some(2));
//!
//! let words = Dawg::from_trie(&counts);
//! assert_eq!(words.fuzzy("cot", 1), [(b"cat".to_vec(), 1)]);
//! # Ok::<(), lessram::Error>(())
//! ```

mod dawg;
mod fst_check;
mod levenshtein;
mod trie;

pub use dawg::{Dawg, DawgMap};
pub use levenshtein::{Levenshtein, LevenshteinState};
pub use trie::{Iter, Trie};
