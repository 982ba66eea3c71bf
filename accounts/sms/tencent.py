"""Tencent Cloud SMS (短信, API version 2021-01-11, action SendSms) through the official SDK
(tencentcloud-sdk-python-sms; the SDK signs each request with TC3-HMAC-SHA256).

Settings: YV_SMS_TENCENT = {
    "secret_id": ..., "secret_key": ..., "sdk_app_id": "1400…", "sign_name": "青年之声",
    "region": "ap-guangzhou", "endpoint": "sms.tencentcloudapi.com", "protocol": "https",
    "timeout": 10, "templates": {"code": "<template id>", "guardian": "<id>", "deadline": "<id>"},
}
(endpoint/protocol are overridable so that the tests can point the SDK at a local stand-in)."""

import logging

from django.conf import settings

from . import SendResult, SmsBackend

logger = logging.getLogger(__name__)


class TencentSmsBackend(SmsBackend):
    name = "tencent"

    def __init__(self, config: dict | None = None):
        self.config = config or getattr(settings, "YV_SMS_TENCENT", {})

    def client(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        c = self.config
        http = HttpProfile(protocol=c.get("protocol", "https"), endpoint=c.get("endpoint", "sms.tencentcloudapi.com"),
                           reqTimeout=int(c.get("timeout", 10)))
        profile = ClientProfile(signMethod="TC3-HMAC-SHA256", httpProfile=http)
        profile.disable_region_breaker = True
        cred = credential.Credential(c["secret_id"], c["secret_key"])
        return sms_client.SmsClient(cred, c.get("region", "ap-guangzhou"), profile)

    def send(self, *, phone, template, params):
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        c = self.config
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{phone}"]
        request.SmsSdkAppId = str(c["sdk_app_id"])
        request.SignName = c["sign_name"]
        request.TemplateId = str(c["templates"][template])
        request.TemplateParamSet = list(params)
        try:
            response = self.client().SendSms(request)
        except TencentCloudSDKException as exc:
            logger.warning("Tencent SMS to %s…: %s %s", phone[:3], exc.code, exc.message)
            return SendResult(ok=False, error=f"{exc.code}: {exc.message}")
        status = (response.SendStatusSet or [None])[0]
        if status is None:
            return SendResult(ok=False, error="no SendStatusSet in the answer")
        if status.Code != "Ok":
            return SendResult(ok=False, provider_id=status.SerialNo or "", error=f"{status.Code}: {status.Message}")
        return SendResult(ok=True, provider_id=status.SerialNo or response.RequestId or "")
