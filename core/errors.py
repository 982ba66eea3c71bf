"""Errors that services raise and every entry point (API, pages, admin, tasks) turns into a clear
4xx. Messages are bilingual, Chinese first, because API consumers and users may read either."""


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, zh: str, en: str, *, code: str | None = None, fields: dict | None = None):
        self.zh = zh
        self.en = en
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"

    @property
    def localized(self) -> str:
        """For pages (flash messages, form errors): one language, the page's. The API keeps the
        bilingual `message`."""
        from django.utils.translation import get_language

        return self.en if (get_language() or "").startswith("en") else self.zh

    def as_dict(self) -> dict:
        data = {"detail": self.message, "code": self.code}
        if self.fields:
            data["errors"] = self.fields
        return data


class Invalid(ServiceError):
    status = 400
    code = "invalid"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


def forbidden() -> Forbidden:
    return Forbidden("您没有权限执行此操作", "You do not have permission to do this")


def not_found(zh_what: str, en_what: str) -> NotFound:
    return NotFound(f"{zh_what}不存在", f"{en_what} not found")


class TooManyRequests(ServiceError):
    status = 429
    code = "rate_limited"


class SecondFactorRequired(ServiceError):
    """A session that must pass the TOTP step (organizations.permissions.second_factor_missing) used
    the staff API before passing it."""

    status = 403
    code = "otp_required"

    def __init__(self):
        super().__init__(
            "请先完成两步验证（TOTP）：在 /accounts/otp/verify/ 输入验证码后再使用管理接口",
            "Two-step verification (TOTP) is required: enter your code at /accounts/otp/verify/ first",
        )
