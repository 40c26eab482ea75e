from django import forms
from django.conf import settings
from django.forms import inlineformset_factory

from meetings.models import WorkingCalendar, WorkingPeriod, time_zone_choices


class WorkingCalendarForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=time_zone_choices)

    class Meta:
        model = WorkingCalendar
        fields = ["time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].label = WorkingCalendar._meta.get_field("time_zone").verbose_name
        if self.instance.pk is None:
            self.initial.setdefault("time_zone", settings.TIME_ZONE)


WorkingPeriodFormSet = inlineformset_factory(
    WorkingCalendar, WorkingPeriod, fields=["weekday", "starts", "ends"], extra=2, can_delete=True,
    widgets={"starts": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
             "ends": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")},
)
