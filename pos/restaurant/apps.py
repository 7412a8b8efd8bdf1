from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestaurantConfig(AppConfig):
    name = "pos.restaurant"
    label = "restaurant"
    verbose_name = _("Restaurante")
