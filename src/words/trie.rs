//! A mutable radix (Patricia) tree over byte strings, with a count per word.
//!
//! # Layout
//!
//! All nodes live in one byte arena (`Vec<u8>`) and point at each other by `u32` offset.
//! A node is a block: its own count (LEB128; `0` means the path to it is not a stored
//! word), its number of edges and whether any edge is 256 bytes or longer (LEB128
//! `edges << 1 | wide`), the first byte of each edge, the size in bytes of each edge (one
//! byte each; left out when wide), then its edges sorted by first byte:
//!
//! ```text
//! block = count , edges << 1 | wide , first bytes [edges] , ( sizes [edges] if !wide ) ,
//!         edge [edges]
//! edge  = header (LEB128: label_len << 1 | is_node) , label bytes ,
//!         ( child offset: u32 LE        if is_node
//!         | count: LEB128 (>= 1)        if the edge ends in a leaf )
//! ```
//!
//! A lookup scans a node's first bytes (a tight loop over contiguous bytes) and jumps to the
//! edge by summing the sizes before it, instead of decoding every edge before the one it
//! wants (on the 663,473-word list a present lookup visits 7.4 nodes and used to decode 77
//! edges). The two arrays cost 2 bytes an edge, about 2.4 bytes a word once compacted.
//!
//! Leaves (words with no longer stored word below them, 57% of the nodes on an English list)
//! are not blocks at all: they are an edge with a count, a few bytes inside their parent.
//! Single-child chains are compressed into one edge label, and `remove` keeps that
//! canonical shape (a node that is not a word and has one edge merges into its parent's
//! edge; a word node with no edges becomes a leaf again).
//!
//! A mutation that changes a block's size writes the new block at the end of the arena,
//! patches the parent's 4-byte pointer in place and counts the old block as garbage
//! (count increments that keep their varint length are written in place). When garbage
//! passes a quarter of the arena, the live blocks are copied depth-first into a fresh,
//! exactly-sized arena, which also puts each node's first child right after it. The arena
//! grows by an eighth at a time, not by doubling. So the heap is one allocation, at most
//! ~1.5x the live bytes and usually far less; [`Trie::shrink_to_fit`] compacts to exactly
//! the live bytes.
//!
//! This replaced two earlier layouts, measured on the 663,473-word English list: nodes
//! holding a `SmallVec` of children (a `SmallVec<[u32; 2]>` alone is 24 bytes a node, so
//! well over 20 bytes a word), and one `Box<[u8]>` block per node in a `Vec` of slots
//! (16.0 bytes a word, and two cache misses per node on a path of 7.4 nodes on average,
//! which made lookups slower than a `BTreeSet`).

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
    /// Every node block; unreachable (garbage) blocks until the next compaction.
    arena: Vec<u8>,
    /// Offset of the root block.
    root: u32,
    /// Largest arena length allowed: `u32::MAX` (offsets are `u32`), lower in tests.
    limit: u32,
    /// Bytes of the arena no longer reachable from the root.
    garbage: usize,
    /// Number of distinct words.
    len: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Child {
    Node(u32),
    Leaf(u64),
}

/// Where a block's offset is stored: the root field, or 4 bytes of the arena.
#[derive(Clone, Copy, Debug)]
enum Link {
    Root,
    Field(usize),
}

/// One decoded edge: arena bytes `start..end`, label `label_start..label_start+label_len`.
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
    fn label<'b>(&self, arena: &'b [u8]) -> &'b [u8] {
        &arena[self.label_start..self.label_start + self.label_len]
    }
}

#[inline(always)]
fn read_varint(b: &[u8], pos: &mut usize) -> u64 {
    let first = b[*pos];
    *pos += 1;
    if first < 0x80 {
        return u64::from(first);
    }
    read_varint_slow(b, pos, first)
}

#[cold]
fn read_varint_slow(b: &[u8], pos: &mut usize, first: u8) -> u64 {
    let mut v = u64::from(first & 0x7f);
    let mut shift = 7;
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

/// Skips a varint without decoding it.
#[inline(always)]
fn skip_varint(b: &[u8], pos: &mut usize) {
    while b[*pos] >= 0x80 {
        *pos += 1;
    }
    *pos += 1;
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

/// Writes `v` over an existing varint of the same length at `pos`.
fn patch_varint(arena: &mut [u8], pos: usize, v: u64) {
    let mut tmp = Vec::with_capacity(10);
    push_varint(&mut tmp, v);
    arena[pos..pos + tmp.len()].copy_from_slice(&tmp);
}

/// Why a removal's appends cannot fail once `Trie::reserve_removal` succeeded.
const RESERVED: &str = "reserve_removal made room for every block a removal writes";

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

/// A block's header: own count, number of edges, where the edges' first bytes are, where
/// their sizes are (if every edge is under 256 bytes), and the offset of the first edge.
#[derive(Clone, Copy, Debug)]
struct Header {
    count: u64,
    edges: usize,
    keys: usize,
    sizes: Option<usize>,
    first_edge: usize,
}

#[inline(always)]
fn header(arena: &[u8], off: usize) -> Header {
    let mut pos = off;
    let count = read_varint(arena, &mut pos);
    let shape = read_varint(arena, &mut pos) as usize;
    let edges = shape >> 1;
    let keys = pos;
    let (sizes, first_edge) = if shape & 1 == 0 {
        (Some(keys + edges), keys + 2 * edges)
    } else {
        (None, keys + edges)
    };
    Header {
        count,
        edges,
        keys,
        sizes,
        first_edge,
    }
}

/// Writes a block: `count`, the edge count and whether an edge is 256 bytes or more
/// (LEB128 `edges << 1 | wide`), the edges' first bytes, their sizes in bytes (one byte
/// each, unless wide), then the encoded `edges`, which must be sorted by first byte.
fn push_block(out: &mut Vec<u8>, count: u64, edges: &[u8]) {
    let mut keys: SmallVec<[u8; 16]> = SmallVec::new();
    let mut sizes: SmallVec<[u8; 16]> = SmallVec::new();
    let mut wide = false;
    let mut pos = 0;
    while pos < edges.len() {
        let e = edge_at(edges, pos);
        keys.push(edges[e.label_start]);
        match u8::try_from(e.end - e.start) {
            Ok(n) => sizes.push(n),
            Err(_) => wide = true,
        }
        pos = e.end;
    }
    push_varint(out, count);
    push_varint(out, ((keys.len() as u64) << 1) | u64::from(wide));
    out.extend_from_slice(&keys);
    if !wide {
        out.extend_from_slice(&sizes);
    }
    out.extend_from_slice(edges);
}

fn block_bytes(count: u64, edges: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(2 * edges.len() + 12);
    push_block(&mut v, count, edges);
    v
}

#[inline]
fn edge_at(arena: &[u8], start: usize) -> Edge {
    let mut pos = start;
    let h = read_varint(arena, &mut pos);
    let label_len = (h >> 1) as usize;
    let label_start = pos;
    pos += label_len;
    let child = if h & 1 == 1 {
        let id = u32::from_le_bytes(arena[pos..pos + 4].try_into().expect("4 bytes"));
        pos += 4;
        Child::Node(id)
    } else {
        Child::Leaf(read_varint(arena, &mut pos))
    };
    Edge {
        start,
        label_start,
        label_len,
        child,
        end: pos,
    }
}

/// The offset just past the last edge of the block with header `h`.
fn block_end(arena: &[u8], h: Header) -> usize {
    let mut pos = h.first_edge;
    for _ in 0..h.edges {
        pos = edge_at(arena, pos).end;
    }
    pos
}

/// The edge whose label starts with `b`, or the offset where it would be inserted: a scan
/// of the block's first bytes, then a jump by the sum of the sizes of the edges before it.
#[inline]
fn find_edge(arena: &[u8], h: Header, b: u8) -> std::result::Result<Edge, usize> {
    let keys = &arena[h.keys..h.keys + h.edges];
    let i = keys.iter().position(|&k| k >= b).unwrap_or(h.edges);
    let pos = match h.sizes {
        Some(s) => {
            h.first_edge
                + arena[s..s + i]
                    .iter()
                    .map(|&n| usize::from(n))
                    .sum::<usize>()
        }
        None => {
            let mut pos = h.first_edge;
            for _ in 0..i {
                let mut p = pos;
                let hd = read_varint(arena, &mut p);
                p += (hd >> 1) as usize;
                if hd & 1 == 1 {
                    p += 4;
                } else {
                    skip_varint(arena, &mut p);
                }
                pos = p;
            }
            pos
        }
    };
    if keys.get(i) == Some(&b) {
        Ok(edge_at(arena, pos))
    } else {
        Err(pos)
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

impl Default for Trie {
    fn default() -> Self {
        Self::new()
    }
}

impl Trie {
    /// An empty trie (its root block is two bytes on the heap).
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
            arena: vec![0, 0],
            root: 0,
            limit: u32::MAX,
            garbage: 0,
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
    /// # Panics
    ///
    /// If the arena would pass 4 GiB (its offsets are `u32`), some 400 million English
    /// words, or its growth cannot be allocated; [`Trie::try_add`] returns an error instead.
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
    /// # Panics
    ///
    /// As [`Trie::insert`].
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
        match self.try_add(word, n) {
            Ok(count) => count,
            Err(e) => panic!("{e}"),
        }
    }

    /// As [`Trie::add`], but reports a full arena instead of panicking.
    ///
    /// # Errors
    ///
    /// [`Error::LimitReached`] if the arena would pass 4 GiB (its offsets are `u32`) even
    /// after dropping its garbage, or if its growth cannot be allocated. The trie is then
    /// unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// let mut t = lessram::Trie::new();
    /// assert_eq!(t.try_add("the", 3)?, 3);
    /// assert_eq!(t.try_add("the", 1)?, 4);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn try_add<W: AsRef<[u8]>>(&mut self, word: W, n: u64) -> Result<u64> {
        let word = word.as_ref();
        if n == 0 {
            return Ok(self.count(word));
        }
        let old = self.transaction(|t| t.add_inner(word, n))?;
        if old == 0 {
            self.len += 1;
        }
        self.maybe_compact();
        Ok(old.saturating_add(n))
    }

    /// Runs a mutation that only appends to the arena before it links what it appended
    /// (so cutting the arena back undoes a failed one). On failure it compacts and retries
    /// once if there is garbage to drop.
    fn transaction<T>(&mut self, mut f: impl FnMut(&mut Self) -> Result<T>) -> Result<T> {
        let len = self.arena.len();
        match f(self) {
            Ok(v) => Ok(v),
            Err(e) => {
                self.arena.truncate(len);
                if self.garbage == 0 || self.compact().is_err() {
                    return Err(e);
                }
                let len = self.arena.len();
                f(self).inspect_err(|_| self.arena.truncate(len))
            }
        }
    }

    fn limit_error(&self, what: &str) -> Error {
        Error::LimitReached {
            structure: "Trie",
            limit: format!("{what} (arena of {} bytes)", self.arena.len()),
        }
    }

    /// Adds `n >= 1` to `word`'s count; returns the previous count (0 if it was absent).
    ///
    /// Every arena write before the last fallible `append` is an append, so on error the
    /// trie is as before once the arena is cut back to its old length.
    fn add_inner(&mut self, word: &[u8], n: u64) -> Result<u64> {
        let mut off = self.root as usize;
        let mut link = Link::Root;
        let mut k = word;
        loop {
            let h = header(&self.arena, off);
            let Some(&b) = k.first() else {
                let new = h.count.saturating_add(n);
                if varint_len(new) == varint_len(h.count) {
                    patch_varint(&mut self.arena, off, new);
                } else {
                    self.rewrite(off, link, Some(new), h.first_edge..h.first_edge, &[])?;
                }
                return Ok(h.count);
            };
            let e = match find_edge(&self.arena, h, b) {
                Err(pos) => {
                    let bytes = edge_bytes(k, Child::Leaf(n));
                    self.rewrite(off, link, None, pos..pos, &bytes)?;
                    return Ok(0);
                }
                Ok(e) => e,
            };
            let label = e.label(&self.arena);
            let p = common_prefix(label, k);
            if p == label.len() {
                match e.child {
                    Child::Node(c) => {
                        k = &k[p..];
                        link = Link::Field(e.end - 4);
                        off = c as usize;
                    }
                    Child::Leaf(c) if k.len() == p => {
                        let new = c.saturating_add(n);
                        let count_pos = e.label_start + e.label_len;
                        if varint_len(new) == varint_len(c) {
                            patch_varint(&mut self.arena, count_pos, new);
                        } else {
                            let bytes = edge_bytes(label, Child::Leaf(new));
                            self.rewrite(off, link, None, e.start..e.end, &bytes)?;
                        }
                        return Ok(c);
                    }
                    Child::Leaf(c) => {
                        // The leaf becomes a node holding its count and the new, longer word.
                        let nb = block_bytes(c, &edge_bytes(&k[p..], Child::Leaf(n)));
                        let label = label.to_vec();
                        let child = self.append(&nb)?;
                        let bytes = edge_bytes(&label, Child::Node(child));
                        self.rewrite(off, link, None, e.start..e.end, &bytes)?;
                        return Ok(0);
                    }
                }
            } else {
                // Split the edge after `p` bytes (p >= 1: the first bytes match).
                let mut edges = edge_bytes(&label[p..], e.child);
                let nb = if k.len() == p {
                    block_bytes(n, &edges)
                } else {
                    let new_tail = edge_bytes(&k[p..], Child::Leaf(n));
                    if label[p] < k[p] {
                        edges.extend_from_slice(&new_tail);
                    } else {
                        edges.splice(0..0, new_tail);
                    }
                    block_bytes(0, &edges)
                };
                let head = label[..p].to_vec();
                let child = self.append(&nb)?;
                let bytes = edge_bytes(&head, Child::Node(child));
                self.rewrite(off, link, None, e.start..e.end, &bytes)?;
                return Ok(0);
            }
        }
    }

    /// Appends a block to the arena and returns its offset, growing the arena by an eighth
    /// (not doubling: the arena is nearly all of the trie's heap).
    ///
    /// # Errors
    ///
    /// [`Error::LimitReached`] if the arena would pass its `u32` offsets or cannot grow.
    fn append(&mut self, block: &[u8]) -> Result<u32> {
        let off = self.arena.len();
        // `off <= limit` always: no overflow where `usize` is 32 bits.
        if block.len() > self.limit as usize - off {
            return Err(self.limit_error("limit of 4 GiB (u32 offsets)"));
        }
        if self.arena.capacity() - off < block.len() {
            let room = self.limit as usize - off;
            let grow = block.len().max(off / 8).max(64).min(room);
            self.arena
                .try_reserve_exact(grow)
                .map_err(|_| self.limit_error("memory: its growth could not be allocated"))?;
        }
        self.arena.extend_from_slice(block);
        Ok(u32::try_from(off).expect("off + block.len() <= limit <= u32::MAX"))
    }

    fn set_link(&mut self, link: Link, off: u32) {
        match link {
            Link::Root => self.root = off,
            Link::Field(p) => self.arena[p..p + 4].copy_from_slice(&off.to_le_bytes()),
        }
    }

    /// Writes a new version of the block at `off` (reached through `link`): its count
    /// replaced if `count` is given, and the arena bytes `range` of its edges replaced by
    /// `with` (zero or more whole edges, keeping them sorted). The old block becomes
    /// garbage. On error (see [`Trie::append`]) nothing but the arena's spare capacity
    /// changed.
    fn rewrite(
        &mut self,
        off: usize,
        link: Link,
        count: Option<u64>,
        range: std::ops::Range<usize>,
        with: &[u8],
    ) -> Result<usize> {
        let h = header(&self.arena, off);
        let end = block_end(&self.arena, h);
        let mut edges = Vec::with_capacity(end - h.first_edge - range.len() + with.len());
        edges.extend_from_slice(&self.arena[h.first_edge..range.start]);
        edges.extend_from_slice(with);
        edges.extend_from_slice(&self.arena[range.end..end]);
        let v = block_bytes(count.unwrap_or(h.count), &edges);
        let new = self.append(&v)?;
        self.garbage += end - off;
        self.set_link(link, new);
        Ok(new as usize)
    }

    fn maybe_compact(&mut self) {
        if self.garbage > self.arena.len() / 4 {
            // Out of memory for the copy: keep the garbage, the trie stays valid.
            let _ = self.compact();
        }
    }

    /// Copies the live blocks depth-first into an exactly-sized arena (offsets stay below
    /// the old length, so under the limit).
    ///
    /// # Errors
    ///
    /// [`Error::LimitReached`] if the new arena cannot be allocated; the trie is unchanged.
    fn compact(&mut self) -> Result<()> {
        let live = self.arena.len() - self.garbage;
        let mut out: Vec<u8> = Vec::new();
        out.try_reserve_exact(live)
            .map_err(|_| self.limit_error("memory: compaction could not be allocated"))?;
        // (old offset, where its new offset goes in `out`; usize::MAX for the root)
        let mut stack: Vec<(usize, usize)> = vec![(self.root as usize, usize::MAX)];
        let mut children: Vec<(usize, usize)> = Vec::new();
        while let Some((old, patch)) = stack.pop() {
            let new = out.len();
            let new32 = u32::try_from(new).expect("a trie arena under 4 GiB");
            if patch == usize::MAX {
                self.root = new32;
            } else {
                out[patch..patch + 4].copy_from_slice(&new32.to_le_bytes());
            }
            let h = header(&self.arena, old);
            let mut pos = h.first_edge;
            children.clear();
            for _ in 0..h.edges {
                let e = edge_at(&self.arena, pos);
                if let Child::Node(c) = e.child {
                    children.push((c as usize, new + (e.end - 4 - old)));
                }
                pos = e.end;
            }
            out.extend_from_slice(&self.arena[old..pos]);
            stack.extend(children.iter().rev());
        }
        debug_assert_eq!(out.len(), live);
        self.arena = out;
        self.garbage = 0;
        Ok(())
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
        let a = &self.arena[..];
        let mut off = self.root as usize;
        let mut k = word.as_ref();
        loop {
            let h = header(a, off);
            let Some(&b) = k.first() else {
                return h.count;
            };
            let Ok(e) = find_edge(a, h, b) else {
                return 0;
            };
            let label = e.label(a);
            if !k.starts_with(label) {
                return 0;
            }
            k = &k[label.len()..];
            match e.child {
                Child::Node(c) => off = c as usize,
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
    /// # Panics
    ///
    /// As [`Trie::insert`]: a removal rewrites a block or two at the end of the arena, so
    /// it needs a few bytes of room; [`Trie::try_remove`] returns an error instead.
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
        match self.try_remove(word) {
            Ok(removed) => removed,
            Err(e) => panic!("{e}"),
        }
    }

    /// As [`Trie::remove`], but reports a full arena instead of panicking.
    ///
    /// # Errors
    ///
    /// [`Error::LimitReached`] if the blocks a removal rewrites do not fit under 4 GiB even
    /// after dropping the garbage, or cannot be allocated. The trie is then unchanged.
    ///
    /// # Example
    ///
    /// ```
    /// let mut t: lessram::Trie = ["a", "ab"].into_iter().collect();
    /// assert_eq!(t.try_remove("ab")?, Some(1));
    /// assert_eq!(t.try_remove("ab")?, None);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn try_remove<W: AsRef<[u8]>>(&mut self, word: W) -> Result<Option<u64>> {
        let word = word.as_ref();
        let removed = self.transaction(|t| t.remove_inner(word))?;
        if removed.is_some() {
            self.len -= 1;
            self.maybe_compact();
        }
        Ok(removed)
    }

    /// Makes room for the blocks a removal at block `off` (below `parent`, if any) writes:
    /// the block again (at most its size), then the parent with the block's one remaining
    /// edge merged into its edge (at most both sizes), plus a few bytes of varint growth.
    /// After this, the removal's appends cannot fail.
    fn reserve_removal(&mut self, off: usize, parent: Option<usize>) -> Result<()> {
        let size = |t: &Self, at: usize| block_end(&t.arena, header(&t.arena, at)) - at;
        let need = match parent {
            None => size(self, off),
            Some(p) => 2 * size(self, off) + size(self, p) + 64,
        };
        let len = self.arena.len();
        if need > self.limit as usize - len {
            return Err(self.limit_error("limit of 4 GiB (u32 offsets)"));
        }
        if self.arena.capacity() - len < need {
            let grow = need.max(len / 8).min(self.limit as usize - len);
            self.arena
                .try_reserve_exact(grow)
                .map_err(|_| self.limit_error("memory: its growth could not be allocated"))?;
        }
        Ok(())
    }

    /// Removes `word`, checking for room (see [`Trie::reserve_removal`]) before it changes
    /// anything: after that check its appends cannot fail (a failure would be a bug in the
    /// bound, and panics rather than leave a half-done removal).
    fn remove_inner(&mut self, word: &[u8]) -> Result<Option<u64>> {
        // The blocks above the current one: (offset, link, start of the edge followed).
        let mut path: SmallVec<[(usize, Link, usize); 16]> = SmallVec::new();
        let mut off = self.root as usize;
        let mut link = Link::Root;
        let mut k = word;
        loop {
            let h = header(&self.arena, off);
            let Some(&b) = k.first() else {
                if h.count == 0 {
                    return Ok(None);
                }
                self.reserve_removal(off, path.last().map(|p| p.0))?;
                let off = if varint_len(h.count) == 1 {
                    self.arena[off] = 0;
                    off
                } else {
                    self.rewrite(off, link, Some(0), h.first_edge..h.first_edge, &[])
                        .expect(RESERVED)
                };
                self.normalize(off, path.last().copied()).expect(RESERVED);
                return Ok(Some(h.count));
            };
            let Ok(e) = find_edge(&self.arena, h, b) else {
                return Ok(None);
            };
            let label = e.label(&self.arena);
            if !k.starts_with(label) {
                return Ok(None);
            }
            k = &k[label.len()..];
            match e.child {
                Child::Node(c) => {
                    path.push((off, link, e.start));
                    link = Link::Field(e.end - 4);
                    off = c as usize;
                }
                Child::Leaf(c) => {
                    if !k.is_empty() {
                        return Ok(None);
                    }
                    self.reserve_removal(off, path.last().map(|p| p.0))?;
                    let off = self
                        .rewrite(off, link, None, e.start..e.end, &[])
                        .expect(RESERVED);
                    self.normalize(off, path.last().copied()).expect(RESERVED);
                    return Ok(Some(c));
                }
            }
        }
    }

    /// Restores the canonical shape at the block `off` after a removal: a non-word node
    /// with one edge merges into its parent's edge, a word node with no edges becomes a
    /// leaf. `parent` is (parent offset, parent link, start of the parent's edge to `off`).
    fn normalize(&mut self, off: usize, parent: Option<(usize, Link, usize)>) -> Result<()> {
        let Some((poff, plink, edge_start)) = parent else {
            return Ok(()); // the root stays a node
        };
        let h = header(&self.arena, off);
        let pe = edge_at(&self.arena, edge_start);
        let replacement = if h.edges == 0 {
            debug_assert!(h.count > 0, "a non-root node without edges is a word");
            edge_bytes(pe.label(&self.arena), Child::Leaf(h.count))
        } else if h.edges == 1 && h.count == 0 {
            let only = edge_at(&self.arena, h.first_edge);
            let mut label = Vec::with_capacity(pe.label_len + only.label_len);
            label.extend_from_slice(pe.label(&self.arena));
            label.extend_from_slice(only.label(&self.arena));
            edge_bytes(&label, only.child)
        } else {
            return Ok(());
        };
        self.rewrite(poff, plink, None, pe.start..pe.end, &replacement)?;
        self.garbage += block_end(&self.arena, h) - off;
        Ok(())
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
        let a = &self.arena[..];
        let mut best = None;
        let mut off = self.root as usize;
        let mut depth = 0;
        loop {
            let h = header(a, off);
            if h.count > 0 {
                best = Some((depth, h.count));
            }
            let k = &query[depth..];
            let Some(&b) = k.first() else { break };
            let Ok(e) = find_edge(a, h, b) else {
                break;
            };
            let label = e.label(a);
            if !k.starts_with(label) {
                break;
            }
            depth += label.len();
            match e.child {
                Child::Node(c) => off = c as usize,
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

    /// Drops garbage blocks and spare capacity: the heap becomes exactly the live nodes,
    /// laid out depth-first (unless the new arena cannot be allocated: then nothing
    /// changes).
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
        // Out of memory for the copy: keep the arena as it is.
        let _ = self.compact();
    }

    /// Removes every word.
    ///
    /// # Example
    ///
    /// ```
    /// let mut t: lessram::Trie = ["a"].into_iter().collect();
    /// t.clear();
    /// assert!(t.is_empty() && !t.contains("a"));
    /// ```
    pub fn clear(&mut self) {
        *self = Trie::new();
    }

    fn cursor(&self, prefix: &[u8]) -> Cursor<'_> {
        let a = &self.arena[..];
        let mut cur = Cursor {
            arena: a,
            buf: Vec::new(),
            stack: Vec::new(),
            pending: 0,
        };
        let mut off = self.root as usize;
        let mut k = prefix;
        loop {
            let h = header(a, off);
            let Some(&b) = k.first() else {
                cur.pending = h.count;
                cur.stack.push(Frame {
                    pos: h.first_edge,
                    left: h.edges,
                    base: cur.buf.len(),
                });
                return cur;
            };
            let Ok(e) = find_edge(a, h, b) else {
                return cur;
            };
            let label = e.label(a);
            if label.len() >= k.len() {
                if label.starts_with(k) {
                    cur.stack.push(Frame {
                        pos: e.start,
                        left: 1,
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
                    off = c as usize;
                }
                Child::Leaf(_) => return cur,
            }
        }
    }
}

/// `left` edges starting at arena offset `pos` are still to visit; `base` is the key
/// length above them.
#[derive(Clone, Copy, Debug)]
struct Frame {
    pos: usize,
    left: usize,
    base: usize,
}

/// A depth-first walk that lends each word from one reused buffer.
#[derive(Clone, Debug)]
struct Cursor<'a> {
    arena: &'a [u8],
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
            if f.left == 0 {
                self.stack.pop();
                continue;
            }
            let e = edge_at(self.arena, f.pos);
            f.pos = e.end;
            f.left -= 1;
            self.buf.truncate(f.base);
            self.buf.extend_from_slice(e.label(self.arena));
            match e.child {
                Child::Leaf(n) => return Some((&self.buf, n)),
                Child::Node(c) => {
                    let h = header(self.arena, c as usize);
                    self.stack.push(Frame {
                        pos: h.first_edge,
                        left: h.edges,
                        base: self.buf.len(),
                    });
                    if h.count > 0 {
                        return Some((&self.buf, h.count));
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
    /// The arena's capacity: every node, garbage blocks awaiting compaction and spare room.
    fn memory_usage(&self) -> usize {
        self.arena.capacity()
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
        let mut enc = Encoder::unhashed(Kind::Trie);
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
        decode(bytes, u32::MAX)
    }
}

/// [`Trie::from_bytes`] into an arena of at most `limit` bytes (lowered by tests).
fn decode(bytes: &[u8], limit: u32) -> Result<Trie> {
    let mut dec = Decoder::new(bytes, Kind::Trie)?;
    dec.check_unhashed()?;
    let n = dec.params().u64()?;
    let payload = dec.payload();
    let mut t = Trie::new();
    t.limit = limit;
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
        t.try_add(&word, count)?;
        read += 1;
    }
    if read != n {
        return Err(Error::corrupt(
            "Trie",
            format!("the parameters promise {n} words, the payload holds {read}"),
        ));
    }
    dec.finish()?;
    t.limit = u32::MAX;
    Ok(t)
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
    /// Any frame error (see [`codec`](crate::codec)), [`Error::WrongHasher`] unless the hash
    /// fields say "no hashing" ([`codec::UNHASHED`](crate::codec::UNHASHED)),
    /// [`Error::Corrupt`] for words out of order, zero counts, bad varints or a word count
    /// that does not match, and [`Error::LimitReached`] if the words do not fit in a trie's
    /// 4 GiB arena.
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

    /// Walks every live block: edges sorted, canonical shape, and live + garbage = arena.
    fn check_canonical(t: &Trie) {
        let a = &t.arena[..];
        let mut live = 0;
        let mut stack = vec![(t.root as usize, true)];
        while let Some((off, is_root)) = stack.pop() {
            let h = header(a, off);
            let mut pos = h.first_edge;
            let mut last = None;
            let mut widest = 0;
            for i in 0..h.edges {
                let e = edge_at(a, pos);
                assert!(e.label_len > 0);
                let first = a[e.label_start];
                assert_eq!(a[h.keys + i], first, "first bytes copied into the header");
                if let Some(s) = h.sizes {
                    assert_eq!(usize::from(a[s + i]), e.end - e.start, "edge sizes");
                }
                widest = widest.max(e.end - e.start);
                assert!(last < Some(first), "edges sorted by first byte");
                last = Some(first);
                match e.child {
                    Child::Leaf(c) => assert!(c > 0),
                    Child::Node(c) => stack.push((c as usize, false)),
                }
                pos = e.end;
            }
            assert_eq!(h.sizes.is_none(), widest > 255, "wide only when needed");
            live += pos - off;
            assert!(
                is_root || (h.count > 0 && h.edges >= 1) || h.edges >= 2,
                "node at {off}: count {} edges {}",
                h.count,
                h.edges
            );
        }
        assert_eq!(live + t.garbage, a.len());
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
        t.shrink_to_fit();
        assert_eq!(t.arena, [0, 0]);
        t.insert("again");
        assert_eq!(t.iter().count(), 1);
    }

    #[test]
    fn edges_of_256_bytes_or_more_make_a_wide_block() {
        let long = |c: u8, n: usize| {
            let mut w = vec![b'x'; n];
            w.push(c);
            w
        };
        let words = [long(b'a', 300), long(b'b', 10), long(b'c', 255), vec![b'x']];
        let mut t = Trie::new();
        for w in &words {
            t.insert(w);
            check_canonical(&t);
        }
        for w in &words {
            assert!(t.contains(w));
        }
        assert!(!t.contains(long(b'd', 300)) && !t.contains(long(b'a', 299)));
        for w in &words {
            assert_eq!(t.remove(w), Some(1));
            check_canonical(&t);
        }
        assert!(t.is_empty());
    }

    #[test]
    fn memory_usage_is_the_arena_and_compaction_bounds_garbage() {
        let mut t = Trie::new();
        for i in 0..20_000u32 {
            t.add(
                format!("w{}", i.wrapping_mul(2654435761)),
                u64::from(i % 300) + 1,
            );
            assert!(t.garbage <= t.arena.len() / 4 + 1);
        }
        check_canonical(&t);
        assert_eq!(t.memory_usage(), t.arena.capacity());
        // Capacity grows by an eighth, so it stays within 1/8 (+ one block) of the length.
        assert!(t.arena.capacity() <= t.arena.len() + t.arena.len() / 8 + 64);
        let before: Vec<_> = t.iter().collect();
        t.shrink_to_fit();
        assert_eq!(t.garbage, 0);
        assert_eq!(t.memory_usage(), t.arena.len());
        check_canonical(&t);
        assert_eq!(t.iter().collect::<Vec<_>>(), before);
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

    #[test]
    fn decoder_checks_the_hash_fields() {
        let t: Trie = ["a", "b"].into_iter().collect();
        let good = t.to_bytes();
        assert_eq!(good[7], 0, "hash id: none");
        assert_eq!(good[8..16], [0; 8], "seed: none");
        for (id, seed) in [(1, 0), (0, 7), (1, 7)] {
            let mut enc = Encoder::new(Kind::Trie, id, seed);
            enc.params().u64(2);
            enc.payload().bytes(&[0, 1, b'a', 1, 0, 1, b'b', 1]);
            assert!(
                matches!(
                    Trie::from_bytes(&enc.finish()),
                    Err(Error::WrongHasher { expected: (0, 0), found }) if found == (id, seed)
                ),
                "hash id {id} seed {seed}"
            );
        }
    }

    /// A trie whose arena may not pass `limit` bytes.
    fn limited(limit: u32) -> Trie {
        Trie {
            limit,
            ..Trie::new()
        }
    }

    #[test]
    fn a_full_arena_is_an_error_and_leaves_the_trie_unchanged() {
        let mut t = limited(4096);
        let mut i = 0u32;
        let err = loop {
            let before = t.clone();
            let (arena, garbage) = (t.arena.len(), t.garbage);
            match t.try_add(format!("word{}", i.wrapping_mul(2654435761)), 1) {
                Ok(_) => i += 1,
                Err(e) => {
                    assert_eq!(t, before);
                    // Unchanged unless the failed attempt compacted the garbage first.
                    assert!(t.arena.len() == arena || t.garbage == 0 && garbage > 0);
                    check_canonical(&t);
                    break e;
                }
            }
            assert!(t.arena.len() <= 4096);
        };
        assert!(matches!(
            err,
            Error::LimitReached {
                structure: "Trie",
                ..
            }
        ));
        assert!(i > 100, "only {i} words fit in 4 KiB");
        assert_eq!(t.len(), i as usize);
        // A removal rewrites blocks at the end too: at the limit it may fail the same way,
        // leaving the trie unchanged; with room it succeeds and keeps the shape.
        let words: Vec<Vec<u8>> = t.iter().map(|(w, _)| w).collect();
        let mut failed = 0;
        for w in &words {
            let before = t.clone();
            match t.try_remove(w) {
                Ok(removed) => assert_eq!(removed, Some(1)),
                Err(Error::LimitReached { .. }) => {
                    assert_eq!(t, before);
                    failed += 1;
                    t.limit = 8192;
                    assert_eq!(t.try_remove(w).unwrap(), Some(1));
                    t.limit = 4096;
                }
                Err(e) => panic!("{e}"),
            }
            check_canonical(&t);
        }
        assert!(t.is_empty());
        assert!(failed < words.len() / 10, "{failed} removals failed");
    }

    #[test]
    #[should_panic(expected = "Trie reached its limit of 4 GiB")]
    fn add_panics_with_the_error_at_the_limit() {
        let mut t = limited(64);
        for i in 0..100 {
            t.add(format!("a long word number {i}"), 1);
        }
    }

    #[test]
    fn decoding_more_than_the_arena_holds_is_an_error_not_a_panic() {
        let t: Trie = (0..2000).map(|i| format!("w{i:05}")).collect();
        let bytes = t.to_bytes();
        assert_eq!(decode(&bytes, u32::MAX).unwrap(), t);
        assert!(matches!(
            decode(&bytes, 1024),
            Err(Error::LimitReached {
                structure: "Trie",
                ..
            })
        ));
        // The decoded trie has the full limit again.
        assert_eq!(decode(&bytes, u32::MAX).unwrap().limit, u32::MAX);
    }

    #[test]
    fn random_adds_and_removes_at_a_small_limit_match_an_oracle() {
        let mut state = 0x5eed_u64;
        let mut next = move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let z = (state ^ (state >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z ^ (z >> 31)
        };
        for limit in [600u32, 1500, 4000] {
            let mut t = limited(limit);
            let mut oracle: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
            let (mut full, mut done) = (0, 0);
            for _ in 0..4000 {
                let r = next();
                let len = (r % 12) as usize;
                let word: Vec<u8> = (0..len)
                    .map(|i| b"abcd"[(r >> (8 + 2 * i)) as usize & 3])
                    .collect();
                let result = if r >> 60 < 10 {
                    t.try_add(&word, r >> 61 | 1).map(|_| {
                        *oracle.entry(word.clone()).or_insert(0) += r >> 61 | 1;
                    })
                } else {
                    t.try_remove(&word)
                        .map(|got| assert_eq!(got, oracle.remove(&word)))
                };
                match result {
                    Ok(()) => done += 1,
                    Err(Error::LimitReached { .. }) => full += 1,
                    Err(e) => panic!("{e}"),
                }
                assert!(t.arena.len() <= limit as usize);
                check_canonical(&t);
            }
            assert_eq!(
                t.iter().collect::<Vec<_>>(),
                oracle.into_iter().collect::<Vec<_>>()
            );
            assert!(
                full > 0 && done > 1000,
                "limit {limit}: {full} full, {done} done"
            );
        }
    }
}
