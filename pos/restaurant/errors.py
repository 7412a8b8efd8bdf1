"""Errors of restaurant mode; the JSON API turns them into 4xx."""

from core.errors import SouthernPOSError


class RestaurantError(SouthernPOSError):
    code = "restaurant"


class NotFoundError(RestaurantError):
    code = "not_found"
    status = 404


class VersionConflictError(RestaurantError):
    """La orden cambió en otro dispositivo."""

    code = "version_conflict"
    status = 409


class TableBusyError(RestaurantError):
    code = "table_busy"
    status = 409


class ItemError(RestaurantError):
    code = "invalid_item"


class NoStationError(RestaurantError):
    code = "no_station"
    status = 409


class BillError(RestaurantError):
    code = "invalid_bill"
    status = 409
