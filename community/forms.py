from django import forms
from django.utils.translation import gettext_lazy as _

from core.domains import ServiceDomain

from .models import Outcome, QuestionTag


class AskForm(forms.Form):
    title = forms.CharField(label=_("Your question"), max_length=200,
                            help_text=_("One sentence, e.g. 实习单位不签合同怎么办？"))
    body = forms.CharField(label=_("Details"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    domain = forms.ChoiceField(label=_("Domain"), choices=ServiceDomain.choices)
    tags = forms.ModelMultipleChoiceField(label=_("Tags"), required=False, queryset=QuestionTag.objects.order_by("name"),
                                          to_field_name="name", widget=forms.CheckboxSelectMultiple)
    is_anonymous = forms.BooleanField(label=_("Ask anonymously (staff still see who you are)"), required=False)
    org_q = forms.CharField(label=_("Find an organisation by name"), required=False, max_length=40)
    organization = forms.ModelChoiceField(
        label=_("Where you are asking from"), required=False, queryset=None,
        help_text=_("The League organisation that should answer: your own place by default."))
    target_expert = forms.IntegerField(required=False, widget=forms.HiddenInput)
    target_organization = forms.IntegerField(required=False, widget=forms.HiddenInput)
    target_station = forms.IntegerField(required=False, widget=forms.HiddenInput)


    def __init__(self, *args, org_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        from organizations.models import Organization

        self.fields["organization"].queryset = Organization.objects.filter(is_active=True).order_by("path")
        if org_choices is not None:  # a search by name narrows what is shown (the field still validates any)
            self.fields["organization"].choices = [("", "—")] + [(o.pk, o.name) for o in org_choices]


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Your answer"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))
    source = forms.CharField(label=_("Source / citation"), required=False, max_length=600)
    is_copied = forms.BooleanField(label=_("Copied from elsewhere (a source is then required)"), required=False)
    as_organization = forms.IntegerField(required=False)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices)
    rating = forms.IntegerField(required=False, min_value=1, max_value=5)
