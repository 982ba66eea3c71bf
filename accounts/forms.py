from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from .uploads import validate_avatar  # the one avatar rule (size, pixels, type), also on the admin form

PROFILE_ADMIN_FIELDS = {"phone", "display_name", "real_name", "real_name_status"}


class OptionalNamesMixin:
    """Youths sign up with a mobile number: e-mail and Western-style first/last names are optional."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("email", "first_name", "last_name"):
            if name in self.fields:
                self.fields[name].required = False

    def clean_display_name(self):
        """A display name is public (answers, comments, ratings): the one screening of public text."""
        from core.errors import ServiceError

        from .hooks import screen_public_texts  # filled by moderation

        name = self.cleaned_data["display_name"]
        if not name:
            return name
        try:
            return screen_public_texts({"display_name": name})["display_name"]
        except ServiceError as exc:
            raise forms.ValidationError(exc.zh) from exc


class UserEditForm(OptionalNamesMixin, WagtailUserEditForm):
    """Wagtail's user edit form plus the mobile number, display name, real name and real-name status."""

    class Meta(WagtailUserEditForm.Meta):
        fields = set(WagtailUserEditForm.Meta.fields) | PROFILE_ADMIN_FIELDS


class UserCreationForm(OptionalNamesMixin, WagtailUserCreationForm):
    class Meta(WagtailUserCreationForm.Meta):
        fields = set(WagtailUserCreationForm.Meta.fields) | PROFILE_ADMIN_FIELDS


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("6-digit code from your authenticator app"), regex=r"^\s*\d{6}\s*$", max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
        error_messages={"invalid": _("Enter the 6 digits shown in your authenticator app.")},
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip()


# ---------------------------------------------------------------------------------------------
# Public account pages (issue 20): sign-up, login by code, password reset, profile, cadre application
# ---------------------------------------------------------------------------------------------
from django.utils import timezone as _tz  # noqa: E402

from core.domains import DOMAIN_LABELS_ZH, ServiceDomain  # noqa: E402


def _phone_input(**attrs):
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel", "maxlength": 11, **attrs})


def _code_input():
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6})


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parent = obj.get_parent() if obj.depth > 2 else None
        name = obj.short_name or obj.name
        return f"{parent.short_name or parent.name} · {name}" if parent else name


def location_field(required=True):
    from .selectors import location_choices

    return LocationChoiceField(queryset=location_choices(), label="所在区县或高校", required=required,
                               empty_label="请选择", help_text="你的提问、预约和首页动态默认发往这里，可随时在个人资料中修改。")


class CaptchaMixin(forms.Form):
    captcha = forms.CharField(label="图形验证码", required=False, max_length=4,
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class SignupForm(CaptchaMixin):
    phone = forms.CharField(label="手机号", max_length=14, widget=_phone_input())
    code = forms.CharField(label="短信验证码", max_length=6, required=False, widget=_code_input())
    display_name = forms.CharField(label="昵称", max_length=20, required=False)
    organization = None  # set in __init__ (the queryset is read per request)
    birth_year = forms.IntegerField(label="出生年份", required=False, min_value=1900, max_value=2100,
                                    help_text="未满 14 周岁须经监护人同意后注册。")
    guardian_phone = forms.CharField(label="监护人手机号（未满 14 周岁填写）", max_length=14, required=False, widget=_phone_input())
    guardian_code = forms.CharField(label="监护人收到的验证码", max_length=6, required=False, widget=_code_input())
    password1 = forms.CharField(label="设置密码", required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text="至少 8 位，不能是常见密码或纯数字。")
    password2 = forms.CharField(label="确认密码", required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    agree_privacy = forms.BooleanField(label="我已阅读并同意《隐私政策》", required=False)

    field_order = ["phone", "captcha", "code", "display_name", "organization", "birth_year", "guardian_phone",
                   "guardian_code", "password1", "password2", "agree_privacy"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = location_field(required=False)
        self.order_fields(self.field_order)


class PhoneCodeForm(CaptchaMixin):
    """Login by code, and the first half of a password reset."""

    phone = forms.CharField(label="手机号", max_length=14, widget=_phone_input())
    code = forms.CharField(label="短信验证码", max_length=6, required=False, widget=_code_input())
    field_order = ["phone", "captcha", "code"]


class ResetForm(PhoneCodeForm):
    password1 = forms.CharField(label="新密码", required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="确认新密码", required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class ProfileForm(forms.Form):
    display_name = forms.CharField(label="昵称", max_length=20)
    organization = None
    email = forms.EmailField(label="电子邮箱（选填，用于接收通知）", required=False)
    avatar = forms.ImageField(label="头像（JPG/PNG/GIF/WebP，2 MB 以内）", required=False, validators=[validate_avatar])
    service_domains = forms.MultipleChoiceField(
        label="关注的服务领域", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(d, DOMAIN_LABELS_ZH[d]) for d in ServiceDomain.values])
    notify_site = forms.BooleanField(label="站内通知", required=False)
    notify_email = forms.BooleanField(label="邮件通知", required=False)
    notify_sms = forms.BooleanField(label="短信提醒（办理时限）", required=False)
    field_order = ["display_name", "organization", "email", "avatar", "service_domains", "notify_site",
                   "notify_email", "notify_sms"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = location_field()
        self.order_fields(self.field_order)


class ChangePhoneForm(CaptchaMixin):
    phone = forms.CharField(label="新手机号", max_length=14, widget=_phone_input())
    code = forms.CharField(label="新手机号收到的验证码", max_length=6, required=False, widget=_code_input())
    field_order = ["phone", "captcha", "code"]


class CloseAccountForm(forms.Form):
    password = forms.CharField(label="请输入密码确认注销", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    confirm = forms.BooleanField(label="我了解注销后个人信息将被删除且无法恢复，已发布的内容将显示为“已注销用户”")


class CadreApplicationForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label="申请加入的组织", empty_label="请选择")
    role = forms.ChoiceField(label="岗位角色", choices=[("liaison", "联络专员"), ("duty", "值班员"), ("editor", "编辑"),
                                                       ("station_admin", "青年之家管理员")])
    real_name = forms.CharField(label="真实姓名", max_length=20)
    position = forms.CharField(label="职务", max_length=60, help_text="如：天河区团委组织部干事")
    proof = forms.FileField(label="证明材料（任职文件或工作证，PDF/JPG/PNG，5 MB 以内）", required=False)
    sensitive_consent = forms.BooleanField(
        label="我单独同意平台为核验团干身份处理我的真实姓名、职务及证明材料（敏感个人信息）", required=False)

    def __init__(self, *args, **kwargs):
        from organizations.models import Organization

        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(is_active=True).order_by("path")


def current_year() -> int:
    return _tz.localdate().year
