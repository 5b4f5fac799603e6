from django.db import models


class LowercaseSlugField(models.SlugField):
    """A slug kept in lower case, so URLs and filters (which lower-case their input) always find it.

    Forms and saves lower-case the value; lookups lower-case what they compare with.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.lower() if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value.lower() if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str) and value != value.lower():
            value = value.lower()
            setattr(model_instance, self.attname, value)
        return value
