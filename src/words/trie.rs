//! A mutable radix (Patricia) tree over byte strings, with a count per word.
//!
//! # Layout
//!
//! Every node is one exactly-sized byte block (`Box<[u8]>`) in an arena (`Vec`), addressed
//! by a `u32` id; node 0 is the root. A block holds the node's own count (LEB128; `0` means
//! the path to the node is not a stored word) followed by its outgoing edges, sorted by
//! their first byte:
//!
//! ```text
//! edge = header (LEB128: label_len << 1 | is_node) , label bytes ,
//!        ( child id: u32 LE            if is_node
//!        | count: LEB128 (>= 1)        if the edge ends in a leaf )
//! ```
//!
//! Leaves (words with no longer stored word below them, 57% of the nodes on an English list)
//! are not nodes at all: they are an edge with a count, a few bytes inside their parent's
//! block. Single-child chains are compressed into one edge label, and the tree is kept in
//! that canonical shape by `remove` (a node that is not a word and has one edge is merged
//! into its parent's edge; a word node with no edges becomes a leaf again).
//!
//! This replaced the textbook layout (a node struct with a `SmallVec` of children and a
//! label) because it is 2-3x smaller: a `SmallVec<[u32; 2]>` alone is 24 bytes, while the
//! average node here costs the 16 bytes of its `Box<[u8]>` slot plus 5 bytes of edge; see
//! the `## Word stores` section of `docs/performance.md` for the measured bytes per word.
//! Mutations rewrite the one or two blocks they touch (a node has at most 256 edges).

use std::fmt;

use smallvec::SmallVec;

use crate::codec::{Codec, Decoder, Encoder, Kind, Reader};
use crate::error::{Error, Result};
use crate::{MemoryUsage, WordStore};

/// A mutable set of words (byte strings) with an exact count per word.
///
/// Words may be inserted and removed in any order; iteration is in byte order. Each word
/// carries a count (how many times it was inserted, or whatever [`Trie::add`] added), so a
/// `Trie` holds exact token frequencies and freezes into a
/// [`DawgMap`](crate::DawgMap) in one call.
///
/// The empty string, non-ASCII UTF-8 and arbitrary bytes are all valid words.
///
/// # Example
///
/// ```
/// use lessram::Trie;
///
/// let mut t = Trie::new();
/// assert!(t.insert("car"));
/// assert!(t.insert("cart"));
/// assert!(!t.insert("car")); // already there: its count goes to 2
/// assert_eq!((t.len(), t.count("car"), t.count("ca")), (2, 2, 0));
/// assert_eq!(t.longest_prefix("carts"), Some((&b"cart"[..], 1)));
/// let words: Vec<Vec<u8>> = t.iter().map(|(w, _)| w).collect();
/// assert_eq!(words, [b"car".to_vec(), b"cart".to_vec()]);
/// assert_eq!(t.remove("car"), Some(2));
/// assert!(!t.contains("car") && t.contains("cart"));
/// ```
#[derive(Clone)]
pub struct Trie {
    /// Node blocks; node 0 is the root. Freed nodes are empty boxes (no heap).
    nodes: Vec<Box<[u8]>>,
    /// Ids of freed nodes, reused first.
    free: Vec<u32>,
    /// Number of distinct words.
    len: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Child {
    Node(u32),
    Leaf(u64),
}

/// One decoded edge of a block: bytes `start..end`, label `label_start..label_start+label_len`.
#[derive(Clone, Copy, Debug)]
struct Edge {
    start: usize,
    label_start: usize,
    label_len: usize,
    child: Child,
    end: usize,
}

impl Edge {
    #[inline]
    fn label<'b>(&self, block: &'b [u8]) -> &'b [u8] {
        &block[self.label_start..self.label_start + self.label_len]
    }
}

#[inline]
fn read_varint(b: &[u8], pos: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let byte = b[*pos];
        *pos += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return v;
        }
        shift += 7;
    }
}

#[inline]
fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn varint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Reads a LEB128 `u64` from untrusted input, refusing overlong or overflowing encodings.
fn read_varint_checked(r: &mut Reader<'_>) -> Result<u64> {
    let mut v = 0u64;
    for i in 0..10 {
        let byte = r.u8()?;
        let bits = u64::from(byte & 0x7f);
        if i == 9 && bits > 1 {
            return Err(Error::corrupt("Trie", "a varint overflows 64 bits"));
        }
        v |= bits << (7 * i);
        if byte < 0x80 {
            if byte == 0 && i > 0 {
                return Err(Error::corrupt("Trie", "a varint has an overlong encoding"));
            }
            return Ok(v);
        }
    }
    Err(Error::corrupt("Trie", "a varint is longer than 10 bytes"))
}

#[inline]
fn edge_at(block: &[u8], start: usize) -> Edge {
    let mut pos = start;
    let header = read_varint(block, &mut pos);
    let label_len = (header >> 1) as usize;
    let label_start = pos;
    pos += label_len;
    let child = if header & 1 == 1 {
        let id = u32::from_le_bytes(block[pos..pos + 4].try_into().expect("4 bytes"));
        pos += 4;
        Child::Node(id)
    } else {
        Child::Leaf(read_varint(block, &mut pos))
    };
    Edge {
        start,
        label_start,
        label_len,
        child,
        end: pos,
    }
}

fn encode_edge(out: &mut Vec<u8>, label: &[u8], child: Child) {
    let is_node = u64::from(matches!(child, Child::Node(_)));
    push_varint(out, ((label.len() as u64) << 1) | is_node);
    out.extend_from_slice(label);
    match child {
        Child::Node(id) => out.extend_from_slice(&id.to_le_bytes()),
        Child::Leaf(c) => push_varint(out, c),
    }
}

fn edge_bytes(label: &[u8], child: Child) -> Vec<u8> {
    let mut v = Vec::with_capacity(label.len() + 15);
    encode_edge(&mut v, label, child);
    v
}

#[inline]
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// The node's own count and the offset of its first edge.
#[inline]
fn node_count(block: &[u8]) -> (u64, usize) {
    let mut pos = 0;
    let c = read_varint(block, &mut pos);
    (c, pos)
}

/// The edge of `block` whose label starts with `b`, or the offset where it would go.
#[inline]
fn find_edge(block: &[u8], mut pos: usize, b: u8) -> std::result::Result<Edge, usize> {
    while pos < block.len() {
        let e = edge_at(block, pos);
        let first = block[e.label_start];
        if first == b {
            return Ok(e);
        }
        if first > b {
            return Err(pos);
        }
        pos = e.end;
    }
    Err(pos)
}

impl Default for Trie {
    fn default() -> Self {
        Self::new()
    }
}

impl Trie {
    /// An empty trie (its root block is one byte on the heap).
    ///
    /// # Example
    ///
    /// ```
    /// let t = lessram::Trie::new();
    /// assert!(t.is_empty());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self {
            nodes: vec![vec![0u8].into_boxed_slice()],
            free: Vec::new(),
            len: 0,
        }
    }

    /// Number of distinct words stored.
    ///
    /// # Example
    ///
    /// ```
    /// let t: lessram::Trie = ["a", "b", "a"].into_iter().collect();
    /// assert_eq!(t.len(), 2);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no word is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Inserts `word` (adds 1 to its count); returns `true` if it was not stored before.
    ///
    /// # Example
    ///
    /// ```
    /// let mut t = lessram::Trie::new();
    /// assert!(t.insert("héllo"));
    /// assert!(t.insert(b"\xff\x00"));
    /// assert!(t.insert(""));
    /// assert!(!t.insert("héllo"));
    /// assert_eq!(t.count("héllo"), 2);
    /// ```
    pub fn insert<W: AsRef<[u8]>>(&mut self, word: W) -> bool {
        self.add(word, 1) == 1
    }

    /// Adds `n` to the count of `word` (inserting it if absent) and returns the new count,
    /// which saturates at `u64::MAX`. Adding 0 changes nothing (a word's count is at least
    /// 1 while it is stored).
    ///
    /// # Example
    ///
    /// ```
    /// let mut t = lessram::Trie::new();
    /// assert_eq!(t.add("the", 10), 10);
    /// assert_eq!(t.add("the", 5), 15);
    /// assert_eq!(t.add("cat", 0), 0);
    /// assert!(!t.contains("cat"));
    /// ```
    pub fn add<W: AsRef<[u8]>>(&mut self, word: W, n: u64) -> u64 {
        let word = word.as_ref();
        if n == 0 {
            return self.count(word);
        }
        let old = self.add_inner(word, n);
        if old == 0 {
            self.len += 1;
        }
        old.saturating_add(n)
    }

    /// Adds `n >= 1` to `word`'s count; returns the previous count (0 if it was absent).
    fn add_inner(&mut self, word: &[u8], n: u64) -> u64 {
        let mut id = 0usize;
        let mut k = word;
        loop {
            let block = &self.nodes[id];
            let (count, first_edge) = node_count(block);
            let Some(&b) = k.first() else {
                let mut v = Vec::with_capacity(10);
                push_varint(&mut v, count.saturating_add(n));
                self.splice(id, 0..first_edge, &v);
                return count;
            };
            let e = match find_edge(block, first_edge, b) {
                Err(pos) => {
                    let bytes = edge_bytes(k, Child::Leaf(n));
                    self.splice(id, pos..pos, &bytes);
                    return 0;
                }
                Ok(e) => e,
            };
            let label = e.label(block);
            let p = common_prefix(label, k);
            if p == label.len() {
                match e.child {
                    Child::Node(c) => {
                        k = &k[p..];
                        id = c as usize;
                    }
                    Child::Leaf(c) if k.len() == p => {
                        let bytes = edge_bytes(label, Child::Leaf(c.saturating_add(n)));
                        self.splice(id, e.start..e.end, &bytes);
                        return c;
                    }
                    Child::Leaf(c) => {
                        // The leaf becomes a node holding its count and the new, longer word.
                        let mut nb = Vec::with_capacity(varint_len(c) + k.len() - p + 11);
                        push_varint(&mut nb, c);
                        encode_edge(&mut nb, &k[p..], Child::Leaf(n));
                        let label = label.to_vec();
                        let new_id = self.alloc(nb);
                        let bytes = edge_bytes(&label, Child::Node(new_id));
                        self.splice(id, e.start..e.end, &bytes);
                        return 0;
                    }
                }
            } else {
                // Split the edge after `p` bytes (p >= 1: the first bytes match).
                let old_tail = edge_bytes(&label[p..], e.child);
                let mut nb = Vec::with_capacity(old_tail.len() + k.len() + 12);
                if k.len() == p {
                    push_varint(&mut nb, n);
                    nb.extend_from_slice(&old_tail);
                } else {
                    nb.push(0);
                    let new_tail = edge_bytes(&k[p..], Child::Leaf(n));
                    if label[p] < k[p] {
                        nb.extend_from_slice(&old_tail);
                        nb.extend_from_slice(&new_tail);
                    } else {
                        nb.extend_from_slice(&new_tail);
                        nb.extend_from_slice(&old_tail);
                    }
                }
                let head = label[..p].to_vec();
                let new_id = self.alloc(nb);
                let bytes = edge_bytes(&head, Child::Node(new_id));
                self.splice(id, e.start..e.end, &bytes);
                return 0;
            }
        }
    }

    /// Replaces `range` of node `id`'s block with `with`, keeping the block exactly sized.
    fn splice(&mut self, id: usize, range: std::ops::Range<usize>, with: &[u8]) {
        let old = &self.nodes[id];
        let mut v = Vec::with_capacity(old.len() - range.len() + with.len());
        v.extend_from_slice(&old[..range.start]);
        v.extend_from_slice(with);
        v.extend_from_slice(&old[range.end..]);
        self.nodes[id] = v.into_boxed_slice();
    }

    /// Stores a new node block and returns its id.
    ///
    /// # Panics
    ///
    /// With 2^32 nodes (over 2^31 words, far more than fits in memory at ~16 bytes a word
    /// on 64-bit targets that would be a 32 GiB trie).
    fn alloc(&mut self, block: Vec<u8>) -> u32 {
        let block = block.into_boxed_slice();
        if let Some(id) = self.free.pop() {
            self.nodes[id as usize] = block;
            return id;
        }
        let id = u32::try_from(self.nodes.len()).expect("fewer than 2^32 trie nodes");
        if self.nodes.len() == self.nodes.capacity() {
            // Grow by 1/8, not 2x: the slots are most of the trie's heap, so doubling would
            // waste up to half of it. Still amortised O(1) per node.
            self.nodes.reserve_exact((self.nodes.len() / 8).max(8));
        }
        self.nodes.push(block);
        id
    }

    fn release(&mut self, id: u32) {
        self.nodes[id as usize] = Box::default();
        self.free.push(id);
    }

    /// The count of `word`: how many times it was inserted (0 if absent).
    ///
    /// # Example
    ///
    /// ```
    /// let t: lessram::Trie = "to be or not to be".split(' ').collect();
    /// assert_eq!((t.count("to"), t.count("or"), t.count("xyz")), (2, 1, 0));
    /// ```
    #[must_use]
    pub fn count<W: AsRef<[u8]>>(&self, word: W) -> u64 {
        let mut id = 0usize;
        let mut k = word.as_ref();
        loop {
            let block = &self.nodes[id][..];
            let (count, first_edge) = node_count(block);
            let Some(&b) = k.first() else {
                return count;
            };
            let Ok(e) = find_edge(block, first_edge, b) else {
                return 0;
            };
            let label = e.label(block);
            if !k.starts_with(label) {
                return 0;
            }
            k = &k[label.len()..];
            match e.child {
                Child::Node(c) => id = c as usize,
                Child::Leaf(c) => return if k.is_empty() { c } else { 0 },
            }
        }
    }

    /// Whether `word` is stored.
    ///
    /// # Example
    ///
    /// ```
    /// let t: lessram::Trie = ["cart"].into_iter().collect();
    /// assert!(t.contains("cart") && !t.contains("car") && !t.contains("carts"));
    /// ```
    #[must_use]
    pub fn contains<W: AsRef<[u8]>>(&self, word: W) -> bool {
        self.count(word) > 0
    }

    /// Removes `word`; returns its count if it was stored.
    ///
    /// # Example
    ///
    /// ```
    /// let mut t: lessram::Trie = ["a", "ab", "ab"].into_iter().collect();
    /// assert_eq!(t.remove("ab"), Some(2));
    /// assert_eq!(t.remove("ab"), None);
    /// assert_eq!(t.len(), 1);
    /// ```
    pub fn remove<W: AsRef<[u8]>>(&mut self, word: W) -> Option<u64> {
        // The edges followed to reach the current node: (parent id, edge start).
        let mut path: SmallVec<[(u32, usize); 16]> = SmallVec::new();
        let mut id = 0usize;
        let mut k = word.as_ref();
        loop {
            let block = &self.nodes[id][..];
            let (count, first_edge) = node_count(block);
            let Some(&b) = k.first() else {
                if count == 0 {
                    return None;
                }
                self.splice(id, 0..first_edge, &[0]);
                self.len -= 1;
                self.normalize(id as u32, path.last().copied());
                return Some(count);
            };
            let e = find_edge(block, first_edge, b).ok()?;
            let label = e.label(block);
            if !k.starts_with(label) {
                return None;
            }
            k = &k[label.len()..];
            match e.child {
                Child::Node(c) => {
                    path.push((id as u32, e.start));
                    id = c as usize;
                }
                Child::Leaf(c) => {
                    if !k.is_empty() {
                        return None;
                    }
                    self.splice(id, e.start..e.end, &[]);
                    self.len -= 1;
                    self.normalize(id as u32, path.last().copied());
                    return Some(c);
                }
            }
        }
    }

    /// Restores the canonical shape at node `id` after a removal: a non-word node with one
    /// edge merges into its parent's edge, a word node with no edges becomes a leaf.
    fn normalize(&mut self, id: u32, parent: Option<(u32, usize)>) {
        let Some((pid, edge_start)) = parent else {
            return; // the root stays a node
        };
        let block = &self.nodes[id as usize][..];
        let (count, first_edge) = node_count(block);
        let pblock = &self.nodes[pid as usize][..];
        let pe = edge_at(pblock, edge_start);
        let replacement = if first_edge == block.len() {
            debug_assert!(count > 0, "a non-root node without edges is a word");
            edge_bytes(pe.label(pblock), Child::Leaf(count))
        } else {
            let only = edge_at(block, first_edge);
            if count > 0 || only.end != block.len() {
                return;
            }
            let mut label = Vec::with_capacity(pe.label_len + only.label_len);
            label.extend_from_slice(pe.label(pblock));
            label.extend_from_slice(only.label(block));
            edge_bytes(&label, only.child)
        };
        self.splice(pid as usize, pe.start..pe.end, &replacement);
        self.release(id);
    }

    /// The longest stored word that is a prefix of `query`, with its count.
    ///
    /// # Example
    ///
    /// ```
    /// let t: lessram::Trie = ["", "in", "inter"].into_iter().collect();
    /// assert_eq!(t.longest_prefix("internet"), Some((&b"inter"[..], 1)));
    /// assert_eq!(t.longest_prefix("into"), Some((&b"in"[..], 1)));
    /// assert_eq!(t.longest_prefix("out"), Some((&b""[..], 1)));
    /// ```
    #[must_use]
    pub fn longest_prefix<'q, Q: AsRef<[u8]> + ?Sized>(
        &self,
        query: &'q Q,
    ) -> Option<(&'q [u8], u64)> {
        let query = query.as_ref();
        let mut best = None;
        let mut id = 0usize;
        let mut depth = 0;
        loop {
            let block = &self.nodes[id][..];
            let (count, first_edge) = node_count(block);
            if count > 0 {
                best = Some((depth, count));
            }
            let k = &query[depth..];
            let Some(&b) = k.first() else { break };
            let Ok(e) = find_edge(block, first_edge, b) else {
                break;
            };
            let label = e.label(block);
            if !k.starts_with(label) {
                break;
            }
            depth += label.len();
            match e.child {
                Child::Node(c) => id = c as usize,
                Child::Leaf(c) => {
                    best = Some((depth, c));
                    break;
                }
            }
        }
        best.map(|(d, c)| (&query[..d], c))
    }

    /// Every word with its count, in byte order.
    ///
    /// Each item is an owned `Vec<u8>`; [`Trie::for_each`] visits the words without
    /// allocating.
    ///
    /// # Example
    ///
    /// ```
    /// let t: lessram::Trie = ["b", "a", "b"].into_iter().collect();
    /// let all: Vec<_> = t.iter().collect();
    /// assert_eq!(all, [(b"a".to_vec(), 1), (b"b".to_vec(), 2)]);
    /// ```
    #[must_use]
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.cursor(b""))
    }

    /// Every word starting with `prefix`, with its count, in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let t: lessram::Trie = ["car", "cart", "cat", "dog"].into_iter().collect();
    /// let words: Vec<Vec<u8>> = t.prefix_iter("car").map(|(w, _)| w).collect();
    /// assert_eq!(words, [b"car".to_vec(), b"cart".to_vec()]);
    /// ```
    #[must_use]
    pub fn prefix_iter<P: AsRef<[u8]>>(&self, prefix: P) -> Iter<'_> {
        Iter(self.cursor(prefix.as_ref()))
    }

    /// Calls `f(word, count)` for every word in byte order, without allocating per word.
    ///
    /// # Example
    ///
    /// ```
    /// let t: lessram::Trie = ["x", "y", "y"].into_iter().collect();
    /// let mut total = 0;
    /// t.for_each(|_, count| total += count);
    /// assert_eq!(total, 3);
    /// ```
    pub fn for_each<F: FnMut(&[u8], u64)>(&self, mut f: F) {
        let mut c = self.cursor(b"");
        while let Some((w, n)) = c.next() {
            f(w, n);
        }
    }

    /// Calls `f(word, count)` for every word starting with `prefix`, in byte order.
    ///
    /// # Example
    ///
    /// ```
    /// let t: lessram::Trie = ["pre", "prefix", "pro"].into_iter().collect();
    /// let mut seen = Vec::new();
    /// t.for_each_prefixed("pre", |w, _| seen.push(w.to_vec()));
    /// assert_eq!(seen, [b"pre".to_vec(), b"prefix".to_vec()]);
    /// ```
    pub fn for_each_prefixed<P: AsRef<[u8]>, F: FnMut(&[u8], u64)>(&self, prefix: P, mut f: F) {
        let mut c = self.cursor(prefix.as_ref());
        while let Some((w, n)) = c.next() {
            f(w, n);
        }
    }

    /// Frees the spare capacity of the node arena and the free list.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{MemoryUsage, Trie};
    /// let mut t: Trie = (0..1000).map(|i| format!("w{i}")).collect();
    /// let before = t.memory_usage();
    /// t.shrink_to_fit();
    /// assert!(t.memory_usage() <= before);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.nodes.shrink_to_fit();
        self.free.shrink_to_fit();
    }

    /// Removes every word (keeps the arena's capacity).
    ///
    /// # Example
    ///
    /// ```
    /// let mut t: lessram::Trie = ["a"].into_iter().collect();
    /// t.clear();
    /// assert!(t.is_empty() && !t.contains("a"));
    /// ```
    pub fn clear(&mut self) {
        self.nodes.truncate(1);
        self.nodes[0] = vec![0u8].into_boxed_slice();
        self.free.clear();
        self.len = 0;
    }

    fn cursor(&self, prefix: &[u8]) -> Cursor<'_> {
        let mut cur = Cursor {
            trie: self,
            buf: Vec::new(),
            stack: Vec::new(),
            pending: 0,
        };
        let mut id = 0usize;
        let mut k = prefix;
        loop {
            let block = &self.nodes[id][..];
            let (count, first_edge) = node_count(block);
            let Some(&b) = k.first() else {
                cur.pending = count;
                cur.stack.push(Frame {
                    id: id as u32,
                    pos: first_edge,
                    end: block.len(),
                    base: cur.buf.len(),
                });
                return cur;
            };
            let Ok(e) = find_edge(block, first_edge, b) else {
                return cur;
            };
            let label = e.label(block);
            if label.len() >= k.len() {
                if label.starts_with(k) {
                    cur.stack.push(Frame {
                        id: id as u32,
                        pos: e.start,
                        end: e.end,
                        base: cur.buf.len(),
                    });
                }
                return cur;
            }
            if !k.starts_with(label) {
                return cur;
            }
            match e.child {
                Child::Node(c) => {
                    cur.buf.extend_from_slice(label);
                    k = &k[label.len()..];
                    id = c as usize;
                }
                Child::Leaf(_) => return cur,
            }
        }
    }
}

/// Edges `pos..end` of node `id` are still to visit; `base` is the key length above them.
#[derive(Clone, Copy, Debug)]
struct Frame {
    id: u32,
    pos: usize,
    end: usize,
    base: usize,
}

/// A depth-first walk that lends each word from one reused buffer.
#[derive(Clone, Debug)]
struct Cursor<'a> {
    trie: &'a Trie,
    buf: Vec<u8>,
    stack: Vec<Frame>,
    /// The count of the word in `buf` to emit before the top frame's edges (0: none).
    pending: u64,
}

impl Cursor<'_> {
    fn next(&mut self) -> Option<(&[u8], u64)> {
        if self.pending > 0 {
            let n = std::mem::take(&mut self.pending);
            return Some((&self.buf, n));
        }
        loop {
            let f = self.stack.last_mut()?;
            if f.pos >= f.end {
                self.stack.pop();
                continue;
            }
            let block = &self.trie.nodes[f.id as usize][..];
            let e = edge_at(block, f.pos);
            f.pos = e.end;
            self.buf.truncate(f.base);
            self.buf.extend_from_slice(e.label(block));
            match e.child {
                Child::Leaf(n) => return Some((&self.buf, n)),
                Child::Node(c) => {
                    let cb = &self.trie.nodes[c as usize][..];
                    let (n, first_edge) = node_count(cb);
                    self.stack.push(Frame {
                        id: c,
                        pos: first_edge,
                        end: cb.len(),
                        base: self.buf.len(),
                    });
                    if n > 0 {
                        return Some((&self.buf, n));
                    }
                }
            }
        }
    }
}

/// An iterator over `(word, count)` pairs of a [`Trie`] in byte order, from [`Trie::iter`]
/// or [`Trie::prefix_iter`].
///
/// # Example
///
/// ```
/// let t: lessram::Trie = ["b", "a"].into_iter().collect();
/// let mut it = t.iter();
/// assert_eq!(it.next(), Some((b"a".to_vec(), 1)));
/// ```
#[derive(Clone, Debug)]
pub struct Iter<'a>(Cursor<'a>);

impl Iterator for Iter<'_> {
    type Item = (Vec<u8>, u64);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(w, n)| (w.to_vec(), n))
    }
}

impl<'a> IntoIterator for &'a Trie {
    type Item = (Vec<u8>, u64);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<W: AsRef<[u8]>> FromIterator<W> for Trie {
    fn from_iter<I: IntoIterator<Item = W>>(iter: I) -> Self {
        let mut t = Trie::new();
        t.extend(iter);
        t
    }
}

impl<W: AsRef<[u8]>> Extend<W> for Trie {
    fn extend<I: IntoIterator<Item = W>>(&mut self, iter: I) {
        for w in iter {
            self.insert(w);
        }
    }
}

impl PartialEq for Trie {
    /// Equal when they hold the same words with the same counts (whatever the insertion
    /// order or the node ids).
    fn eq(&self, other: &Self) -> bool {
        if self.len != other.len {
            return false;
        }
        let (mut a, mut b) = (self.cursor(b""), other.cursor(b""));
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some(x), Some(y)) if x == y => {}
                _ => return false,
            }
        }
    }
}

impl Eq for Trie {}

impl fmt::Debug for Trie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        self.for_each(|w, n| {
            m.entry(&String::from_utf8_lossy(w), &n);
        });
        m.finish()
    }
}

impl MemoryUsage for Trie {
    /// The arena's slots (16 bytes each, counting capacity), every node block (exactly
    /// sized) and the free list's capacity.
    fn memory_usage(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Box<[u8]>>()
            + self.nodes.iter().map(|b| b.len()).sum::<usize>()
            + self.free.capacity() * std::mem::size_of::<u32>()
    }
}

impl WordStore for Trie {
    fn contains(&self, word: &[u8]) -> bool {
        Trie::contains(self, word)
    }
    fn len(&self) -> usize {
        self.len
    }
    fn for_each_with_prefix<F: FnMut(&[u8])>(&self, prefix: &[u8], mut f: F) {
        self.for_each_prefixed(prefix, |w, _| f(w));
    }
}

impl Codec for Trie {
    const KIND: Kind = Kind::Trie;

    /// Parameters: the word count (`u64`). Payload: the words in byte order, front-coded:
    /// for each, LEB128 bytes shared with the previous word, LEB128 suffix length, the
    /// suffix, LEB128 count (>= 1).
    fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::new(Kind::Trie, 0, 0);
        enc.params().u64(self.len as u64);
        let mut payload = Vec::new();
        let mut prev: Vec<u8> = Vec::new();
        self.for_each(|w, n| {
            let shared = common_prefix(&prev, w);
            push_varint(&mut payload, shared as u64);
            push_varint(&mut payload, (w.len() - shared) as u64);
            payload.extend_from_slice(&w[shared..]);
            push_varint(&mut payload, n);
            prev.clear();
            prev.extend_from_slice(w);
        });
        enc.payload().bytes(&payload);
        enc.finish()
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut dec = Decoder::new(bytes, Kind::Trie)?;
        let n = dec.params().u64()?;
        let payload = dec.payload();
        let mut t = Trie::new();
        let mut word: Vec<u8> = Vec::new();
        let mut read = 0u64;
        while payload.remaining() > 0 {
            let shared = read_varint_checked(payload)?;
            let suffix_len = read_varint_checked(payload)?;
            if shared > word.len() as u64 {
                return Err(Error::corrupt(
                    "Trie",
                    format!(
                        "word {read} shares {shared} bytes with a previous word of {} bytes",
                        word.len()
                    ),
                ));
            }
            let suffix_len = usize::try_from(suffix_len).unwrap_or(usize::MAX);
            let suffix = payload.take(suffix_len)?;
            let count = read_varint_checked(payload)?;
            let shared = shared as usize;
            // Strictly increasing: the first differing byte must be larger, or the previous
            // word must be a proper prefix of this one.
            if read > 0 {
                let increasing = match (word.get(shared), suffix.first()) {
                    (Some(&old), Some(&new)) => new > old,
                    (None, Some(_)) => true,
                    _ => false,
                };
                if !increasing {
                    return Err(Error::corrupt(
                        "Trie",
                        format!("word {read} does not sort after the word before it"),
                    ));
                }
            }
            if count == 0 {
                return Err(Error::corrupt("Trie", format!("word {read} has count 0")));
            }
            word.truncate(shared);
            word.extend_from_slice(suffix);
            t.add(&word, count);
            read += 1;
        }
        if read != n {
            return Err(Error::corrupt(
                "Trie",
                format!("the parameters promise {n} words, the payload holds {read}"),
            ));
        }
        dec.finish()?;
        Ok(t)
    }
}

impl Trie {
    /// Encodes the trie in lessram's binary format (see [`Codec`]).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::Trie;
    /// let t: Trie = ["a", "b", "b"].into_iter().collect();
    /// assert_eq!(Trie::from_bytes(&t.to_bytes())?, t);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        Codec::to_bytes(self)
    }

    /// Decodes a trie saved by [`Trie::to_bytes`], checking every field.
    ///
    /// # Errors
    ///
    /// Any frame error (see [`codec`](crate::codec)), and [`Error::Corrupt`] for words out
    /// of order, zero counts, bad varints or a word count that does not match.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Codec::from_bytes(bytes)
    }
}

#[cfg(feature = "serde")]
crate::serde_impls::serde_via_codec!(Trie);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn check_canonical(t: &Trie) {
        // Every live non-root node is a word or has at least two edges; leaves are edges.
        let freed: std::collections::HashSet<u32> = t.free.iter().copied().collect();
        for (id, block) in t.nodes.iter().enumerate().skip(1) {
            if freed.contains(&(id as u32)) {
                assert!(block.is_empty());
                continue;
            }
            let (count, mut pos) = node_count(block);
            let mut edges = 0;
            let mut last = None;
            while pos < block.len() {
                let e = edge_at(block, pos);
                assert!(e.label_len > 0);
                let first = block[e.label_start];
                assert!(last < Some(first), "edges sorted by first byte");
                last = Some(first);
                if let Child::Leaf(c) = e.child {
                    assert!(c > 0);
                }
                edges += 1;
                pos = e.end;
            }
            assert!(
                (count > 0 && edges >= 1) || edges >= 2,
                "node {id} count {count} edges {edges}"
            );
        }
    }

    #[test]
    fn insert_split_and_remove_keep_the_shape() {
        let words = [
            "romane",
            "romanus",
            "romulus",
            "rubens",
            "ruber",
            "rubicon",
            "rubicundus",
            "r",
            "",
            "rom",
        ];
        let mut t = Trie::new();
        let mut oracle = BTreeMap::new();
        for w in words {
            t.insert(w);
            *oracle.entry(w.as_bytes().to_vec()).or_insert(0u64) += 1;
            check_canonical(&t);
        }
        let got: Vec<_> = t.iter().collect();
        let want: Vec<_> = oracle.clone().into_iter().collect();
        assert_eq!(got, want);
        for w in words {
            assert_eq!(t.remove(w), oracle.remove(w.as_bytes()));
            check_canonical(&t);
            let got: Vec<_> = t.iter().collect();
            assert_eq!(got, oracle.clone().into_iter().collect::<Vec<_>>());
        }
        assert!(t.is_empty());
        // Everything but the root was freed and is reused.
        assert_eq!(t.nodes.len() - 1, t.free.len());
        t.insert("again");
        assert_eq!(t.iter().count(), 1);
    }

    #[test]
    fn memory_usage_counts_slots_blocks_and_free_list() {
        let mut t: Trie = ["ab", "ac", "a", "b"].into_iter().collect();
        let blocks: usize = t.nodes.iter().map(|b| b.len()).sum();
        assert_eq!(t.memory_usage(), t.nodes.capacity() * 16 + blocks);
        t.remove("ab");
        t.remove("a");
        assert_eq!(t.free.len(), 1);
        assert_eq!(
            t.memory_usage(),
            t.nodes.capacity() * 16
                + t.nodes.iter().map(|b| b.len()).sum::<usize>()
                + t.free.capacity() * 4
        );
    }

    #[test]
    fn counts_saturate() {
        let mut t = Trie::new();
        t.add("x", u64::MAX - 1);
        assert_eq!(t.add("x", 5), u64::MAX);
        assert_eq!(t.count("x"), u64::MAX);
        assert_eq!(Trie::from_bytes(&t.to_bytes()).unwrap(), t);
    }

    #[test]
    fn decoder_rejects_bad_varints_order_and_counts() {
        let frame = |n: u64, payload: &[u8]| {
            let mut enc = Encoder::new(Kind::Trie, 0, 0);
            enc.params().u64(n);
            enc.payload().bytes(payload);
            enc.finish()
        };
        assert_eq!(Trie::from_bytes(&frame(0, &[])).unwrap(), Trie::new());
        // "a" then "b": fine.
        assert!(Trie::from_bytes(&frame(2, &[0, 1, b'a', 1, 0, 1, b'b', 1])).is_ok());
        // "b" then "a": out of order; "a" twice: duplicate.
        assert!(Trie::from_bytes(&frame(2, &[0, 1, b'b', 1, 0, 1, b'a', 1])).is_err());
        assert!(Trie::from_bytes(&frame(2, &[0, 1, b'a', 1, 1, 0, 1])).is_err());
        // Count zero, shared too long, wrong word count, overlong varint, huge suffix.
        assert!(Trie::from_bytes(&frame(1, &[0, 1, b'a', 0])).is_err());
        assert!(Trie::from_bytes(&frame(1, &[3, 1, b'a', 1])).is_err());
        assert!(Trie::from_bytes(&frame(2, &[0, 1, b'a', 1])).is_err());
        assert!(Trie::from_bytes(&frame(1, &[0x80, 0x00, 1, b'a', 1])).is_err());
        assert!(Trie::from_bytes(&frame(1, &[0, 0xff, 0xff, 0xff, 0xff, 0x0f, b'a'])).is_err());
        assert!(Trie::from_bytes(&frame(1, &[0xff; 11])).is_err());
    }
}
