from django import forms


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that only validates: the service builds and saves the object, so the form
    neither copies values onto the instance nor runs the model's checks a second time."""

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
