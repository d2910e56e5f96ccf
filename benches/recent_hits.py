#!/usr/bin/env python3
"""How many tokens `lessram count` drops as repeats before hashing them: a model of the
table of recent tokens in src/bin/lessram/tokenize.rs (`Recent`: 4,096 direct-mapped
slots, tokens of under 16 bytes, the same slot function), run over whole files as one
thread would see them (the blocks' edges, which keep a few tokens, are ignored).

    benches/recent_hits.py FILE...
"""
import sys

MASK = (1 << 64) - 1


def dropped(path):
    slots = [None] * 4096
    total = drops = 0
    with open(path, "rb") as f:
        data = f.read()
    # bytes.split() splits on the ASCII whitespace C's isspace sees, as `count` does.
    for token in data.split():
        total += 1
        n = len(token)
        if n >= 16:
            continue
        padded = token + b"\0" * (16 - n)
        k1 = int.from_bytes(padded[:8], "little")
        k2 = int.from_bytes(padded[8:], "little") | ((n + 1) << 56)
        x = ((k1 ^ (((k2 << 31) | (k2 >> 33)) & MASK)) * 0x9E3779B97F4A7C15) & MASK
        slot = x >> 52
        if slots[slot] == (k1, k2):
            drops += 1
        slots[slot] = (k1, k2)
    return total, drops


for path in sys.argv[1:]:
    total, drops = dropped(path)
    print(f"{path}: {total:,} tokens, {drops:,} dropped as repeats ({100 * drops / max(total, 1):.1f}%)")
