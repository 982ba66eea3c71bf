"""The Tencent Cloud SMS adapter (official SDK) against a local stand-in that speaks the provider's
API: action SendSms, version 2021-01-11, TC3-HMAC-SHA256 signature checked with the secret key."""

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.models import SmsMessage
from accounts.sms import send_sms
from accounts.sms.tencent import TencentSmsBackend

SECRET_ID, SECRET_KEY = "AKIDstandin0000", "standin-secret-key"


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def expected_authorization(headers, body: bytes) -> str:
    """TC3-HMAC-SHA256 as the provider's documentation defines it (computed here independently of the SDK)."""
    timestamp = headers["X-TC-Timestamp"]
    date = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(["POST", "/", "", f"content-type:{headers['Content-Type']}\nhost:{headers['Host']}\n",
                           "content-type;host", hashlib.sha256(body).hexdigest()])
    scope = f"{date}/sms/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(("TC3" + SECRET_KEY).encode(), date), "sms"), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={SECRET_ID}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


class StandIn(BaseHTTPRequestHandler):
    requests: list = []
    answer_code = "Ok"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        problems = []
        if self.headers.get("X-TC-Action") != "SendSms":
            problems.append("action")
        if self.headers.get("X-TC-Version") != "2021-01-11":
            problems.append("version")
        if self.headers.get("Authorization") != expected_authorization(self.headers, body):
            problems.append("signature")
        payload = json.loads(body)
        type(self).requests.append({"headers": dict(self.headers), "payload": payload})
        if problems:
            answer = {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": ",".join(problems)},
                                   "RequestId": "req-bad"}}
        else:
            answer = {"Response": {"SendStatusSet": [{
                "SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": payload["PhoneNumberSet"][0],
                "Fee": 1, "SessionContext": "", "Code": type(self).answer_code,
                "Message": "send success" if type(self).answer_code == "Ok" else "template param mismatch",
                "IsoCode": "CN"}], "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279"}}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def standin():
    StandIn.requests = []
    StandIn.answer_code = "Ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def config(server, key=SECRET_KEY):
    return {"secret_id": SECRET_ID, "secret_key": key, "sdk_app_id": "1400000001", "sign_name": "青年之声",
            "region": "ap-guangzhou", "endpoint": f"127.0.0.1:{server.server_port}", "protocol": "http",
            "timeout": 5, "templates": {"code": "1110001", "guardian": "1110002", "deadline": "1110003"}}


def test_send_sms_through_the_sdk(standin):
    result = TencentSmsBackend(config(standin)).send(phone="13512345678", template="code", params=["123456", "5"])
    assert result.ok and result.provider_id.startswith("5000:")
    (req,) = StandIn.requests
    assert req["payload"] == {"PhoneNumberSet": ["+8613512345678"], "SmsSdkAppId": "1400000001",
                              "SignName": "青年之声", "TemplateId": "1110001", "TemplateParamSet": ["123456", "5"]}
    assert req["headers"]["X-TC-Region"] == "ap-guangzhou"


def test_a_wrong_key_and_a_refused_message_are_reported(standin):
    result = TencentSmsBackend(config(standin, key="wrong")).send(phone="13512345678", template="code", params=["1", "5"])
    assert not result.ok and "AuthFailure.SignatureFailure" in result.error
    StandIn.answer_code = "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"
    result = TencentSmsBackend(config(standin)).send(phone="13512345678", template="code", params=["1", "5"])
    assert not result.ok and "TemplateParamSetNotMatch" in result.error


@pytest.mark.django_db
def test_the_configured_gateway_records_every_message(standin, settings):
    settings.YV_SMS_BACKEND = "accounts.sms.tencent.TencentSmsBackend"
    settings.YV_SMS_TENCENT = config(standin)
    row = send_sms(phone="13512345678", template="code", params=["654321", "5"])
    assert (row.backend, row.status) == ("tencent", "sent") and row.provider_id.startswith("5000:")
    assert "654321" in SmsMessage.objects.get().body
