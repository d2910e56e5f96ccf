#!/usr/bin/env python3
"""lessram's Redis HyperLogLog against a real redis-server.

    python3 tests/interop/redis_check.py [--golden tests/golden/redis]

Starts `redis-server` (on PATH) on 127.0.0.1 on a free port, with no persistence, and stops it
when done. For each token set (the lines "w0" .. "w{n-1}", and "ünïcødé-0" .. for UTF-8), it:
  * builds a key with PFADD of the tokens (with repeats, in chunks) and reads its bytes (GET);
  * builds lessram's HYLL string from the same tokens (examples/redis_hll.rs, every encoding),
    SETs it, and checks PFCOUNT of it, and of a PFMERGE of it into a fresh key, equal PFCOUNT of
    the PFADD key;
  * reads the PFADD key's bytes with lessram and checks the same count and the same registers
    as lessram's own sketch of the tokens.
With --golden DIR it also writes the PFADD keys' bytes (after PFCOUNT, so the cached cardinality
is valid) to DIR/<name>.hyll and their PFCOUNTs to DIR/pfcount.txt: tests/interop_redis.rs
checks lessram against them without Redis. Needs the example built:
`cargo build --release --example redis_hll`.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "target", "release", "examples", "redis_hll")
# name, token format, distinct tokens: "sparse" stays in Redis' sparse encoding, "dense" does not.
SETS = [("sparse", "w{}", 200), ("utf8", "ünïcødé-{}", 1000), ("dense", "w{}", 50000)]


class Redis:
    """The smallest RESP2 client: commands as byte strings, replies parsed."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError("redis error: " + rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            return [self._reply() for _ in range(int(rest))]
        raise RuntimeError(f"unexpected reply {line!r}")

    def __call__(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self._reply()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def example(*args):
    return subprocess.run([EXAMPLE, *args], check=True, capture_output=True, text=True).stdout.split()


def main():
    golden = None
    if sys.argv[1:2] == ["--golden"]:
        golden = sys.argv[2]
        os.makedirs(golden, exist_ok=True)
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures = 0
    counts = []
    try:
        r = None
        for _ in range(100):
            try:
                r = Redis(port)
                r("PING")
                break
            except OSError:
                time.sleep(0.05)
        if r is None:
            raise RuntimeError("redis-server did not start")
        version = r("INFO", "server").decode().split("redis_version:")[1].split()[0]
        print(f"redis-server {version} on 127.0.0.1:{port}")
        tmp = tempfile.mkdtemp()
        for name, fmt, n in SETS:
            tokens = [fmt.format(j).encode() for j in range(n)]
            stream = [tokens[(i * 7919) % n] for i in range(2 * n)]  # every token, twice
            lines = os.path.join(tmp, name + ".txt")
            with open(lines, "wb") as f:
                f.write(b"\n".join(stream) + b"\n")
            key = f"pfadd:{name}"
            for i in range(0, len(stream), 1000):
                r("PFADD", key, *stream[i:i + 1000])
            want = r("PFCOUNT", key)
            theirs = r("GET", key)
            encoding = "sparse" if theirs[4] == 1 else "dense"
            theirs_file = os.path.join(tmp, name + ".redis.hyll")
            with open(theirs_file, "wb") as f:
                f.write(theirs)
            ours_reading = example("read", theirs_file)
            checks = {f"lessram reads Redis' {encoding} bytes: pfcount": int(ours_reading[1]) == want}
            for enc in ["auto", "dense", "sparse"]:
                out = os.path.join(tmp, f"{name}.{enc}.hyll")
                try:
                    example("build", lines, out, enc)
                except subprocess.CalledProcessError:
                    # Sparse cannot hold a register above 32: lessram refuses, as it should.
                    checks[f"{enc}: lessram refuses only when a register is above 32"] = enc == "sparse" and encoding == "dense"
                    continue
                ours = open(out, "rb").read()
                ours_key, merged = f"lessram:{name}:{enc}", f"merged:{name}:{enc}"
                r("SET", ours_key, ours)
                checks[f"{enc}: PFCOUNT of lessram's string"] = r("PFCOUNT", ours_key) == want
                r("PFMERGE", merged, ours_key)
                checks[f"{enc}: PFCOUNT after PFMERGE of it"] = r("PFCOUNT", merged) == want
                r("PFMERGE", merged, key)
                checks[f"{enc}: PFMERGE with Redis' own key changes nothing"] = r("PFCOUNT", merged) == want
                mine = example("read", out)
                checks[f"{enc}: same registers as Redis' key"] = mine[5] == ours_reading[5]
            for what, ok in checks.items():
                print(f"{'ok  ' if ok else 'FAIL'} {name} (n={n}, Redis keeps it {encoding}, PFCOUNT {want}): {what}")
                failures += not ok
            if golden:
                with open(os.path.join(golden, name + ".hyll"), "wb") as f:
                    f.write(theirs)
                counts.append(f"{name} {fmt} {n} {encoding} {want}")
        if golden:
            with open(os.path.join(golden, "pfcount.txt"), "w") as f:
                f.write(f"# name token-format distinct encoding PFCOUNT, from redis-server {version}\n")
                f.write("\n".join(counts) + "\n")
    finally:
        server.terminate()
        server.wait(timeout=10)
    if failures:
        sys.exit(f"{failures} Redis check(s) failed")
    print("all Redis checks passed")


if __name__ == "__main__":
    main()
