from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from .models import RealNameStatus


class ProfileFieldsMixin(forms.Form):
    """The Youth Voice fields shown in Wagtail's user admin (province-level admins only)."""

    phone = forms.CharField(label=_("mobile number"), max_length=11, required=False)
    display_name = forms.CharField(label=_("display name"), max_length=40, required=False)
    real_name = forms.CharField(label=_("real name"), max_length=40, required=False)
    real_name_status = forms.ChoiceField(label=_("real-name verification"), choices=RealNameStatus.choices)

    def clean_phone(self):
        return self.cleaned_data["phone"] or None

    def clean_display_name(self):
        """A display name is public (answers, comments, ratings): the one screening of public text."""
        from moderation.services import screen_public_texts
        from youthvoice.errors import ServiceError

        name = self.cleaned_data["display_name"]
        if not name:
            return name
        try:
            return screen_public_texts({"display_name": name})["display_name"]
        except ServiceError as exc:
            raise forms.ValidationError(exc.zh) from exc


class UserEditForm(ProfileFieldsMixin, WagtailUserEditForm):
    pass


class UserCreationForm(ProfileFieldsMixin, WagtailUserCreationForm):
    pass




class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("6-digit code from your authenticator app"), regex=r"^\s*\d{6}\s*$", max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
        error_messages={"invalid": _("Enter the 6 digits shown in your authenticator app.")},
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip()
