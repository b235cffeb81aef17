import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from configuration import services
from configuration.choices import DeliveryStatus
from configuration.models import WebhookDelivery

pytestmark = pytest.mark.django_db

SIGNING_SECRET = "whsec-test-1234"


@pytest.fixture
def receiver():
    received, answers = [], [500]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"body": body, "signature": self.headers.get("X-Config-Signature")})
            code = answers.pop(0) if answers else 200
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def test_signed_post_per_applied_change_retried_after_500(receiver, people, django_capture_on_commit_callbacks):
    url, received = receiver
    services.config_subscriber_save(name="gw", url=url, environment="staging", secret=SIGNING_SECRET,
                                    acting_user=people.operator)
    with django_capture_on_commit_callbacks(execute=True):
        services.config_item_set(environment="staging", key="gateway.rate_limit.default", value=10,
                                 base_version=0, reason="r", acting_user=people.author)
    assert len(received) == 2  # 500, then the retry got 200
    assert received[0]["body"] == received[1]["body"]
    for hit in received:
        expected = "sha256=" + hmac.new(SIGNING_SECRET.encode(), hit["body"], hashlib.sha256).hexdigest()
        assert hmac.compare_digest(hit["signature"], expected)
    payload = json.loads(received[1]["body"])
    assert payload["environment"] == "staging" and payload["changed_keys"] == ["gateway.rate_limit.default"]
    assert payload["revision"] == services.config_current_revision("staging")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 2, 200)

    with django_capture_on_commit_callbacks(execute=True):
        services.config_item_set(environment="staging", key="gateway.rate_limit.default", value=11,
                                 base_version=1, reason="r", acting_user=people.author)
    assert len(received) == 3
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2


def test_delivered_webhook_is_not_sent_again(receiver, people, django_capture_on_commit_callbacks):
    from configuration.services.publish import webhook_attempt

    url, received = receiver
    services.config_subscriber_save(name="gw", url=url, environment="testing", secret=SIGNING_SECRET,
                                    acting_user=people.operator)
    with django_capture_on_commit_callbacks(execute=True):
        services.config_item_set(environment="testing", key="gateway.rate_limit.default", value=10,
                                 base_version=0, reason="r", acting_user=people.author)
    delivery = WebhookDelivery.objects.get()
    count = len(received)
    assert webhook_attempt(delivery_id=delivery.pk) is True
    assert len(received) == count


def test_sweep_delivers_what_the_broker_lost(receiver, people, monkeypatch, time_machine,
                                             django_capture_on_commit_callbacks, caplog):
    from configuration import tasks
    from configuration.schedule import BEAT_SCHEDULE

    url, received = receiver
    received.clear()
    services.config_subscriber_save(name="gw", url=url, environment="development", secret=SIGNING_SECRET,
                                    acting_user=people.operator)
    # the broker is down at commit: nothing is delivered, the row stays pending
    monkeypatch.setattr(tasks.deliver_webhook, "delay", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    with django_capture_on_commit_callbacks(execute=True):
        services.config_item_set(environment="development", key="gateway.rate_limit.default", value=10,
                                 base_version=0, reason="r", acting_user=people.author)
    monkeypatch.undo()
    assert "the sweep will retry" in caplog.text
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and received == []
    time_machine.move_to(delivery.next_attempt_at)
    assert tasks.sweep_webhook_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and len(received) == 2  # the first answer was a 500
    assert all("expires" in entry["options"] for entry in BEAT_SCHEDULE.values())
