"""Protected fields: personal data as a type (CONVENTIONS §4).

A ``ProtectedField`` stores ciphertext. Reading it gives a ``ProtectedValue`` whose ``str()`` is
the masked form, so templates, serializers and exports show the masked value unless code asks for
the plain one on purpose (``.reveal()``, which only services call, and which they audit).
A ``BlindIndexField(source=...)`` beside it keeps the keyed hash of the plain value, so exact
search works without decrypting anything.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from qiaolian.core import crypto
from qiaolian.core.fields import NoPatternIndexMixin
from qiaolian.core.masking import mask


class ProtectedValue:
    __slots__ = ("_plain", "_token", "kind")

    def __init__(self, kind: str, *, plain: str | None = None, token: str | None = None):
        self.kind = kind
        self._plain = plain
        self._token = token

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = crypto.encrypt(self._plain or "")
        return self._token

    def reveal(self) -> str:
        """The plain value. Callers outside services must not use this (see ``reveal`` services)."""
        if self._plain is None:
            self._plain = crypto.decrypt(self._token or "")
        return self._plain

    reveal.do_not_call_in_templates = True  # type: ignore[attr-defined]

    @property
    def masked(self) -> str:
        return mask(self.kind, self.reveal())

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<ProtectedValue {self.kind} {self.masked}>"

    def __bool__(self) -> bool:
        return bool(self.reveal())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ProtectedValue):
            return self.kind == other.kind and self.reveal() == other.reveal()
        if isinstance(other, str):
            return self.reveal() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.kind, self.reveal()))


class _ProtectedDescriptor:
    """Wraps plain strings on assignment, so even an unsaved value renders masked."""

    def __init__(self, field: ProtectedField):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return instance.__dict__.get(self.field.attname)

    def __set__(self, instance, value):
        field = self.field
        if value is None or value == "":
            value = None
        elif isinstance(value, str):
            value = ProtectedValue(field.kind, plain=value)
        instance.__dict__[field.attname] = value


class ProtectedField(models.TextField):
    """Encrypted text. ``kind`` chooses the masking rule and the blind-index key."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any):
        self.kind = kind
        kwargs.setdefault("blank", True)
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, _ProtectedDescriptor(self))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        return ProtectedValue(self.kind, token=value)

    def to_python(self, value):
        if value is None or isinstance(value, ProtectedValue):
            return value
        return ProtectedValue(self.kind, plain=str(value))

    def get_prep_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = ProtectedValue(self.kind, plain=value)
        return value.token

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return str(value) if value else ""

    def get_lookup(self, lookup_name):
        # Ciphertext cannot be compared: search goes through the blind index.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def formfield(self, **kwargs):
        from django import forms

        kwargs.setdefault("form_class", forms.CharField)
        kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)


class BlindIndexField(NoPatternIndexMixin, models.CharField):
    """HMAC (hex) of the protected field ``source``, computed when the row is saved, indexed for
    exact lookup. A value loaded from the database and not changed keeps its stored hash."""

    def __init__(self, *args: Any, source: str, **kwargs: Any):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source)
        if value is None:
            digest = None
        elif value._plain is None:  # unchanged since loaded: the stored hash still holds
            digest = getattr(model_instance, self.attname)
        else:
            source_field = model_instance._meta.get_field(self.source)
            digest = crypto.blind_index(source_field.kind, value.reveal())
        setattr(model_instance, self.attname, digest)
        return digest


def lookup_hash(kind: str, normalized: str) -> str:
    return crypto.blind_index(kind, normalized)
