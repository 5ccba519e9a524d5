"""Measurements that run in a process of their own, spawned by ``bench.run``.

Each measurement gets a fresh interpreter so that its peak RSS is its own (not the
generator's, not pandas' copy of the dataset) and so that a national-scope digest that
runs away can be killed by a timeout without taking the runner with it. Every worker
writes one JSON document to ``--out``.

    python -m bench.workers pipeline --data-dir D --scope city --reps 5 --out r.json
    python -m bench.workers naive --data-dir D --plan plan.json --samples 3 --out n.json
    python -m bench.workers ingest --municipalities 30 --years 2 --reps 3 --out i.json
    python -m bench.workers e2e --data-dir SEED --senders 20 --requests 200 --out e.json
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: The question shapes of the issue, several phrasings each so that a shape's figure is
#: not one query's accident. Department names are the seed's: the benchmark city has
#: all of them and most generated cities share them.
SHAPES: dict[str, tuple[str, ...]] = {
    "grade": (
        "D評価の事業は？",
        "C評価の事業は？",
        "which items are graded B?",
        "評価がC以下の事業",
    ),
    "department": (
        "show 子ども家庭支援センター items",
        "高齢者支援課の事業",
        "子ども政策課の事業一覧",
        "show 子ども育成課 items",
    ),
    # Not "子育てに関する事業": with the national vocabulary it reads as the department
    # 子育て支援課 (a partial-name match) and finds nothing; see bench/README.md.
    "keyword": (
        "DVに関する事業",
        "介護に関する事業",
        "ひとり親に関する事業",
        "items about domestic violence",
    ),
    "summary": (
        "子ども家庭支援センターのまとめ",
        "高齢者支援課のまとめ",
        "summary for 子ども政策課",
        "子ども育成課のまとめ",
    ),
    "trend": (
        "評価が下がった事業",
        "評価が上がった事業",
        "評価が変わった事業",
        "which items got worse?",
    ),
    # Many years: one item's whole history (ten years in the generated warehouse), and
    # conditions over several years.
    "history": (
        "事業16の評価の推移",
        "how did item 42 do over the years?",
        "事業33の経年変化",
        "grade history of item 19",
    ),
    # A department or goal side by side in two years: every item with both grades.
    "compare": (
        "高齢者支援課を前年度と比べて",
        "compare 子ども家庭支援センター with last year",
        "基本目標Ⅱは去年と比べてどうなった？",
        "子ども政策課の前年度比",
    ),
    "run": (
        "3年連続でA評価の事業",
        "items graded D three years in a row",
        "3年続けてC以下の事業",
        "一度でもD評価になった事業",
    ),
}
DIGEST = "digest"


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


# --- rendering: Block Kit, as the Slack app sends it ---------------------------------------
def block_kit_renderer() -> tuple[Callable[[Any], str], str]:
    """(render, label): answer → the JSON Slack would be sent, and what produced it."""
    from bot.render.blocks import answer_messages

    def render(answer: Any) -> str:
        messages = answer_messages(answer)
        return json.dumps([m.payload() for m in messages], ensure_ascii=False)

    return render, "bot.render.blocks.answer_messages (Block Kit)"


# --- the store, recording what a composer runs ----------------------------------------------
class RecordingStore:
    """A Store stand-in that records each named query a caller runs (name, params, cap)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.calls: list[dict[str, Any]] = []

    def run(self, name: str, *, cap: int | None = None, **params: Any) -> Any:
        self.calls.append({"name": name, "params": params, "cap": cap})
        return self._store.run(name, cap=cap, **params)

    def mapping(self, name: str, *, cap: int, **params: Any) -> Any:
        self.calls.append({"name": name, "params": params, "cap": cap, "method": "mapping"})
        return self._store.mapping(name, cap=cap, **params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@dataclass
class ShapeResult:
    shape: str
    pipeline_ms: list[float] = field(default_factory=list)
    duckdb_ms: list[float] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    implementation: str = ""


class Digester:
    """The weekly digest's compose and render steps, as the scheduler runs them."""

    label = "bot.digest.compose.compose_digest + bot.digest.render.digest_messages"

    def __init__(self, services: Any, municipality: str | None) -> None:
        # Imported here, not at the top: only the pipeline worker needs bot.digest.
        from bot.digest.compose import compose_digest
        from bot.digest.ledger import Subscription
        from bot.digest.render import digest_messages
        from bot.digest.schedule import Schedule

        self.services = services
        self.municipality = municipality
        self.previous_state: dict[str, Any] | None = None
        self.subscription = Subscription(
            id="bench", channel="C0BENCH", schedule=Schedule(), language="ja"
        )
        self.compose_digest = compose_digest
        self.digest_messages = digest_messages

    def run_once(self) -> list[dict[str, Any]]:
        """Compose and render one digest; returns the named queries it ran."""
        recorder = RecordingStore(self.services.store)
        digest = self.compose_digest(
            recorder,
            self.subscription,
            datetime.now(UTC),
            self.previous_state,
            municipality=self.municipality,
        )
        json.dumps([m.payload() for m in self.digest_messages(digest)], ensure_ascii=False)
        # The next digest diffs against this one, as the scheduler's would.
        self.previous_state = digest.state
        return recorder.calls


def _floor(store: Any, queries: Sequence[dict[str, Any]]) -> float:
    """The same named queries, alone, on the same warm connection: the floor (ms)."""
    start = time.perf_counter()
    for q in queries:
        if q.get("method") == "mapping":
            store.mapping(q["name"], cap=q["cap"], **q["params"])
        else:
            store.run(q["name"], cap=q.get("cap"), **q["params"])
    return (time.perf_counter() - start) * 1000


def pipeline(args: argparse.Namespace) -> dict[str, Any]:
    from bot.config import Settings
    from bot.services import Services

    municipality = args.municipality or None
    opened = time.perf_counter()
    # The answer cache off: every repetition must do the work a new question does.
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=Path(args.data_dir),
        municipality=municipality,
        answer_cache_size=0,
    )
    services = Services.from_settings(settings)
    services.warm_up()  # as the runner does before it takes traffic
    answerer = services.answerer
    open_s = time.perf_counter() - opened
    render, renderer = block_kit_renderer()
    shapes = [s for s in args.shapes.split(",") if s]
    results: dict[str, ShapeResult] = {s: ShapeResult(s) for s in shapes}
    digester = Digester(services, municipality) if DIGEST in shapes else None

    # Warm-up: every question once, also to record what the pipeline read and ran.
    plans: dict[str, list[dict[str, Any]]] = {}
    for shape in shapes:
        result = results[shape]
        if shape == DIGEST:
            assert digester is not None
            result.implementation = digester.label
            try:
                start = time.perf_counter()
                queries = digester.run_once()
                first_ms = (time.perf_counter() - start) * 1000
                result.questions.append(
                    {
                        "question": "(weekly digest)",
                        "first_ms": round(first_ms, 1),
                        "queries": queries,
                    }
                )
                plans[shape] = [{"question": "(weekly digest)", "queries": _jsonable(queries)}]
            except Exception:
                result.errors.append(traceback.format_exc(limit=3))
            continue
        plans[shape] = []
        for question in SHAPES[shape]:
            try:
                answer = answerer.answer(question)
                render(answer)
            except Exception:
                result.errors.append(f"{question}: {traceback.format_exc(limit=3)}")
                continue
            queries = [{"name": q.name, "params": q.params, "cap": None} for q in answer.queries]
            result.questions.append(
                {
                    "question": question,
                    "intent": answer.intent,
                    "filters": answer.filters,
                    "ok": answer.ok,
                    "count": answer.count,
                    "items_returned": len(answer.items),
                    "truncated": any(q.truncated for q in answer.queries),
                    # Zero results make the Answerer run "broader" count queries that
                    # Answer.queries does not list: the floor would then miss them.
                    "zero_results": answer.count == 0,
                    "queries": queries,
                }
            )
            plans[shape].append({"question": question, "queries": _jsonable(queries)})

    for _ in range(args.reps):
        for shape in shapes:
            result = results[shape]
            if result.errors:
                continue
            if shape == DIGEST:
                assert digester is not None
                start = time.perf_counter()
                queries = digester.run_once()
                result.pipeline_ms.append((time.perf_counter() - start) * 1000)
                result.duckdb_ms.append(_floor(services.store, queries))
                continue
            for entry in result.questions:
                start = time.perf_counter()
                answer = answerer.answer(entry["question"])
                render(answer)
                result.pipeline_ms.append((time.perf_counter() - start) * 1000)
                # Interleaved with the pipeline run, so both see the same machine load.
                result.duckdb_ms.append(_floor(services.store, entry["queries"]))

    import duckdb

    return {
        "scope": args.scope,
        "municipality": municipality,
        "data_dir": str(args.data_dir),
        "open_s": round(open_s, 3),
        "renderer": renderer,
        "duckdb_version": duckdb.__version__,
        "reps": args.reps,
        "shapes": {
            s: {
                "pipeline_ms": [round(x, 3) for x in r.pipeline_ms],
                "duckdb_ms": [round(x, 3) for x in r.duckdb_ms],
                "questions": _jsonable(r.questions),
                "errors": r.errors,
                "implementation": r.implementation or None,
            }
            for s, r in results.items()
        },
        "plans": plans,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def naive(args: argparse.Namespace) -> dict[str, Any]:
    from bench import naive as peer
    from bot.ingest.warehouse import current_snapshot

    snapshot = current_snapshot(Path(args.data_dir))
    if snapshot is None:
        raise SystemExit(f"no warehouse in {args.data_dir}")
    plans: dict[str, list[dict[str, Any]]] = json.loads(Path(args.plan).read_text("utf-8"))
    out: dict[str, Any] = {}
    for shape, entries in plans.items():
        samples: list[float] = []
        errors: list[str] = []
        # Cycle through the shape's questions: one sample is one question, from the read
        # of the dataset to the last filtered row.
        count = min(args.samples, args.digest_samples) if shape == DIGEST else args.samples
        for k in range(count if entries else 0):
            entry = entries[k % len(entries)]
            start = time.perf_counter()
            try:
                peer.answer(snapshot, entry["queries"], args.cap)
            except Exception:
                errors.append(f"{entry['question']}: {traceback.format_exc(limit=3)}")
                break
            samples.append((time.perf_counter() - start) * 1000)
        out[shape] = {"naive_ms": [round(x, 1) for x in samples], "errors": errors}
    return {"shapes": out, "peak_rss_mb": round(peak_rss_mb(), 1)}


def ingest(args: argparse.Namespace) -> dict[str, Any]:
    """Rows per second through parse_report_files + write_reports, on generated files."""
    from bench.generate import build_nation, ingest_files, write_report_files

    nation = build_nation(args.municipalities, args.years)
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="planbot-bench-ingest-") as tmp:
        rendered = write_report_files(nation, Path(tmp) / "reports")
        files = [f.path for f in rendered]
        size = sum(f.size for f in rendered)
        lines = sum(f.lines for f in rendered)
        for rep in range(args.reps):
            data_dir = Path(tmp) / f"data{rep}"
            result, parse_s, write_s = ingest_files(files, data_dir)
            total = parse_s + write_s
            runs.append(
                {
                    "rows": result.evaluations,
                    "parse_s": parse_s,
                    "write_s": write_s,
                    "total_s": total,
                    "rows_per_s": result.evaluations / total,
                    "lines_per_s": lines / total,
                }
            )
            shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "municipalities": args.municipalities,
        "years": args.years,
        "files": len(files),
        "bytes": size,
        "lines": lines,
        "runs": runs,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def xlsx_ingest(args: argparse.Namespace) -> dict[str, Any]:
    """Workbooks against text exports: the same generated reports, each written as an .xlsx
    by ``planbot export``'s writer, ingested with parse_report_files + write_reports."""
    from bench.generate import build_nation, ingest_files, write_report_files
    from bot.ingest.report_text import parse_report_text
    from bot.render.report_files import report_xlsx

    nation = build_nation(args.municipalities, args.years)
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="planbot-bench-xlsx-") as tmp:
        texts = [f.path for f in write_report_files(nation, Path(tmp) / "reports")]
        books = []
        for path in texts:
            book = path.with_suffix(".xlsx")
            book.write_bytes(report_xlsx(parse_report_text(path)))
            books.append(book)
        for rep in range(args.reps):
            row: dict[str, float] = {}
            for kind, files in (("text", texts), ("xlsx", books)):
                data_dir = Path(tmp) / f"{kind}{rep}"
                result, parse_s, write_s = ingest_files(files, data_dir)
                row[f"{kind}_rows_per_s"] = result.evaluations / (parse_s + write_s)
                row[f"{kind}_parse_s"] = parse_s
                row["rows"] = result.evaluations
                shutil.rmtree(data_dir, ignore_errors=True)
            runs.append(row)
        size = sum(b.stat().st_size for b in books)
    return {
        "files": len(books),
        "bytes": size,
        "runs": runs,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def upload_preview(args: argparse.Namespace) -> dict[str, Any]:
    """A city's next-year workbook shared in a DM → the preview posted at the fake.

    The warehouse holds the city's first year (ingested from its text export); each
    upload is the second year as a workbook: downloaded from the fake, parsed, compared
    with the first year, and previewed in its thread. The app is served over HTTP.
    """
    sys.path.insert(0, str(ROOT))
    from bench.generate import build_nation, ingest_files, write_report_files
    from bot.config import Settings
    from bot.ingest.report_text import parse_report_text
    from bot.render.report_files import report_xlsx
    from bot.services import Services
    from bot.slack.app import create_app
    from bot.slack.http import http_server
    from tests.fakeslack import FakeSlack, event_callback
    from tests.fakeslack.signing import signed_post

    secret, admin = "bench-signing-secret", "U0ADMIN"
    nation = build_nation(1, 2)  # municipality 0: the seed's city, two years
    latencies: list[float] = []
    with tempfile.TemporaryDirectory(prefix="planbot-bench-upload-") as tmp, FakeSlack() as fake:
        first, second = sorted(
            write_report_files(nation, Path(tmp) / "reports"), key=lambda f: f.path.name
        )
        data_dir = Path(tmp) / "data"
        ingest_files([first.path], data_dir)
        second_report = parse_report_text(second.path)
        workbook = report_xlsx(second_report)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            data_dir=data_dir,
            slack_bot_token=fake.bot_token,
            slack_signing_secret=secret,
            slack_api_url=fake.api_url,
            state_dir_override=Path(tmp) / "state",
            admins=(admin,),
        )
        services = Services.from_settings(settings)
        server = http_server(create_app(settings, services), host="127.0.0.1", port=0)
        threading.Thread(target=server.run, name="bench-http", daemon=True).start()
        url = f"http://127.0.0.1:{server.effective_port}/slack/events"
        file = fake.share_file("city_next_year.xlsx", workbook)
        try:
            for n in range(args.warmup + args.samples):
                ts = f"{1_700_000_000 + n}.000100"
                body = event_callback(
                    {
                        "type": "message",
                        "subtype": "file_share",
                        "channel": "D0ADMIN",
                        "channel_type": "im",
                        "user": admin,
                        "text": "",
                        "ts": ts,
                        "event_ts": ts,
                        "files": [file],
                    },
                    bot_user_id=fake.bot_user_id,
                    team_id=fake.team_id,
                )
                sent = time.monotonic()
                status, _ = signed_post(url, body, secret)
                if status != 200:
                    raise RuntimeError(f"event answered HTTP {status}")
                # Each upload posts two messages: "received", then the preview.
                preview = fake.wait_for("chat.postMessage", count=2 * (n + 1), timeout=30)[-1]
                if "取り込みプレビュー" not in str(preview.params.get("text")):
                    raise RuntimeError(f"no preview: {preview.params.get('text')}")
                if n >= args.warmup:
                    latencies.append((preview.time - sent) * 1000)
        finally:
            server.close()
            services.close()
    return {
        "evaluations": len(second_report.evaluations),
        "bytes": len(workbook),
        "latency_ms": latencies,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def serve_app(args: argparse.Namespace) -> dict[str, Any]:
    """The Bolt app in HTTP mode, as the Procfile's web process runs it, until stdin closes.

    A process of its own so that the fake Slack and the senders (the e2e worker) do not
    share its GIL: in production Slack is on the other side of the internet.
    """
    import logging

    from bot.config import Settings
    from bot.services import Services
    from bot.slack.app import create_app
    from bot.slack.http import http_server

    # waitress warns "Task queue depth is N" on every queued request: measured, not news.
    logging.getLogger("waitress").setLevel(logging.ERROR)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=Path(args.data_dir),
        slack_bot_token=args.token,
        slack_signing_secret=args.secret,
        slack_api_url=args.api_url,
        state_dir_override=Path(args.state_dir),
        database_url=args.database_url or None,
        # Off: the senders repeat one question, which a cache would answer from memory.
        answer_cache_size=0,
    )
    services = Services.from_settings(settings)
    app = create_app(settings, services)
    services.warm_up()  # as the runner does before it takes traffic
    server = http_server(app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, name="bench-http", daemon=True)
    thread.start()
    args.ready.write_text(str(server.effective_port), encoding="utf-8")
    sys.stdin.read()  # the e2e worker closes our stdin when it is done
    server.close()
    services.close()
    return {"peak_rss_mb": round(peak_rss_mb(), 1)}


class _Replies:
    """chat.postMessage arrivals per thread, fed by one watcher blocked on the fake's log.

    One thread waiting on the recorder's condition instead of every sender polling keeps
    the measuring side from eating the CPU the app under test needs.
    """

    def __init__(self, fake: Any) -> None:
        self.fake = fake
        self.lock = threading.Lock()
        self.arrivals: dict[str, list[float]] = {}
        self.events: dict[str, threading.Event] = {}
        self.seen = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="bench-replies", daemon=True)
        self.thread.start()

    def expect(self, ts: str) -> threading.Event:
        with self.lock:
            return self.events.setdefault(ts, threading.Event())

    def last(self, ts: str) -> float | None:
        with self.lock:
            times = self.arrivals.get(ts)
            return max(times) if times else None

    def count(self, ts: str) -> int:
        with self.lock:
            return len(self.arrivals.get(ts, ()))

    def _watch(self) -> None:
        while not self.stopped.is_set():
            try:
                calls = self.fake.wait_for("chat.postMessage", count=self.seen + 1, timeout=0.5)
            except AssertionError:  # nothing new within the timeout
                continue
            for call in calls[self.seen :]:
                ts = str(call.params.get("thread_ts"))
                with self.lock:
                    # ApiCall.time is time.monotonic() at arrival: comparable with ours.
                    self.arrivals.setdefault(ts, []).append(call.time)
                    event = self.events.setdefault(ts, threading.Event())
                event.set()
            self.seen = len(calls)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=2)


def e2e(args: argparse.Namespace) -> dict[str, Any]:
    """Signed app_mention events → the Bolt app over HTTP → chat.postMessage at the fake.

    Three phases on one warm app (the app in its own process, as in production):

    * serial: one question at a time — the latency of a single question;
    * paced: ``--senders`` senders, each in its own channel, asking at random moments
      (Poisson arrivals) at ``--rate`` questions per second each — Slack's ceiling is
      about one message per second per channel — for ``--seconds``: the e2e target,
      latency while 20 people ask at once;
    * concurrent: ``--senders`` senders, each asking again as soon as its answer arrived
      (closed loop, no pause): saturation, where latency is senders ÷ throughput;
    * burst: ``--senders`` senders posting their next event as soon as the previous one
      was acked (HTTP 200), not answered — how a backlog builds when questions arrive
      faster than they are answered.
    """
    import subprocess

    sys.path.insert(0, str(ROOT))
    from tests.fakeslack import FakeSlack, event_callback
    from tests.fakeslack.signing import signed_post

    secret = "bench-signing-secret"
    channel = "C0BENCH"
    with tempfile.TemporaryDirectory(prefix="planbot-bench-e2e-") as tmp, FakeSlack() as fake:
        apps = []
        for n in range(args.apps):
            host = Path(tmp) / f"web{n}"
            host.mkdir()
            app = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.workers",
                    "serve-app",
                    "--data-dir",
                    args.data_dir,
                    "--state-dir",
                    # With PostgreSQL each as on a host of its own; SQLite is one host's
                    # file, which its processes share.
                    str((host if args.database_url else Path(tmp)) / "state"),
                    "--database-url",
                    args.database_url,
                    "--api-url",
                    fake.api_url,
                    "--token",
                    fake.bot_token,
                    "--secret",
                    secret,
                    "--ready",
                    str(host / "port"),
                    "--out",
                    str(host / "app.json"),
                ],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            apps.append((app, host))
        replies = _Replies(fake)
        try:
            urls = []
            for app, host in apps:
                ready = host / "port"
                deadline = time.monotonic() + 60
                while not ready.exists() or not ready.read_text("utf-8"):
                    if app.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("the Slack app did not start")
                    time.sleep(0.02)
                urls.append(f"http://127.0.0.1:{ready.read_text('utf-8')}/slack/events")
            # This process plays Slack: a full collection of its heap (~30 ms) would stall
            # the fake and the senders and be counted as the app's latency.
            gc.collect()
            gc.freeze()
            counter = iter(range(10**9))
            counter_lock = threading.Lock()

            def send(sender: int = 0) -> tuple[str, float, int]:
                with counter_lock:
                    n = next(counter)
                ts = f"{1_700_000_000 + n}.{n % 1_000_000:06d}"
                body = event_callback(
                    {
                        "type": "app_mention",
                        "user": "U0ASKER",
                        "text": f"<@{fake.bot_user_id}> {args.question}",
                        "channel": f"{channel}{sender:02d}",
                        "ts": ts,
                        "event_ts": ts,
                    },
                    bot_user_id=fake.bot_user_id,
                    team_id=fake.team_id,
                )
                replies.expect(ts)
                sent = time.monotonic()
                # Round robin, as a load balancer spreads requests over the web processes.
                status, _ = signed_post(urls[n % len(urls)], body, secret)
                return ts, sent, status

            def ask_and_wait(_: int) -> tuple[str, float, int]:
                ts, sent, status = send()
                if status == 200:
                    replies.expect(ts).wait(args.timeout)
                return ts, sent, status

            def phase(senders: int, count: int, *, closed_loop: bool) -> dict[str, Any]:
                started = time.monotonic()
                work = ask_and_wait if closed_loop else (lambda _: send())
                with ThreadPoolExecutor(max_workers=senders) as pool:
                    sent = list(pool.map(work, range(count)))
                for ts, _, status in sent:
                    if status == 200:
                        replies.expect(ts).wait(args.timeout)
                time.sleep(0.2)  # an answer may span several messages: take the last
                done = [(ts, at, replies.last(ts)) for ts, at, _ in sent]
                latencies = [(last - at) * 1000 for _, at, last in done if last is not None]
                finished = max((last for _, _, last in done if last is not None), default=started)
                statuses: dict[str, int] = {}
                for _, _, status in sent:
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
                return {
                    "senders": senders,
                    "closed_loop": closed_loop,
                    "requests": count,
                    "answered": len(latencies),
                    "statuses": statuses,
                    "messages_posted": sum(replies.count(ts) for ts, _, _ in sent),
                    "latency_ms": [round(x, 2) for x in latencies],
                    "throughput_per_s": round(len(latencies) / (finished - started), 1)
                    if finished > started
                    else None,
                }

            def paced_phase(senders: int, rate: float, seconds: float) -> dict[str, Any]:
                started = time.monotonic()
                sent: list[tuple[str, float, int]] = []
                sent_lock = threading.Lock()

                def sender(k: int) -> None:
                    clock = random.Random(k)
                    due = started + clock.expovariate(rate)
                    while due < started + seconds:
                        time.sleep(max(0.0, due - time.monotonic()))
                        result = send(k)
                        with sent_lock:
                            sent.append(result)
                        due += clock.expovariate(rate)

                threads = [threading.Thread(target=sender, args=(k,)) for k in range(senders)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                for ts, _, status in sent:
                    if status == 200:
                        replies.expect(ts).wait(args.timeout)
                time.sleep(0.2)
                latencies = [
                    (last - at) * 1000
                    for ts, at, _ in sent
                    if (last := replies.last(ts)) is not None
                ]
                return {
                    "senders": senders,
                    "rate_per_sender_per_s": rate,
                    "seconds": seconds,
                    "requests": len(sent),
                    "answered": len(latencies),
                    "statuses": {
                        str(code): sum(1 for _, _, st in sent if st == code)
                        for code in {st for _, _, st in sent}
                    },
                    "latency_ms": [round(x, 2) for x in latencies],
                }

            phase(args.senders, args.warmup, closed_loop=True)
            serial = phase(1, args.serial, closed_loop=True)
            paced = paced_phase(args.senders, args.rate, args.seconds)
            concurrent = phase(args.senders, args.requests, closed_loop=True)
            burst = phase(args.senders, args.requests, closed_loop=False)
        finally:
            replies.stop()
            for app, _ in apps:
                if app.stdin is not None:
                    app.stdin.close()
            for app, _ in apps:
                try:
                    app.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    app.kill()
                    app.wait()
        stats = apps[0][1] / "app.json"
        app_stats = json.loads(stats.read_text("utf-8")) if stats.exists() else {}
    return {
        "question": args.question,
        "serial": serial,
        "paced": paced,
        "concurrent": concurrent,
        "burst": burst,
        "app_peak_rss_mb": app_stats.get("peak_rss_mb"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workers")
    sub = parser.add_subparsers(dest="worker", required=True)

    p = sub.add_parser("pipeline")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--scope", required=True)
    p.add_argument("--municipality", default="")
    p.add_argument("--shapes", default=",".join([*SHAPES, DIGEST]))
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("naive")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--plan", required=True)
    p.add_argument("--samples", type=int, default=3)
    # A digest reads every year: one sample is enough to show the gap, and costs seconds.
    p.add_argument("--digest-samples", type=int, default=1)
    p.add_argument("--cap", type=int, default=1000)
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("ingest")
    p.add_argument("--municipalities", type=int, default=30)
    p.add_argument("--years", type=int, default=2)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("xlsx-ingest")
    p.add_argument("--municipalities", type=int, default=30)
    p.add_argument("--years", type=int, default=2)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("upload-preview")
    p.add_argument("--samples", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("e2e")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--question", default="D評価の事業は？")
    p.add_argument("--senders", type=int, default=20)
    p.add_argument("--rate", type=float, default=1.0, help="questions per second per sender")
    p.add_argument("--seconds", type=float, default=10.0, help="length of the paced phase")
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--serial", type=int, default=30)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--apps", type=int, default=1, help="web processes behind the senders")
    p.add_argument("--database-url", default="", help="state in PostgreSQL (else SQLite)")
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("serve-app")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--state-dir", required=True)
    p.add_argument("--database-url", default="")
    p.add_argument("--api-url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--ready", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)

    args = parser.parse_args(argv)
    worker = {
        "pipeline": pipeline,
        "naive": naive,
        "ingest": ingest,
        "xlsx-ingest": xlsx_ingest,
        "upload-preview": upload_preview,
        "e2e": e2e,
        "serve-app": serve_app,
    }[args.worker]
    _write(args.out, worker(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
