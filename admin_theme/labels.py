"""Spanish (translatable) labels for model fields declared without verbose_name.

Django derives such a label from the field name ("created at", "category"),
in English and outside gettext, and the back office showed it in column
headers, filters and forms. Setting verbose_name in the models would be the
natural fix, but it changes no schema and would still need a migration in
every app; the label is presentation, so it is set here, at start-up, without
touching what migrations see (`Field._verbose_name` stays as declared).

A relation takes the verbose name of the model it points to; other fields
take their name's entry in FIELD_LABELS. tests/i18n/test_labels.py fails on a
field that gets neither, so new fields need a verbose_name.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

APP_LABELS = ("tenancy", "catalog", "customers", "inventory", "pos", "fiscal")

FIELD_LABELS = {
    "created_at": _("creado"),
    "updated_at": _("actualizado"),
    "history_id": _("id del historial"),
    "history_date": _("fecha del cambio"),
    "history_type": _("tipo de cambio"),
    "history_change_reason": _("motivo del cambio"),
    "lease_until": _("reservado hasta"),
    "p12_encrypted": _("archivo .p12 (cifrado)"),
    "password_encrypted": _("contraseña (cifrada)"),
    "thumbnail": _("miniatura"),
}


def unnamed_fields(app_labels=APP_LABELS):
    """Concrete fields of our models that were declared without verbose_name."""
    for model in apps.get_models():
        if model._meta.app_label not in app_labels:
            continue
        for field in model._meta.get_fields():
            if getattr(field, "concrete", False) and field._verbose_name is None:
                yield field


def label_for(field):
    if field.name in FIELD_LABELS:
        return FIELD_LABELS[field.name]
    if field.is_relation and field.related_model is not None:
        return field.related_model._meta.verbose_name
    return None


def label_unnamed_fields() -> None:
    for field in unnamed_fields():
        if (label := label_for(field)) is not None:
            field.verbose_name = label
