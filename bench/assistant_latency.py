"""Time per message through the assistant's JSON API with the real dialogue: p50 and p95, against the reference
Starlette app's message endpoint (JSON in, a reply's shape out, no database, no engine) served the same way and
timed by the same client in the same run. Target: p95 under 20 ms.

    .venv/bin/python bench/assistant_latency.py [--size 20000] [--rounds 3] [--clients 1] [--database-url URL]
        [--method tfidf+static+logreg]

Builds a synthetic council into a fresh SQLite file (or the empty migrated PostgreSQL database given), serves
Townhall with one uvicorn worker, and drives realistic conversations through POST /api/v1/assistant/...: bin day
(question, postcode, choosing an address), reporting a pothole (postcode, address, a question, a description,
confirm: a real service request), its status by reference, and knowledge questions. Every reply is checked, so a
broken flow stops the bench. The rate limits are turned off for the run (one address sends everything) with
TOWNHALL_ASSISTANT_*=0, so they do not distort it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from bench.harness import served, server_cpu_seconds
from townhall.config import Settings
from townhall.db import make_engine
from townhall.migrate import upgrade
from townhall.places.models import Property
from townhall.synthetic.council import CouncilSpec, build_council

BASE = "/api/v1/assistant/conversations"
KNOWLEDGE_QUESTIONS = ("my recycling box was stolen, can I get a new one", "what time do the council offices open",
                       "how can I pay my council tax", "how do I appeal a parking ticket")  # fmt: skip
NO_LIMITS = {"TOWNHALL_ASSISTANT_MESSAGES_PER_MINUTE": "0", "TOWNHALL_ASSISTANT_CLIENT_MESSAGES_PER_MINUTE": "0",
             "TOWNHALL_ASSISTANT_CONVERSATIONS_PER_HOUR": "0"}  # fmt: skip


def prepare(database_url: str, size: int) -> list[tuple[str, str]]:
    """The council, and (postcode, address) of the numbered houses the conversations ask about."""
    settings = Settings(database_url=database_url, environment="test")
    upgrade(settings)
    engine = make_engine(settings)
    with engine.begin() as connection:
        build_council(connection, CouncilSpec(size=size, seed=1, as_of=date(2026, 11, 1)))
    with engine.connect() as connection:
        rows = connection.execute(
            select(Property.postcode, Property.address).where(Property.building_number.is_not(None))
        ).all()
    engine.dispose()
    return [(row.postcode, row.address) for row in rows]


class Client:
    """One resident's connection (kept alive), timing every message."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
        self.timings: dict[str, list[float]] = defaultdict(list)

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        payload = json.dumps(body).encode()
        started = time.perf_counter()
        self.connection.request("POST", path, payload, {"content-type": "application/json"})
        response = self.connection.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        return response.status, json.loads(data) if data else {}, elapsed

    def start(self) -> str:
        status, body, _ = self.post(BASE, {})
        if status != 201:
            raise RuntimeError(f"starting a conversation gave {status}: {body}")
        return str(body["conversation_id"])

    def say(self, conversation: str, text: str, kind: str, expect: str = "") -> dict[str, Any]:
        status, body, elapsed = self.post(f"{BASE}/{conversation}/messages", {"text": text})
        replies = " ".join(part["text"] for part in body.get("replies", []))
        if status != 200 or expect not in replies:
            raise RuntimeError(f"{text!r} gave {status}, expected {expect!r} in: {body}")
        self.timings[kind].append(elapsed)
        return body


def option_for(body: dict[str, Any], label: str) -> str:
    return next(o["value"] for part in body["replies"] for o in part["options"] if o["label"] == label)


def converse(client: Client, places: list[tuple[str, str]], rng: random.Random) -> None:
    """One resident's visit: bin day, a pothole report and its status, then two knowledge questions."""
    postcode, address = rng.choice(places)
    bins = client.start()
    client.say(bins, "when is my bin day", "bin day", "postcode")
    offered = client.say(bins, postcode.lower(), "bin day", "Which address")
    client.say(bins, option_for(offered, address), "bin day", "next collections")
    report = client.start()
    client.say(report, "there is a big pothole in the road outside my house", "report", "postcode")
    offered = client.say(report, postcode, "report", "Which address")
    client.say(report, option_for(offered, address), "report", "Where is the problem")
    client.say(report, "on the road", "report", "Describe the problem")
    client.say(report, "About 20 cm across, near the kerb", "report", "Check your report")
    sent = client.say(report, "1", "report", "reference is")
    reference = sent["replies"][0]["text"].split("reference is ")[1][:11]
    client.say(report, f"what is the status of {reference}", "status", "Status: Open")
    questions = client.start()
    for text in rng.sample(KNOWLEDGE_QUESTIONS, 2):
        client.say(questions, text, "knowledge", "")


def drive(base: str, places: list[tuple[str, str]], *, visits: int, clients: int, seed: int) -> dict[str, list[float]]:
    """`visits` conversations' worth of messages from `clients` concurrent residents; timings by kind."""
    residents = [Client(base) for _ in range(clients)]
    errors: list[BaseException] = []

    def run(resident: Client, number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        try:
            for _ in range(visits // clients):
                converse(resident, places, rng)
        except BaseException as error:  # reported after the threads end
            errors.append(error)

    threads = [threading.Thread(target=run, args=(r, n)) for n, r in enumerate(residents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    merged: dict[str, list[float]] = defaultdict(list)
    for resident in residents:
        for kind, values in resident.timings.items():
            merged[kind] += values
    return merged


def reference_timings(base: str, *, messages: int, clients: int) -> list[float]:
    residents = [Client(base) for _ in range(clients)]

    def run(resident: Client) -> None:
        for n in range(messages // clients):
            status, _body, elapsed = resident.post(f"{BASE}/c{n}/messages", {"text": "when is my bin day"})
            assert status == 200
            resident.timings["reference"].append(elapsed)

    threads = [threading.Thread(target=run, args=(r,)) for r in residents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [t for r in residents for t in r.timings["reference"]]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--visits", type=int, default=60, help="residents' visits (15 messages each) per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=1, help="concurrent residents")
    parser.add_argument(
        "--method", default=None, help="the assistant's engine, e.g. tfidf+static+logreg (default: the setting)"
    )
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, ExitStack() as servers:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        places = prepare(url, args.size)
        print(f"council: {args.size:,} properties; database {url.split(':')[0]}; {args.clients} concurrent client(s)")
        env = {"TOWNHALL_DATABASE_URL": url, "TOWNHALL_ENVIRONMENT": "test", **NO_LIMITS}
        if args.method:
            env["TOWNHALL_ASSISTANT_METHOD"] = args.method
        print(f"engine: {env.get('TOWNHALL_ASSISTANT_METHOD') or Settings().assistant_method}")
        townhall = servers.enter_context(served("townhall.web.app:create_app", env=env, factory=True))
        reference = servers.enter_context(served("bench.reference_app:app"))
        drive(townhall, places, visits=max(2, args.clients), clients=args.clients, seed=0)  # trains the engine
        timings: dict[str, list[float]] = defaultdict(list)
        reference_ms: list[float] = []
        cpu = {"townhall": 0.0, "reference": 0.0}
        for round_number in range(1, args.rounds + 1):  # interleaved, so the machine's noise hits both alike
            before = server_cpu_seconds(townhall)
            for kind, values in drive(townhall, places, visits=args.visits, clients=args.clients,
                                      seed=round_number).items():  # fmt: skip
                timings[kind] += values
            cpu["townhall"] += server_cpu_seconds(townhall) - before
            before = server_cpu_seconds(reference)
            reference_ms += reference_timings(reference, messages=args.visits * 15, clients=args.clients)
            cpu["reference"] += server_cpu_seconds(reference) - before
    everything = [t for values in timings.values() for t in values]
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'kind':<12} {'messages':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, values in [*sorted(timings.items()), ("all", everything), ("reference", reference_ms)]:
        print(f"{kind:<12} {len(values):>9,} {statistics.median(values):>8.2f} {p95(values):>8.2f}")
    # CPU the server spent per request (conversation starts included), which waiting for a busy core does not inflate
    townhall_cpu_ms = cpu["townhall"] * 1000 / (len(everything) + 3 * args.visits * args.rounds)
    reference_cpu_ms = cpu["reference"] * 1000 / len(reference_ms)
    print(f"server CPU per request: townhall {townhall_cpu_ms:.2f} ms, reference {reference_cpu_ms:.2f} ms "
          f"(ratio {townhall_cpu_ms / reference_cpu_ms:.1f}x)")  # fmt: skip
    ratio = p95(everything) / p95(reference_ms)
    verdict = "meets" if p95(everything) < 20 else "MISSES"
    print(f"p95 {p95(everything):.2f} ms ({verdict} the 20 ms target); ratio to the reference's p95: {ratio:.1f}x")


if __name__ == "__main__":
    main()
