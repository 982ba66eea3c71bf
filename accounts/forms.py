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
            raise forms.ValidationError(exc.localized) from exc


class UserEditForm(OptionalNamesMixin, WagtailUserEditForm):
    """Wagtail's user edit form plus the mobile number, display name, real name and real-name status.
    Verifying or rejecting the real name is not saved by the form: the view calls
    organizations.services.verify_real_name (subtree, a reason to reject, audit log)."""

    real_name_reason = forms.CharField(label=_("Reason (when rejecting the real name)"), required=False,
                                       max_length=200)

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

from core.domains import ServiceDomain  # noqa: E402


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

    return LocationChoiceField(queryset=location_choices(), label=_("County or university"), required=required,
                               empty_label=_("Please choose"),
                               help_text=_("Your questions, bookings and home-page news go here by default; you can "
                                           "change it in your profile at any time."))


class CaptchaMixin(forms.Form):
    captcha = forms.CharField(label=_("Picture code"), required=False, max_length=4,
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class SignupForm(CaptchaMixin):
    phone = forms.CharField(label=_("Mobile number"), max_length=14, widget=_phone_input())
    code = forms.CharField(label=_("SMS code"), max_length=6, required=False, widget=_code_input())
    display_name = forms.CharField(label=_("Nickname"), max_length=20, required=False)
    organization = None  # set in __init__ (the queryset is read per request)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900, max_value=2100,
                                    help_text=_("Under 14, you need a guardian's consent to sign up."))
    guardian_phone = forms.CharField(label=_("Guardian's mobile number (if under 14)"), max_length=14, required=False, widget=_phone_input())
    guardian_code = forms.CharField(label=_("Code the guardian received"), max_length=6, required=False, widget=_code_input())
    password1 = forms.CharField(label=_("Choose a password"), required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("At least 8 characters; not a common password, not only digits."))
    password2 = forms.CharField(label=_("Repeat the password"), required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    agree_privacy = forms.BooleanField(label=_("I have read and agree to the privacy policy"), required=False)

    field_order = ["phone", "captcha", "code", "display_name", "organization", "birth_year", "guardian_phone",
                   "guardian_code", "password1", "password2", "agree_privacy"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = location_field(required=False)
        self.order_fields(self.field_order)


class PhoneCodeForm(CaptchaMixin):
    """Login by code, and the first half of a password reset."""

    phone = forms.CharField(label=_("Mobile number"), max_length=14, widget=_phone_input())
    code = forms.CharField(label=_("SMS code"), max_length=6, required=False, widget=_code_input())
    field_order = ["phone", "captcha", "code"]


class ResetForm(PhoneCodeForm):
    password1 = forms.CharField(label=_("New password"), required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Repeat the new password"), required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Nickname"), max_length=20)
    organization = None
    email = forms.EmailField(label=_("E-mail (optional, for notifications)"), required=False)
    avatar = forms.ImageField(label=_("Avatar (JPG/PNG/GIF/WebP, up to 2 MB)"), required=False, validators=[validate_avatar])
    service_domains = forms.MultipleChoiceField(
        label=_("Service domains you follow"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=ServiceDomain.choices)
    notify_site = forms.BooleanField(label=_("Notifications on the site"), required=False)
    notify_email = forms.BooleanField(label=_("Notifications by e-mail"), required=False)
    notify_sms = forms.BooleanField(label=_("SMS reminders (deadlines)"), required=False)
    field_order = ["display_name", "organization", "email", "avatar", "service_domains", "notify_site",
                   "notify_email", "notify_sms"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"] = location_field()
        self.order_fields(self.field_order)


class ChangePhoneForm(CaptchaMixin):
    phone = forms.CharField(label=_("New mobile number"), max_length=14, widget=_phone_input())
    code = forms.CharField(label=_("Code sent to the new number"), max_length=6, required=False, widget=_code_input())
    field_order = ["phone", "captcha", "code"]


class CloseAccountForm(forms.Form):
    password = forms.CharField(label=_("Enter your password to confirm closing the account"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    confirm = forms.BooleanField(label=_("I understand that my personal information will be deleted for good and that "
                                        "what I published will be shown as by “Closed account”"))


class CadreApplicationForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label=_("Organisation to join"), empty_label=_("Please choose"))
    role = forms.ChoiceField(label=_("Role"), choices=[("liaison", _("Liaison officer")), ("duty", _("Duty officer")),
                                                    ("editor", _("Editor")), ("station_admin", _("Youth Home administrator"))])
    real_name = forms.CharField(label=_("Real name"), max_length=20)
    position = forms.CharField(label=_("Position"), max_length=60,
                               help_text=_("e.g. Officer, Organisation Department, Tianhe District League Committee"))
    proof = forms.FileField(label=_("Supporting documents (appointment letter or work ID, PDF/JPG/PNG, up to 5 MB)"),
                            required=False)
    sensitive_consent = forms.BooleanField(
        label=_("I separately consent to the platform processing my real name, position and supporting documents "
                "(sensitive personal information) to verify my League cadre identity"), required=False)

    def __init__(self, *args, **kwargs):
        from organizations.models import Organization

        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(is_active=True).order_by("path")


def current_year() -> int:
    return _tz.localdate().year
