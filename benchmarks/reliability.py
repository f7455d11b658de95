"""Inputs that fight back: how every reader and ``fnt ingest`` end on broken inputs.

Generates seeded cases from the hand-made fixtures in ``tests/data/sources`` (truncated files,
invalid UTF-8 and mixed encodings, random bytes under every extension, zero-width and bidi
characters, impossible feed dates, deeply nested and malformed HTML, scripts and iframes, empty
files, duplicate ids across sources, a feed that times out and one that answers HTTP 500 on a
local server, and a 50 MB single document), runs them, and counts the outcomes:

* ``ok``: documents read (possibly alongside per-item errors);
* ``item_errors``: per-item BadRecords (file, line, reason), counted skips under ``--skip-bad``;
* ``file_error``: a clear InputError naming the file (and line);
* ``crash``: any other exception; the target is zero.

For the ingest-level cases it also checks that the manifest accounts for every item and that a
failed ingest leaves no corpus directory.

Usage::

    python benchmarks/reliability.py [--cases-per-kind 30] [--seed 0] [--no-big] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted(p for p in (ROOT / "tests" / "data" / "sources").iterdir() if p.is_file())
EXTS = [".xml", ".html", ".txt", ".md", ".jsonl", ".csv", ".atom", ".rss"]
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"


def outcome_of_read(path: Path, encoding: str) -> str:
    from toolkit.corpus.documents import ReadOptions
    from toolkit.corpus.readers import read_documents
    from toolkit.errors import InputError

    try:
        recs = list(read_documents([path], ReadOptions(encoding=encoding)))
    except InputError:
        return "file_error"
    except Exception as exc:  # noqa: BLE001 - what we count
        print(f"  CRASH {path.name} ({encoding}): {type(exc).__name__}: {exc}", file=sys.stderr)
        return "crash"
    if any(r.ok for r in recs):
        return "ok"
    return "item_errors" if recs else "empty"


def gen_cases(rng: random.Random, n: int, tmp: Path):
    """Yield (kind, path, encoding) cases."""
    k = 0

    def write(name: str, data: bytes) -> Path:
        nonlocal k
        k += 1
        d = tmp / f"case{k}"
        d.mkdir()
        p = d / name
        p.write_bytes(data)
        return p

    for _ in range(n):
        f = rng.choice(FIXTURES)
        data = f.read_bytes()
        yield "truncated", write(f.name, data[: rng.randrange(len(data) + 1)]), rng.choice(["utf-8", "auto"])
    for _ in range(n):
        f = rng.choice(FIXTURES)
        data = f.read_bytes()
        i = rng.randrange(len(data) + 1)
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 12)))
        mixed = data[:i] + junk + data[i:].decode("utf-8", "replace").encode("cp1252", "replace")
        yield "invalid_bytes_mixed_encodings", write(f.name, mixed), rng.choice(["utf-8", "auto", "cp1252"])
    for _ in range(n):
        ext = rng.choice(EXTS)
        yield "random_bytes", write("x" + ext, bytes(rng.randrange(256) for _ in range(rng.randrange(400)))), "auto"
    for _ in range(n):
        f = rng.choice([p for p in FIXTURES if p.suffix in (".xml", ".html")])
        chars = list(f.read_text(encoding="utf-8"))
        start = max(0, "".join(chars).find("<body"))
        for _ in range(rng.randrange(1, 40)):
            chars.insert(rng.randrange(start + 1, len(chars)), rng.choice(INVISIBLE))
        yield "zero_width_bidi", write(f.name, "".join(chars).encode()), "utf-8"
    dates = ["Mon, 45 Feb 2024 99:99:99 +0200", "2024-02-31", "31 février 2024", "", "0000-00-00",
             "Tue, 01 Oct 99999 10:00:00 GMT", "demain", "1e309", "2024-13-01T25:61:00Z"]  # fmt: skip
    for i in range(n):
        d = dates[i % len(dates)] if i < len(dates) else "".join(rng.choice("0123456789-:TZ ,abc") for _ in range(rng.randrange(20)))
        xml = (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>F</title><item>"
               f"<title>T</title><guid>g{i}</guid><pubDate>{d}</pubDate><description>Un texte.</description>"
               "</item><item><title>Sans date</title><description>Deux.</description></item></channel></rss>")  # fmt: skip
        yield "feed_dates", write("f.xml", xml.encode()), "utf-8"
    for depth in (1, 10, 100, 1000, 5000, 20000, 50000)[: max(3, n // 4)]:
        html = ("<html><body>" + "<div><span>" * depth + "<p>Un texte au fond de la page, assez long pour "
                "être le texte principal de cette page.</p><p>non fermé <b><i><table><tr><td>x</body>")  # fmt: skip
        yield "nested_malformed_html", write("deep.html", html.encode()), "utf-8"
    for _ in range(max(3, n // 4)):
        html = ("<html><body><script>S()</script><iframe src=x>I</iframe><article><p>"
                + "Le texte principal de l’article. " * rng.randrange(2, 8)
                + "</p><script>alert(1)</script><noscript>N</noscript></article></body></html>")  # fmt: skip
        yield "scripts_iframes", write("s.html", html.encode()), "utf-8"
    for ext in EXTS:
        yield "empty_file", write("empty" + ext, b""), "utf-8"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/slow.xml":
            time.sleep(1.0)
        if self.path == "/error.xml":
            self.send_error(500, "Internal Server Error")
            return
        body = (ROOT / "tests" / "data" / "sources" / "feed_atom.xml").read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def log_message(self, *args):
        pass


def network_cases(tmp: Path) -> list[tuple[str, str]]:
    """A good feed, one that times out and one that answers HTTP 500, on 127.0.0.1."""
    from toolkit.corpus.sources.collect import FeedSpec, collect_feeds

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        feeds = [FeedSpec("good", f"{base}/good.xml"), FeedSpec("slow", f"{base}/slow.xml"),
                 FeedSpec("error", f"{base}/error.xml")]  # fmt: skip
        report = collect_feeds(feeds, tmp / "collect", timeout=0.3)
        again = collect_feeds(feeds, tmp / "collect", timeout=0.3)
    finally:
        httpd.shutdown()
        httpd.server_close()
    out = []
    for f in report["feeds"]:
        out.append(("feed_" + f["name"], "ok" if f["status"] == "ok" else "file_error"))
    out.append(("feed_rerun_adds_nothing", "ok" if again["new_items"] == 0 else "crash"))
    return out


def ingest_cases(tmp: Path, big: bool) -> list[tuple[str, str, dict]]:
    from toolkit.corpus.ingest import ingest
    from toolkit.errors import InputError

    results = []
    # the whole fixture folder plus broken files, in one corpus
    src = tmp / "mixed"
    shutil.copytree(ROOT / "tests" / "data" / "sources", src)
    (src / "dup.jsonl").write_text(json.dumps({"id": "page", "text": "Même id qu’une page."}) + "\n{broken\n", encoding="utf-8")
    (src / "trunc.xml").write_bytes(FIXTURES[0].read_bytes()[:300])
    (src / "empty.html").write_bytes(b"")
    m = ingest([src], tmp / "c1", skip_bad=True, dedup="near", progress=False,
               options=__import__("toolkit.corpus.documents").documents.ReadOptions(encoding="auto"))  # fmt: skip
    results.append(("ingest_mixed_skip_bad", "ok" if m["accounting"]["balanced"] else "crash", m["accounting"]))
    try:
        ingest([src], tmp / "c2", progress=False)
        results.append(("ingest_mixed_strict", "crash", {}))
    except InputError as exc:
        ok = not (tmp / "c2").exists()
        results.append(("ingest_mixed_strict", "file_error" if ok else "crash", {"error": str(exc)[:120]}))
    if big:
        p = tmp / "big.jsonl"
        para = "Le conseil municipal a voté la rénovation de la piscine. "
        p.write_text(json.dumps({"id": "big", "text": para * (50 * 2**20 // len(para) + 1)}) + "\n", encoding="utf-8")
        t0 = time.perf_counter()
        m = ingest([p], tmp / "c3", progress=False)
        results.append(("50MB_document", "ok" if m["documents"] == 1 else "crash",
                        {"seconds": round(time.perf_counter() - t0, 1), "peak_memory_mb": m["peak_memory_mb"]}))  # fmt: skip
    return results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases-per-kind", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-big", action="store_true", help="skip the 50 MB document")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.ERROR)
    rng = random.Random(args.seed)
    table: dict[str, Counter] = defaultdict(Counter)
    extra = {}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for kind, path, enc in gen_cases(rng, args.cases_per_kind, tmp / "cases" if (tmp / "cases").mkdir() is None else tmp):
            table[kind][outcome_of_read(path, enc)] += 1
        for kind, outcome in network_cases(tmp):
            table[kind][outcome] += 1
        for kind, outcome, info in ingest_cases(tmp, big=not args.no_big):
            table[kind][outcome] += 1
            extra[kind] = info
    secs = time.perf_counter() - t0
    cols = ["ok", "item_errors", "empty", "file_error", "crash"]
    print(f"| case | tried | {' | '.join(cols)} |")
    print("|---|---|" + "---|" * len(cols))
    total = Counter()
    for kind, c in table.items():
        total.update(c)
        print(f"| {kind} | {sum(c.values())} | " + " | ".join(str(c.get(x, 0)) for x in cols) + " |")
    print(f"| **all** | {sum(total.values())} | " + " | ".join(str(total.get(x, 0)) for x in cols) + " |")
    for k, v in extra.items():
        print(f"{k}: {v}")
    print(f"{sum(total.values())} cases in {secs:.1f} s (load average {os.getloadavg()[0]:.1f}); crashes: {total.get('crash', 0)}")
    if args.json:
        args.json.write_text(json.dumps({"cases": {k: dict(v) for k, v in table.items()}, "extra": extra,
                                         "seconds": round(secs, 1)}, indent=2, ensure_ascii=False) + "\n")  # fmt: skip
    return 1 if total.get("crash") else 0


if __name__ == "__main__":
    sys.exit(main())
