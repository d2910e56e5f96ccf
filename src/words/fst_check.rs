//! The validator of untrusted `fst` automata: everything [`Dawg`](super::Dawg) and
//! [`DawgMap`](super::DawgMap) check before a query may touch bytes they did not build.
//!
//! `fst` trusts its input: a crafted automaton can make it index out of range, overflow or
//! loop. So this file re-reads fst's node layout itself, which is private to fst: it mirrors
//! `fst::raw::node` of **fst 0.4.7** exactly, and `Cargo.toml` pins that release
//! (`fst = "=0.4.7"`). The tests below fail if a new fst writes a node this validator does
//! not understand: they build many random automata with fst and check that every node kind
//! fst emits is seen and accepted, and they pin the bytes of a small known automaton.

/// Checks what [`fst::raw::Fst::new`] reads before it can fail gracefully: the root
/// address and word count in the trailer must fit a `usize`, or fst 0.4.7 panics (where
/// `usize` is 32 bits). Inputs too short to hold a trailer are left to fst, which refuses
/// them.
pub(super) fn check_trailer(data: &[u8]) -> Result<(), String> {
    let n = data.len();
    if n < 36 {
        return Ok(());
    }
    let version = u64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
    // Version 3 ends with a 4-byte checksum; versions 1 and 2 with the root address.
    let end = if version <= 2 { n } else { n - 4 };
    for (what, at) in [("root address", end - 8), ("word count", end - 16)] {
        let v = u64::from_le_bytes(data[at..at + 8].try_into().expect("8 bytes"));
        if usize::try_from(v).is_err() {
            return Err(format!(
                "{what} {v} does not fit this platform's {}-bit addresses",
                usize::BITS
            ));
        }
    }
    Ok(())
}

/// Transitions beyond which fst stores a 256-byte input index in the node (fst's format).
const TRANS_INDEX_THRESHOLD: usize = 32;

/// Reads the `n`-byte little-endian integer at `data[at..at + n]` (`n <= 8`, in range).
fn unpack(data: &[u8], at: usize, n: usize) -> u64 {
    data[at..at + n]
        .iter()
        .rev()
        .fold(0, |acc, &b| (acc << 8) | u64::from(b))
}

/// The targets of the transitions of the node at `addr` (0 is fst's empty final node), after
/// checking with overflow-checked arithmetic that every byte fst's decoder will read for
/// this node lies in `data`, that pack sizes are in `1..=8` (fst asserts this) and that
/// every target lies before the node (so the automaton is acyclic).
///
/// This mirrors fst 0.4's node layout (`fst::raw::node`): a state byte at `addr`, then,
/// growing towards lower addresses, an optional input byte or transition count, a pack-size
/// byte, an optional 256-byte index, the inputs, the address deltas and the outputs.
fn node_targets(data: &[u8], addr: usize, targets: &mut Vec<usize>) -> Option<()> {
    targets.clear();
    let at = |i: usize| data.get(i).copied();
    let state = at(addr)?;
    // A target is `end - delta`, where `end` is the node's lowest byte; delta 0 is the
    // empty final node.
    let mut target = |end: usize, delta: u64| -> Option<()> {
        let delta = usize::try_from(delta).ok()?;
        targets.push(if delta == 0 {
            0
        } else {
            end.checked_sub(delta)?
        });
        Some(())
    };
    match state >> 6 {
        // One transition to the node just before this one, no output.
        0b11 => {
            let input_len = usize::from(state & 0x3f == 0);
            let end = addr.checked_sub(input_len)?;
            targets.push(end.checked_sub(1)?);
        }
        // One transition with a packed address delta and output.
        0b10 => {
            let input_len = usize::from(state & 0x3f == 0);
            let sizes = at(addr.checked_sub(input_len + 1)?)?;
            let (t, o) = (usize::from(sizes >> 4), usize::from(sizes & 0xf));
            if !(1..=8).contains(&t) || o > 8 {
                return None;
            }
            let end = addr.checked_sub(input_len + 1 + t + o)?;
            target(end, unpack(data, addr - input_len - 1 - t, t))?;
        }
        // Any number of transitions, possibly final with an output.
        _ => {
            let is_final = state & 0x40 != 0;
            let (count_len, ntrans) = match state & 0x3f {
                0 => match at(addr.checked_sub(1)?)? {
                    1 => (1, 256),
                    n => (1, usize::from(n)),
                },
                n => (0, usize::from(n)),
            };
            let sizes = at(addr.checked_sub(count_len + 1)?)?;
            let (t, o) = (usize::from(sizes >> 4), usize::from(sizes & 0xf));
            if t > 8 || o > 8 || (ntrans > 0 && t == 0) {
                return None;
            }
            let index = if ntrans > TRANS_INDEX_THRESHOLD {
                256
            } else {
                0
            };
            let outputs = ntrans * o + if is_final { o } else { 0 };
            let end = addr.checked_sub(count_len + 1 + index + ntrans * (1 + t) + outputs)?;
            let deltas = addr - count_len - 1 - index - ntrans;
            for i in 0..ntrans {
                target(end, unpack(data, deltas - (i + 1) * t, t))?;
            }
        }
    }
    Some(())
}

/// Checks every node and transition reachable from the root of `fst` (fst 0.4, format
/// version 3), so that no query can make fst index out of range, overflow, or run forever:
/// each node's bytes are in range ([`node_targets`]), transitions point backwards (the
/// automaton is acyclic), a node's inputs are strictly increasing and its input index (if
/// any) agrees with them, every node leads to at least one word, the outputs along any path
/// sum without overflowing a `u64`, and the automaton spells exactly `words` words.
///
/// Costs one pass over the reachable nodes plus temporary memory of about 1.5 bits per
/// automaton byte and 16 bytes per node.
pub(super) fn check_automaton(data: &[u8], words: u64) -> Result<(), String> {
    let n = data.len();
    let version = u64::from_le_bytes(data[..8].try_into().expect("fst checked the length"));
    if version != fst::raw::VERSION {
        return Err(format!(
            "fst format version {version}, expected {}",
            fst::raw::VERSION
        ));
    }
    // Trailer (version 3): ..., word count, root address, checksum.
    let root = u64::from_le_bytes(data[n - 12..n - 4].try_into().expect("8 bytes"));
    let root = usize::try_from(root).map_err(|_| "root address out of range".to_string())?;
    if root >= n {
        return Err(format!("root address {root} beyond {n} bytes"));
    }
    // Reachable nodes, found depth-first; each is checked before fst decodes it.
    let fst = fst::raw::Fst::new(data).map_err(|e| e.to_string())?;
    let mut seen = vec![0u64; n / 64 + 1];
    let mut stack = vec![root];
    seen[root / 64] |= 1 << (root % 64);
    let mut targets = Vec::new();
    while let Some(addr) = stack.pop() {
        if addr == 0 {
            continue; // the empty final node: no bytes
        }
        node_targets(data, addr, &mut targets)
            .ok_or_else(|| format!("node at {addr} out of range"))?;
        let node = fst.node(addr);
        if node.len() != targets.len() {
            return Err(format!("node at {addr} misread"));
        }
        let mut last = None;
        for (i, tr) in node.transitions().enumerate() {
            if last.is_some_and(|l| l >= tr.inp) {
                return Err(format!("node at {addr}: inputs out of order"));
            }
            last = Some(tr.inp);
            if tr.addr != targets[i] {
                return Err(format!("node at {addr} misread"));
            }
            let a = tr.addr;
            if seen[a / 64] & (1 << (a % 64)) == 0 {
                seen[a / 64] |= 1 << (a % 64);
                stack.push(a);
            }
        }
        if node.len() > TRANS_INDEX_THRESHOLD {
            for b in 0..=255u8 {
                let linear = node.transitions().position(|t| t.inp == b);
                if node.find_input(b) != linear {
                    return Err(format!("node at {addr}: input index disagrees"));
                }
            }
        }
    }
    // Words and the largest output sum below each node, children first (they have lower
    // addresses), stored by the node's rank among the reachable addresses.
    let mut ranks: Vec<usize> = Vec::with_capacity(seen.len());
    let mut total = 0usize;
    for &bits in &seen {
        ranks.push(total);
        total += bits.count_ones() as usize;
    }
    let rank =
        |a: usize| ranks[a / 64] + (seen[a / 64] & ((1 << (a % 64)) - 1)).count_ones() as usize;
    let mut below: Vec<(u64, u64)> = Vec::with_capacity(total);
    let overflow = || "outputs overflow a u64".to_string();
    for (w, &bits) in seen.iter().enumerate() {
        let mut bits = bits;
        while bits != 0 {
            let addr = w * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let (mut count, mut most) = (0u64, 0u64);
            if addr == 0 {
                count = 1;
            } else {
                let node = fst.node(addr);
                if node.is_final() {
                    count = 1;
                    most = node.final_output().value();
                }
                for tr in node.transitions() {
                    let (c, m) = below[rank(tr.addr)];
                    count = count.checked_add(c).ok_or("more than 2^64 words")?;
                    most = most.max(m.checked_add(tr.out.value()).ok_or_else(overflow)?);
                }
            }
            if count == 0 && addr != root {
                return Err(format!("node at {addr} leads to no word"));
            }
            below.push((count, most));
        }
    }
    if below[rank(root)].0 != words {
        return Err(format!(
            "the automaton spells {} words, its header says {words}",
            below[rank(root)].0
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counting::SplitMix64;
    use std::collections::BTreeSet;

    /// The kinds of node reachable in the automaton `data`, as fst 0.4.7 lays them out.
    fn node_kinds(data: &[u8]) -> BTreeSet<&'static str> {
        let n = data.len();
        let root = u64::from_le_bytes(data[n - 12..n - 4].try_into().unwrap()) as usize;
        let mut kinds = BTreeSet::new();
        let (mut stack, mut seen, mut targets) = (vec![root], BTreeSet::new(), Vec::new());
        while let Some(addr) = stack.pop() {
            if addr == 0 || !seen.insert(addr) {
                continue;
            }
            node_targets(data, addr, &mut targets).expect("fst's own nodes are in range");
            stack.extend(&targets);
            let state = data[addr];
            let input_in_state = state & 0x3f != 0;
            match state >> 6 {
                0b11 => kinds.insert(if input_in_state {
                    "one transition to the next node, common input"
                } else {
                    "one transition to the next node, input byte"
                }),
                0b10 => {
                    let sizes = data[addr - usize::from(!input_in_state) - 1];
                    if sizes & 0xf != 0 {
                        kinds.insert("one transition with an output");
                    }
                    kinds.insert(if input_in_state {
                        "one transition, common input"
                    } else {
                        "one transition, input byte"
                    })
                }
                _ => {
                    let ntrans = match state & 0x3f {
                        0 => match data[addr - 1] {
                            1 => 256,
                            n => usize::from(n),
                        },
                        n => usize::from(n),
                    };
                    let sizes = data[addr - usize::from(state & 0x3f == 0) - 1];
                    if state & 0x40 != 0 {
                        kinds.insert("any transitions, final");
                        if sizes & 0xf != 0 {
                            kinds.insert("any transitions, with outputs");
                        }
                    }
                    kinds.insert(match ntrans {
                        0 => "any transitions: none",
                        1..=TRANS_INDEX_THRESHOLD => "any transitions: few",
                        _ if state & 0x3f != 0 => "any transitions: indexed, count in state",
                        256 => "any transitions: all 256",
                        _ => "any transitions: indexed, count byte",
                    })
                }
            };
        }
        kinds
    }

    /// A map built by fst from `pairs` (sorted and deduplicated here), checked and classified.
    fn build(mut pairs: Vec<(Vec<u8>, u64)>, kinds: &mut BTreeSet<&'static str>) {
        pairs.sort();
        pairs.dedup_by(|a, b| a.0 == b.0);
        let map = fst::Map::from_iter(pairs.iter().map(|(w, v)| (w, *v))).unwrap();
        let data = map.as_fst().as_bytes();
        assert_eq!(check_automaton(data, pairs.len() as u64), Ok(()));
        kinds.extend(node_kinds(data));
    }

    #[test]
    fn accepts_every_node_kind_fst_emits() {
        let mut rng = SplitMix64::new(11);
        let mut kinds = BTreeSet::new();
        for round in 0..300 {
            let len = (rng.next_word() % 200) as usize;
            let alphabet = [4u64, 26, 256][round % 3];
            let pairs = (0..len)
                .map(|_| {
                    let n = rng.next_word() % 8;
                    let w = (0..n).map(|_| (rng.next_word() % alphabet) as u8).collect();
                    // Sets (all zero), small and 8-byte outputs.
                    let v = match round % 4 {
                        0 => 0,
                        1 => rng.next_word() % 10,
                        _ => rng.next_word() >> (rng.next_word() % 64),
                    };
                    (w, v)
                })
                .collect();
            build(pairs, &mut kinds);
        }
        // A root with one transition carries its output itself (elsewhere outputs move
        // up to the transition into a node).
        build(vec![(b"xyz".to_vec(), 7)], &mut kinds);
        // Wide nodes: 40, 100 and all 256 first bytes.
        for fanout in [40usize, 100, 256] {
            let pairs = (0..fanout)
                .map(|b| (vec![b as u8, b'x'], b as u64))
                .collect();
            build(pairs, &mut kinds);
        }
        let expected: BTreeSet<&str> = [
            "one transition to the next node, common input",
            "one transition to the next node, input byte",
            "one transition with an output",
            "one transition, common input",
            "one transition, input byte",
            "any transitions, final",
            "any transitions, with outputs",
            "any transitions: none",
            "any transitions: few",
            "any transitions: indexed, count in state",
            "any transitions: indexed, count byte",
            "any transitions: all 256",
        ]
        .into_iter()
        .collect();
        assert_eq!(kinds, expected);
    }

    #[test]
    fn fst_writes_the_bytes_this_validator_was_checked_against() {
        let map = fst::Map::from_iter([("a", 1u64), ("ab", 2), ("b", 300)]).unwrap();
        let data = map.as_fst().as_bytes();
        assert_eq!(check_automaton(data, 3), Ok(()));
        assert_eq!(data, PINNED);
    }

    /// `fst::Map::from_iter([("a", 1), ("ab", 2), ("b", 300)])` as fst 0.4.7 writes it.
    const PINNED: &[u8] = &[
        3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 98, 17, 65, 44, 1, 1, 0, 0, 1, 98,
        97, 18, 2, 3, 0, 0, 0, 0, 0, 0, 0, 31, 0, 0, 0, 0, 0, 0, 0, 75, 186, 118, 244,
    ];

    #[test]
    fn trailer_fields_must_fit_a_usize() {
        let map = fst::Map::from_iter([("a", 1u64)]).unwrap();
        let good = map.as_fst().as_bytes().to_vec();
        assert_eq!(check_trailer(&good), Ok(()));
        let n = good.len();
        for at in [n - 12, n - 20] {
            let mut bad = good.clone();
            bad[at..at + 8].copy_from_slice(&(1u64 << 40).to_le_bytes());
            // Refused where fst would panic converting it, left to fst's checks elsewhere.
            assert_eq!(check_trailer(&bad).is_err(), usize::BITS < 41, "at {at}");
        }
        assert_eq!(check_trailer(&good[..20]), Ok(()));
    }
}
