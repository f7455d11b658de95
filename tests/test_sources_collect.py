"""``fnt collect``: feeds served from a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.corpus.sources.collect import ITEMS_FILE, ItemStore, collect_feeds, load_feeds
from toolkit.errors import ConfigError, InputError

DATA = Path(__file__).parent / "data" / "sources"

ARTICLE = ("<html><head><title>Festival</title></head><body><nav>Accueil Culture Sport</nav><article>"
           "<h1>Un festival de musique baroque ouvre ses portes</h1>"
           + "<p>Le festival accueille vingt ensembles venus de toute l’Europe pour dix jours de concerts. </p>" * 3
           + "<p>Les billets sont en vente à l’office de tourisme et sur le site du festival.</p>"
           "</article><footer>Mentions légales</footer></body></html>")  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802 (http.server API)
        self.routes.setdefault("hits", []).append(self.path)
        if self.path == "/slow.xml":
            time.sleep(1.5)
        if self.path == "/error.xml":
            self.send_error(500, "Internal Server Error")
            return
        body = self.routes.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/xml" if self.path.endswith(".xml") else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    routes = {"/rss.xml": (DATA / "feed_rss.xml").read_bytes(), "/atom.xml": (DATA / "feed_atom.xml").read_bytes(),
              "/slow.xml": (DATA / "feed_atom.xml").read_bytes(),
              "/festival": ARTICLE.encode("utf-8")}  # fmt: skip
    handler = type("Handler", (_Handler,), {"routes": routes})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base, routes
    httpd.shutdown()
    httpd.server_close()


def _feeds_toml(tmp_path, base, names=("rss", "atom", "error", "slow"), extra=""):
    lines = [f"timeout = 0.5\n{extra}"]
    for n in names:
        lines.append(f'[[feeds]]\nname = "{n}"\nurl = "{base}/{n}.xml"\n')
    p = tmp_path / "feeds.toml"
    p.write_text("\n".join(lines), encoding="utf-8")
    return p


def _items(out):
    return [json.loads(line) for line in (out / ITEMS_FILE).read_text(encoding="utf-8").splitlines()]


def test_collect_is_idempotent_and_errors_are_per_feed(server, tmp_path, capsys):
    base, routes = server
    feeds = _feeds_toml(tmp_path, base)
    out = tmp_path / "col"
    code = main(["-q", "collect", "rss", str(feeds), "--out", str(out)])
    assert code == 1  # some feeds failed
    err = capsys.readouterr().err
    assert "error: ERROR HTTP 500 Internal Server Error" in err
    assert "timed out after 0.5 s" in err
    items = _items(out)
    assert len(items) == 5 and len({i["id"] for i in items}) == 5
    assert {i["source"] for i in items} == {"Le Fil Régional – Actualités", "Sciences & Planète"}
    # second run: nothing new
    main(["-q", "collect", "rss", str(feeds), "--out", str(out)])
    assert len(_items(out)) == 5
    log = [json.loads(x) for x in (out / "collect_log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["new_items"] for r in log] == [5, 0] and log[0]["errors"] == 2
    status = {f["name"]: f for f in log[0]["feeds"]}
    assert status["rss"]["status"] == "ok" and status["error"]["error"] == "HTTP 500 Internal Server Error"
    # a new item in the feed: only it is appended
    routes["/rss.xml"] = routes["/rss.xml"].replace(
        b"<item>", b"<item><title>Nouveau</title><guid>new-1</guid><description>Un nouvel article "
        b"publi\xc3\xa9 apr\xc3\xa8s le premier passage.</description></item><item>", 1)
    report = collect_feeds(load_feeds(feeds)[0][:2], out, timeout=0.5)
    assert report["new_items"] == 1 and report["errors"] == 0 and len(_items(out)) == 6


def test_collection_ingests_into_a_corpus(server, tmp_path):
    base, _ = server
    out = tmp_path / "col"
    collect_feeds(load_feeds(_feeds_toml(tmp_path, base, ("rss", "atom")))[0], out, timeout=2)
    assert main(["-q", "ingest", str(out / ITEMS_FILE), "--out", str(tmp_path / "c")]) == 0
    m = json.loads((tmp_path / "c" / "manifest.json").read_text(encoding="utf-8"))
    assert m["documents"] == 5


def test_interrupted_write_is_repaired(server, tmp_path):
    base, _ = server
    out = tmp_path / "col"
    feeds = load_feeds(_feeds_toml(tmp_path, base, ("rss",)))[0]
    collect_feeds(feeds, out, timeout=2)
    data = (out / ITEMS_FILE).read_bytes()
    (out / ITEMS_FILE).write_bytes(data[: len(data) - 40])  # the last line was cut by a crash
    store = ItemStore(out)
    assert store.repaired_bytes > 0 and len(store.keys) == 2
    report = collect_feeds(feeds, out, timeout=2)
    assert report["new_items"] == 1 and len(_items(out)) == 3


def test_fetch_full_article(server, tmp_path):
    base, routes = server
    routes["/rss.xml"] = routes["/rss.xml"].replace(b"https://fil-regional.example/2024/10/03/festival",
                                                    f"{base}/festival".encode())  # fmt: skip
    feeds = load_feeds(_feeds_toml(tmp_path, base, ("rss",), extra="fetch_full = true"))[0]
    collect_feeds(feeds, tmp_path / "col", timeout=2)
    items = {i["meta"]["item_key"]: i for i in _items(tmp_path / "col")}
    fest = items["fil-2024-festival"]
    assert fest["meta"]["full_text"] == "fetched" and "billets sont en vente" in fest["text"]
    assert "Accueil" not in fest["text"] and fest["meta"]["summary"].startswith("Le festival de musique")
    # unreachable article pages keep the summary and say why
    assert "fetch_error" in items["fil-2024-marche"]["meta"]


@pytest.mark.parametrize(
    "content, message",
    [("[[feeds]]\nname='x'\n", "needs a url"), ("timeout = 3\n", "no feeds"),
     ("colour = 1\n[[feeds]]\nurl='x'\n", "unknown key"), ("[[feeds]]\nurl='x'\nevery='1h'\n", "unknown key"),
     ("[[feeds\n", "invalid TOML")],
)  # fmt: skip
def test_bad_feed_lists(tmp_path, content, message):
    p = tmp_path / "f.toml"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_feeds(p)


def test_local_feed_paths_are_relative_to_the_list(tmp_path):
    (tmp_path / "f.xml").write_bytes((DATA / "feed_atom.xml").read_bytes())
    p = tmp_path / "feeds.toml"
    p.write_text("[[feeds]]\nname = 'local'\nurl = 'f.xml'\n", encoding="utf-8")
    report = collect_feeds(load_feeds(p)[0], tmp_path / "col")
    assert report["new_items"] == 2


def test_ingest_reads_urls_once_and_counts_failures(server, tmp_path):
    from toolkit.corpus.documents import Corpus
    from toolkit.corpus.ingest import ingest

    base, routes = server
    sources = [f"{base}/rss.xml", f"{base}/festival", f"{base}/error.xml", str(DATA / "feed_atom.xml")]
    m = ingest(sources, tmp_path / "c", skip_bad=True, dedup="near", progress=False)
    assert m["documents"] == 6  # 3 feed items + 1 page + 2 Atom entries
    assert m["accounting"]["balanced"] and m["skipped"] == {"fetch_failed": 1}
    assert "festival" in " ".join(Corpus(tmp_path / "c").metadata_frame()["url"].dropna())
    assert "HTTP 500" in m["skipped_items"][0]["problem"]
    assert routes["hits"].count("/rss.xml") == 1  # the second reading pass reuses the download
    with pytest.raises(InputError, match="HTTP 500"):
        ingest([f"{base}/error.xml"], tmp_path / "d", progress=False)
