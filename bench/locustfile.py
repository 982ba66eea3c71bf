"""Locust scenario for bench/load.py (run it through that script, which prepares the data, starts
gunicorn and prints the table). The mix per virtual user:

  anonymous reads  home, Q&A feed (page and API), question pages, stations map, content pages
  searches         /search/?q=<common word>
  logged-in posts  ask a question and answer one through the API (session + CSRF)
  bookings         book a free slot of a station through the API, then cancel it (frees the slot)
  baseline         a bare Django view doing one primary-key query (bench/load_urls.py)

Environment: YV_LOAD_RATE (requests per second per user; 0 = as fast as possible),
YV_LOAD_RESULTS (JSON file for the per-endpoint latencies and status codes), YV_LOAD_SESSIONS
(JSON {username: session key}: bench/load.py logs the accounts in beforehand), YV_LOAD_ACCOUNTS.
"""

import json
import os
import random
import string
import threading
import time
from collections import defaultdict

from locust import HttpUser, constant, constant_throughput, events, task
from locust.clients import HttpSession

RATE = float(os.environ.get("YV_LOAD_RATE", "0"))
N_ACCOUNTS = int(os.environ.get("YV_LOAD_ACCOUNTS", "200"))
WORDS = ["就业", "心理", "创业", "法律", "志愿", "实习", "团员", "青年之家", "婚恋", "广州", "深圳", "考研"]
TOPICS = ["实习合同", "租房押金", "考研压力", "创业补贴", "志愿时长", "社保转移", "劳动仲裁", "失眠焦虑"]

_results = {"latency": defaultdict(list), "status": defaultdict(lambda: defaultdict(int))}
_lock = threading.Lock()
_catalog = {}
_account = iter(range(10**9))


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, **kw):
    code = getattr(response, "status_code", 0) if response is not None else 0
    _results["latency"][name].append(response_time)
    _results["status"][name][str(code)] += 1


@events.test_stop.add_listener
def _dump(environment, **kw):
    path = os.environ.get("YV_LOAD_RESULTS")
    if path:
        with open(path, "w") as f:
            json.dump({"latency": _results["latency"], "status": _results["status"]}, f)


def _sessions():
    with _lock:
        if "sessions" not in _catalog:
            with open(os.environ["YV_LOAD_SESSIONS"]) as f:
                _catalog["sessions"] = json.load(f)
        return _catalog["sessions"]


def _catalogue(client):
    """IDs to visit, fetched once per process from the public API."""
    with _lock:
        if "questions" in _catalog:
            return _catalog
        qs = client.get("/api/community/questions/?limit=100", name="setup").json()["items"]
        _catalog["questions"] = [q["id"] for q in qs] or [1]
        stations = client.get("/api/stations?limit=50", name="setup").json()
        stations = stations["items"] if isinstance(stations, dict) else stations
        _catalog["stations"] = [s["id"] for s in stations][:50]
        pages = client.get("/api/v2/pages/?limit=100&fields=html_url", name="setup").json()["items"]
        _catalog["pages"] = [p["meta"]["html_url"].split("://", 1)[-1].split("/", 1)[-1] for p in pages
                             if p["meta"].get("html_url")]
        _catalog["pages"] = ["/" + p for p in _catalog["pages"]] or ["/"]
        _catalog["baseline"] = client.get("/bench/pk-id/", name="setup").text.strip()
        return _catalog


class Youth(HttpUser):
    wait_time = constant_throughput(RATE) if RATE > 0 else constant(0)

    def on_start(self):
        # Reads and searches go through a second, cookie-less session: anonymous visitors (who get
        # the anonymous page cache); posts and bookings through the logged-in one.
        self.anon = HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)
        self.cat = _catalogue(self.anon)
        n = next(_account) % N_ACCOUNTS
        self.username = f"load_youth_{n}"
        # Logged in ahead of the run by bench/load.py (sessions in the database); CSRF: a cookie
        # secret of our own, echoed in the header, as a browser's JavaScript would.
        host = self.host.split("://", 1)[1].split(":")[0]
        self.client.cookies.set("sessionid", _sessions()[self.username], domain=host)
        self.csrf = "".join(random.choices(string.ascii_letters + string.digits, k=32))
        self.client.cookies.set("csrftoken", self.csrf, domain=host)
        self.n = 0

    def _post(self, url, payload, name):
        return self.client.post(url, json=payload, name=name,
                                headers={"X-CSRFToken": self.csrf, "Referer": self.host + "/"})

    # --- anonymous reads ---------------------------------------------------------------------
    @task(5)
    def home(self):
        self.anon.get("/", name="home")

    @task(3)
    def qa_feed(self):
        self.anon.get("/qa/", name="qa feed (page)")

    @task(2)
    def qa_feed_api(self):
        self.anon.get("/api/community/questions/?limit=20", name="qa feed (API)")

    @task(6)
    def question(self):
        self.anon.get(f"/qa/{random.choice(self.cat['questions'])}/", name="question page")

    @task(3)
    def stations_map(self):
        self.anon.get("/stations/", name="stations map")

    @task(3)
    def content_page(self):
        self.anon.get(random.choice(self.cat["pages"]), name="content page")

    @task(3)
    def search(self):
        self.anon.get(f"/search/?q={random.choice(WORDS)}", name="search")

    @task(1)
    def baseline(self):
        self.anon.get(f"/bench/pk/{self.cat['baseline']}/", name="baseline (1 PK query)")

    # --- logged-in writes --------------------------------------------------------------------
    @task(1)
    def ask(self):
        self.n += 1
        topic = random.choice(TOPICS)
        self._post("/api/community/questions/", {
            "title": f"关于{topic}的问题（{self.username} 第{self.n}问 {time.time_ns() % 10**9}）",
            "body": f"我想了解{topic}方面的政策和办理流程，请问需要准备哪些材料？",
            "domain": random.choice(["employment", "legal", "psychology", "entrepreneurship"]),
        }, "ask (API)")

    @task(1)
    def answer(self):
        qid = random.choice(self.cat["questions"])
        self._post(f"/api/community/questions/{qid}/answers/", {
            "body": f"建议先咨询当地青年之家，带上身份证和相关证明材料。（{self.username} {time.time_ns() % 10**9}）",
        }, "answer (API)")

    @task(1)
    def book_and_cancel(self):
        if not self.cat["stations"]:
            return
        sid = random.choice(self.cat["stations"])
        slots = self.client.get(f"/api/stations/{sid}/slots", name="station slots (API)").json()
        free = [s for s in slots if s["places_left"] > 0] if isinstance(slots, list) else []
        if not free:
            return
        slot = random.choice(free[:40])
        with self.client.post("/api/stations/bookings", json={"slot_id": slot["id"]}, name="book (API)",
                              headers={"X-CSRFToken": self.csrf, "Referer": self.host + "/"},
                              catch_response=True) as r:
            if r.status_code == 409:  # the slot filled up meanwhile / booked already: a correct answer
                r.success()
                return
        if r.status_code == 201:
            self._post(f"/api/stations/bookings/{r.json()['id']}/cancel", {}, "cancel booking (API)")
