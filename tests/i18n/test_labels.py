"""Every field of our models has a translatable label (no English field names)."""

from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

from admin_theme import labels


def _our_fields():
    for model in apps.get_models():
        if model._meta.app_label in labels.APP_LABELS:
            for field in model._meta.get_fields():
                if getattr(field, "concrete", False):
                    yield model, field


def test_every_field_label_goes_through_gettext():
    plain = [
        f"{model._meta.label}.{field.name}"
        for model, field in _our_fields()
        if not isinstance(field.verbose_name, Promise)
        and field.name != "id"  # Django's automatic "ID": the same in both
    ]
    assert plain == [], "declare verbose_name=_('…') on these fields"


def test_unnamed_fields_read_in_both_languages():
    from backoffice.catalog.models import Product
    from backoffice.inventory.models import StockMove

    category = Product._meta.get_field("category")
    created = StockMove._meta.get_field("created_at")
    with translation.override("es-ec"):
        assert (str(category.verbose_name), str(created.verbose_name)) == (
            "categoría",
            "creado",
        )
    with translation.override("en"):
        assert (str(category.verbose_name), str(created.verbose_name)) == (
            "category",
            "created",
        )


def test_labels_leave_migrations_alone():
    """The label is presentation: what migrations deconstruct is unchanged."""
    from backoffice.catalog.models import Product

    field = Product._meta.get_field("category")
    assert "verbose_name" not in field.deconstruct()[3]
