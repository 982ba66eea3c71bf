"""Errors that services raise and every entry point (API, pages, admin, tasks) turns into a clear
4xx. A message is one translatable string (gettext_lazy; the msgid is the English text, with
%(name)s placeholders filled from `params`); its Chinese lives in locale/zh_Hans/errors.json.
The API's `message` is bilingual, Chinese first, because API consumers may read either; pages use
`localized`, the active language only.

    raise Invalid(_("At most %(limit)s tags"), params={"limit": MAX_TAGS}, fields={"tags": "too_many"})

scripts/convert_errors.py turns the old literal pairs `Invalid("中文", "English")` into this form."""

from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _


def _bilingual(zh: str, en: str) -> str:
    return en if (get_language() or "").startswith("en") else zh


# A value (or a whole message) that arrives in both languages -- a domain rule that words its own pair
# (moderation.domain.ratelimits.message), labels kept as (zh, en), "、" vs ", " lists: renders as `zh`
# or `en` by the active language. scripts/convert_errors.py uses it where the two texts differ.
bilingual = lazy(_bilingual, str)


def render(message, params: dict | None = None) -> str:
    """`message` (lazy or plain) in the active language, its %(name)s placeholders filled; lazy
    values in `params` render in the active language too."""
    text = str(message)
    if params:
        text = text % {k: str(v) if isinstance(v, Promise) else v for k, v in params.items()}
    return text


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, msg, *, params: dict | None = None, code: str | None = None, fields: dict | None = None):
        self.msg = msg
        self.params = params or {}
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(msg)

    def __str__(self) -> str:
        return self.message

    def in_language(self, language: str) -> str:
        with override(language):
            return render(self.msg, self.params)

    @property
    def zh(self) -> str:
        return self.in_language("zh-hans")

    @property
    def en(self) -> str:
        return self.in_language("en")

    @property
    def message(self) -> str:
        """For the API: "中文 / English"."""
        return f"{self.zh} / {self.en}"

    @property
    def localized(self) -> str:
        """For pages (flash messages, form errors): one language, the page's. The API keeps the
        bilingual `message`."""
        if not get_language():  # translations deactivated (a management command): the site's language
            return self.zh
        return render(self.msg, self.params)

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
    return Forbidden(_("You do not have permission to do this"))


def not_found(zh_what: str, en_what: str) -> NotFound:
    return NotFound(_("%(value)s not found"), params={"value": bilingual(zh_what, en_what)})


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
            _("Two-step verification (TOTP) is required: enter your code at /accounts/otp/verify/ first")
        )
