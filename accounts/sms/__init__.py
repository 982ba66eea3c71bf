"""SMS: one gateway interface, chosen by settings.YV_SMS_BACKEND (a dotted path).

- `accounts.sms.backends.OutboxBackend` (default: `make run`, tests): writes the message to the
  `accounts.SmsMessage` table only; the demo and the tests read the codes there.
- `accounts.sms.tencent.TencentSmsBackend`: Tencent Cloud SMS (SendSms, API 2021-01-11) through its
  official Python SDK; configured by YV_SMS_TENCENT = {secret_id, secret_key, sdk_app_id, sign_name,
  region, endpoint, protocol, templates: {our template name: Tencent template id}}.

Every backend gets (phone, template, params) and returns a SendResult; `send_sms` records each message
(with the backend's answer) in SmsMessage, so there is one outbox whatever the gateway."""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

# Our templates: name → Chinese text with {0}, {1} … placeholders (the same order as the provider's
# template variables; the real templates are registered with the provider under these texts).
# Chinese on purpose, not gettext: the recipient's language is Chinese (a mainland mobile number), the
# text is the one the provider approved, and it does not follow the language of the page that sent it.
TEMPLATES = {
    "code": "【青年之声】您的验证码为{0}，{1}分钟内有效。如非本人操作，请忽略本短信。",
    "guardian": "【青年之声】您的孩子正在注册青年之声，监护人同意验证码为{0}，{1}分钟内有效。",
    "deadline": "【青年之声】{0}",
}


@dataclass
class SendResult:
    ok: bool
    provider_id: str = ""
    error: str = ""


class SmsBackend(ABC):
    """The gateway interface: send one templated message to one mainland number. Implemented by
    backends.OutboxBackend and tencent.TencentSmsBackend."""

    name = "base"

    @abstractmethod
    def send(self, *, phone: str, template: str, params: list[str]) -> SendResult:
        """Hand the message to the gateway; never raise for a refusal (return ok=False)."""


def render(template: str, params: list[str]) -> str:
    return TEMPLATES[template].format(*params)


def get_backend() -> SmsBackend:
    path = getattr(settings, "YV_SMS_BACKEND", "accounts.sms.backends.OutboxBackend")
    return import_string(path)()


def send_sms(*, phone: str, template: str, params: list[str]):
    """Send through the configured backend and record the message; returns the SmsMessage row."""
    from accounts.models import SmsMessage

    if template not in TEMPLATES:
        raise ValueError(f"unknown SMS template {template!r}")
    params = [str(p) for p in params]
    backend = get_backend()
    result = backend.send(phone=phone, template=template, params=params)
    return SmsMessage.objects.create(
        phone=phone, template=template, params=params, body=render(template, params)[:300],
        backend=backend.name, status="sent" if result.ok else "failed", provider_id=result.provider_id[:80],
        error=result.error[:300])
