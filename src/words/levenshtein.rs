//! A Levenshtein automaton over bytes that counts edits in characters.
//!
//! We implement [`fst::Automaton`] ourselves rather than enable fst's `levenshtein` feature:
//! that one takes the query as `&str` (our words are bytes), builds a DFA eagerly with a
//! 10,000-state limit (queries of a dozen characters at distance 2-3 fail), and spends
//! milliseconds building it for each query. This automaton is the dynamic-programming row
//! of the classic edit-distance table, advanced one unit at a time as fst walks its
//! transitions, and pruned as soon as the row's minimum exceeds the maximum distance; it
//! has no state limit and its set-up is one pass over the query.
//!
//! Edits are counted in *units*: a unit is a UTF-8 encoded character (so `"café"` is one
//! edit from `"cafe"`), and every byte that is not part of a valid UTF-8 sequence is a unit
//! on its own, so any byte string has a distance to any other.

use fst::Automaton;
use smallvec::SmallVec;

/// Units at and above this value are invalid bytes: `INVALID + byte`.
const INVALID: u32 = 0x11_0000;

/// The first unit of `buf`, with its length in bytes; `None` if `buf` is a proper prefix of
/// a valid UTF-8 sequence (more bytes are needed to decide).
fn split_unit(buf: &[u8]) -> Option<(u32, usize)> {
    let b0 = *buf.first()?;
    let (n, second) = match b0 {
        0x00..=0x7f => return Some((u32::from(b0), 1)),
        0xc2..=0xdf => (2, 0x80..=0xbf),
        0xe0 => (3, 0xa0..=0xbf),
        0xed => (3, 0x80..=0x9f),
        0xe1..=0xef => (3, 0x80..=0xbf),
        0xf0 => (4, 0x90..=0xbf),
        0xf1..=0xf3 => (4, 0x80..=0xbf),
        0xf4 => (4, 0x80..=0x8f),
        _ => return Some((INVALID + u32::from(b0), 1)),
    };
    for i in 1..n {
        let &b = buf.get(i)?;
        let ok = if i == 1 {
            second.contains(&b)
        } else {
            (0x80..=0xbf).contains(&b)
        };
        if !ok {
            return Some((INVALID + u32::from(b0), 1));
        }
    }
    let c = std::str::from_utf8(&buf[..n])
        .ok()
        .and_then(|s| s.chars().next())
        .map_or(INVALID + u32::from(b0), u32::from);
    Some((c, n))
}

/// The units of a complete byte string (an unfinished sequence at the end is invalid bytes).
fn units(mut bytes: &[u8], mut f: impl FnMut(u32)) {
    while !bytes.is_empty() {
        let (u, n) = split_unit(bytes).unwrap_or((INVALID + u32::from(bytes[0]), 1));
        f(u);
        bytes = &bytes[n..];
    }
}

/// Words within a maximum edit distance of a query, as an [`fst::Automaton`].
///
/// Used by [`Dawg::fuzzy`](crate::Dawg::fuzzy) and
/// [`DawgMap::fuzzy`](crate::DawgMap::fuzzy); it also runs on any `fst` set or map.
///
/// # Example
///
/// ```
/// use lessram::words::Levenshtein;
///
/// let lev = Levenshtein::new("café", 1);
/// assert_eq!(lev.distance("cafe"), Some(1)); // one character, two bytes
/// assert_eq!(lev.distance("cafes"), None);
/// assert_eq!(Levenshtein::new(b"\xff", 1).distance(b"\xfe"), Some(1));
/// ```
#[derive(Clone, Debug)]
pub struct Levenshtein {
    query: Vec<u32>,
    max: u32,
}

/// The automaton's state: the last row of the edit-distance table and the bytes of an
/// unfinished UTF-8 sequence; `None` once no match is possible.
#[derive(Clone, Debug)]
pub struct LevenshteinState {
    row: SmallVec<[u32; 20]>,
    pending: [u8; 4],
    pending_len: u8,
}

impl Levenshtein {
    /// An automaton matching words at most `max_distance` edits (insertions, deletions,
    /// substitutions of one unit) from `query`.
    ///
    /// # Example
    ///
    /// ```
    /// let lev = lessram::words::Levenshtein::new("cat", 1);
    /// assert_eq!(lev.distance("cart"), Some(1));
    /// ```
    #[must_use]
    pub fn new<Q: AsRef<[u8]>>(query: Q, max_distance: u32) -> Self {
        let mut q = Vec::new();
        units(query.as_ref(), |u| q.push(u));
        Self {
            query: q,
            max: max_distance,
        }
    }

    /// The edit distance between the query and `word` if it is at most the maximum.
    ///
    /// # Example
    ///
    /// ```
    /// let lev = lessram::words::Levenshtein::new("kitten", 3);
    /// assert_eq!(lev.distance("sitting"), Some(3));
    /// ```
    #[must_use]
    pub fn distance<W: AsRef<[u8]>>(&self, word: W) -> Option<u32> {
        let mut s = Some(self.start());
        for &b in word.as_ref() {
            s = self.accept(&s, b);
        }
        self.final_distance(&s)
    }

    /// The distance reached in `state` at the end of a word, if within the maximum.
    pub(crate) fn final_distance(&self, state: &Option<LevenshteinState>) -> Option<u32> {
        let s = state.as_ref()?;
        let d = if s.pending_len == 0 {
            *s.row.last().expect("the row has query + 1 entries")
        } else {
            let mut row = s.row.clone();
            units(&s.pending[..s.pending_len as usize], |u| {
                self.step(&mut row, u);
            });
            *row.last().expect("the row has query + 1 entries")
        };
        (d <= self.max).then_some(d)
    }

    fn start(&self) -> LevenshteinState {
        let cap = self.max.saturating_add(1);
        LevenshteinState {
            row: (0..=self.query.len())
                .map(|i| u32::try_from(i).unwrap_or(u32::MAX).min(cap))
                .collect(),
            pending: [0; 4],
            pending_len: 0,
        }
    }

    /// Advances `row` by one unit of the word; values are capped at `max + 1`.
    fn step(&self, row: &mut [u32], unit: u32) {
        let cap = self.max.saturating_add(1);
        let mut diag = row[0];
        row[0] = row[0].saturating_add(1).min(cap);
        for (j, &q) in self.query.iter().enumerate() {
            let up = row[j + 1];
            let cost = diag + u32::from(q != unit);
            let v = cost.min(up.saturating_add(1)).min(row[j].saturating_add(1));
            diag = up;
            row[j + 1] = v.min(cap);
        }
    }
}

impl Automaton for Levenshtein {
    type State = Option<LevenshteinState>;

    fn start(&self) -> Self::State {
        Some(Levenshtein::start(self))
    }

    fn is_match(&self, state: &Self::State) -> bool {
        self.final_distance(state).is_some()
    }

    fn can_match(&self, state: &Self::State) -> bool {
        // The row's minimum never decreases as units are added.
        state
            .as_ref()
            .is_some_and(|s| s.row.iter().min().is_some_and(|&m| m <= self.max))
    }

    fn accept(&self, state: &Self::State, byte: u8) -> Self::State {
        let mut s = state.clone()?;
        s.pending[s.pending_len as usize] = byte;
        s.pending_len += 1;
        let mut start = 0;
        while let Some((u, n)) = split_unit(&s.pending[start..s.pending_len as usize]) {
            self.step(&mut s.row, u);
            start += n;
        }
        if start > 0 {
            s.pending.copy_within(start..s.pending_len as usize, 0);
            s.pending_len -= start as u8;
        }
        s.row
            .iter()
            .min()
            .is_some_and(|&m| m <= self.max)
            .then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Plain edit distance over two unit sequences.
    fn naive(a: &[u32], b: &[u32]) -> u32 {
        let mut prev: Vec<u32> = (0..=b.len() as u32).collect();
        for (i, &x) in a.iter().enumerate() {
            let mut cur = vec![i as u32 + 1; b.len() + 1];
            for (j, &y) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + u32::from(x != y))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    fn unit_vec(b: &[u8]) -> Vec<u32> {
        let mut v = Vec::new();
        units(b, |u| v.push(u));
        v
    }

    #[test]
    fn units_agree_with_std_on_valid_utf8() {
        for s in [
            "",
            "abc",
            "café",
            "日本語",
            "𝄞x",
            "\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}",
        ] {
            let want: Vec<u32> = s.chars().map(u32::from).collect();
            assert_eq!(unit_vec(s.as_bytes()), want, "{s}");
        }
        // Surrogates, overlongs, truncated sequences and stray continuation bytes are bytes.
        assert_eq!(unit_vec(b"\xed\xa0\x80").len(), 3);
        assert_eq!(unit_vec(b"\xc0\xaf").len(), 2);
        assert_eq!(unit_vec(b"\xe6\x97"), [INVALID + 0xe6, INVALID + 0x97]);
        assert_eq!(unit_vec(b"\xe6\x97a"), [INVALID + 0xe6, INVALID + 0x97, 97]);
        assert_eq!(unit_vec(b"\x80"), [INVALID + 0x80]);
    }

    proptest! {
        #[test]
        fn automaton_matches_the_dp_table(
            a in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(0xc3), Just(0xa9), Just(0xe6), Just(0x97), Just(0xa5), Just(0xff)], 0..8),
            b in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(0xc3), Just(0xa9), Just(0xe6), Just(0x97), Just(0xa5), Just(0xff)], 0..8),
            max in 0u32..4,
        ) {
            let d = naive(&unit_vec(&a), &unit_vec(&b));
            let lev = Levenshtein::new(&a, max);
            prop_assert_eq!(lev.distance(&b), (d <= max).then_some(d));
        }
    }
}
