"""Signed event feeds: a live receiver that verifies Standard Webhooks signatures is down for a
while; then every event arrives exactly once by id, in order per object."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from community import services as qa
from organizations.models import StaffRole
from partners import webhooks
from partners.models import DeliveryAttempt, DeliveryStatus, Partner, PartnerEvent, WebhookDelivery
from partners.services import add_endpoint, save_partner
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """A local HTTP server that verifies each delivery's signature and records it."""

    def __init__(self, secret: str):
        self.secret = secret
        self.received: list[dict] = []
        self.bad_signatures = 0
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                try:
                    payload = Webhook(receiver.secret).verify(body, dict(self.headers))
                except Exception:  # noqa: BLE001 - whatever fails to verify is a bad signature
                    receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.received.append({"id": self.headers["webhook-id"], **payload})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def partner(tree, settings):
    settings.YV_WEBHOOK_PUBLISH_ON_COMMIT = False  # the test drives deliveries (eager Celery would send inline)
    p = Partner(name="团员管理测试", home_url="https://example.org/", allowed_scopes="openid profile", confidential=True)
    save_partner(actor=None, partner=p, check=False)
    p.organizations.set([tree.guangzhou])
    return p


def test_receiver_down_then_every_event_once_in_order(partner, tree, make_staff):
    receiver = Receiver(secret="whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    endpoint = add_endpoint(actor=None, partner=partner, url=receiver.url, secret=receiver.secret, check=False)
    staff = make_staff(tree.tianhe, StaffRole.ORG_ADMIN)
    youth = UserFactory(organization=tree.tianhe)
    questions = []
    for i in range(4):
        q = qa.ask_question(asker=youth, title=f"第{i}个问题：怎么办理", domain="legal", organization=tree.tianhe)
        questions.append(q)
    elsewhere = qa.ask_question(asker=UserFactory(organization=tree.nanshan), title="深圳的问题不给广州的伙伴",
                                domain="legal", organization=tree.nanshan)
    for q in questions:
        qa.answer_question(actor=staff, question=q, body="这样办理即可。")

    events = list(PartnerEvent.objects.order_by("pk"))
    assert [e.type for e in events].count("question.asked") == 4
    assert [e.type for e in events].count("question.answered") == 4
    assert not PartnerEvent.objects.filter(subject=f"question:{elsewhere.pk}").exists()  # outside its organisations

    # Down: every first attempt fails and is logged; only one per subject is tried (order).
    now = timezone.now()
    assert webhooks.sweep(now, inline=True) == 4
    assert DeliveryAttempt.objects.filter(ok=False).count() == 4
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, attempts=1).count() == 4
    later = now + timedelta(minutes=1)
    webhooks.sweep(later, inline=True)  # still down: the back-off doubles
    d = WebhookDelivery.objects.filter(attempts=2).first()
    assert d.next_attempt_at - timezone.now() > timedelta(seconds=50)

    # Up again: retries drain everything, in order per subject, exactly once by id.
    receiver.start()
    try:
        t = later
        for _ in range(10):
            t += timedelta(hours=7)
            if not webhooks.sweep(t, inline=True):
                break
    finally:
        receiver.stop()
    assert receiver.bad_signatures == 0
    ids = [r["id"] for r in receiver.received]
    assert sorted(ids) == sorted(e.webhook_id for e in events) and len(ids) == len(set(ids))
    for q in questions:
        mine = [r["type"] for r in receiver.received if r["subject"] == f"question:{q.pk}"]
        assert mine == ["question.asked", "question.answered"]
    assert all("user" not in r["data"] or set(r["data"]["user"]) == {"sub"} for r in receiver.received)  # no phone scope
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == len(events)
    assert DeliveryAttempt.objects.filter(delivery__endpoint=endpoint).count() > len(events)  # the log has every try

    # An administrator replays one: same webhook-id (receivers de-duplicate), logged as a replay.
    receiver.start()
    try:
        delivery = WebhookDelivery.objects.first()
        attempt = webhooks.replay(actor=UserFactory(is_superuser=True), delivery_id=delivery.pk)
    finally:
        receiver.stop()
    assert attempt.ok and attempt.replay
    assert receiver.received[-1]["id"] == delivery.event.webhook_id


def test_personal_data_only_with_the_scopes(partner, tree):
    partner.allowed_scopes = "openid phone"
    partner.save()
    add_endpoint(actor=None, partner=partner, url="https://partner.example.org/hooks", check=False)
    youth = UserFactory(organization=tree.tianhe, phone="13900000222")
    q = qa.ask_question(asker=youth, title="手机号只给有权限的伙伴", domain="legal", organization=tree.tianhe)
    event = PartnerEvent.objects.get(subject=f"question:{q.pk}", type="question.asked")

    class E:  # an endpoint of this partner
        pass

    E.partner = partner
    payload = webhooks.payload_for(event, E)
    assert payload["data"]["user"]["phone_number"] == "13900000222"
    assert payload["data"]["user"]["sub"] != str(youth.pk)
    partner.allowed_scopes = "openid"
    assert "phone_number" not in webhooks.payload_for(event, E)["data"]["user"]
    assert json.dumps(payload, ensure_ascii=False)
