"""Errors of the counter. The API turns them into `{"error", "detail", "field"}`."""

from core.errors import SouthernPOSError
from fiscal.errors import ConsumidorFinalLimitError


class SaleInputError(SouthernPOSError):
    """Datos de la venta no válidos."""

    code = "invalid_sale"


class UnknownProductError(SaleInputError):
    code = "unknown_product"


class UnknownModifierError(SaleInputError):
    code = "unknown_modifier"


class InvalidModifiersError(SaleInputError):
    """Modifier choices outside a group's minimum or maximum."""

    code = "invalid_modifiers"


class UnknownCustomerError(SaleInputError):
    code = "unknown_customer"


class UnknownEmissionPointError(SaleInputError):
    """An emission point that is not the business's, or not active (the API
    answers `invalid_sale`, as docs/pos-api.md says)."""


class PaymentError(SaleInputError):
    code = "invalid_payment"


# The rule is fiscal's (fiscal.services.consumidor_final_check); one error class.
FinalConsumerLimitError = ConsumidorFinalLimitError


class IdempotencyKeyReusedError(SouthernPOSError):
    """La clave de idempotencia ya se usó con otra venta."""

    code = "idempotency_key_reused"
    status = 409


class CashSessionClosedError(SouthernPOSError):
    """No hay una caja abierta en este punto de emisión."""

    code = "cash_session_closed"
    status = 409


class CashSessionError(SouthernPOSError):
    code = "cash_session"
    status = 409


class VoidNotAllowedError(SouthernPOSError):
    """No tiene permiso para anular ventas."""

    code = "void_not_allowed"
    status = 403


class AlreadyVoidedError(SouthernPOSError):
    """La venta ya fue anulada."""

    code = "already_voided"
    status = 409


class DiscountNotAllowedError(SouthernPOSError):
    """El descuento supera el máximo permitido al cajero."""

    code = "discount_not_allowed"
    status = 403


class SaleReturnedError(SouthernPOSError):
    """La venta tiene devoluciones."""

    code = "sale_returned"
    status = 409


class ReturnInputError(SouthernPOSError):
    """Devolución no válida."""

    code = "invalid_return"


class ReturnNotAllowedError(SouthernPOSError):
    """No tiene permiso para registrar devoluciones."""

    code = "return_not_allowed"
    status = 403


class CustomerInputError(SouthernPOSError):
    """Cliente no válido (quick-add at the counter)."""

    code = "invalid_customer"


class VoidInputError(SouthernPOSError):
    code = "invalid_void"


class NotFoundError(SouthernPOSError):
    """No encontrado."""

    code = "not_found"
    status = 404


class InvalidJsonError(SouthernPOSError):
    """El cuerpo no es JSON válido."""

    code = "invalid_json"


class BodyTooLargeError(SouthernPOSError):
    """El cuerpo de la solicitud es demasiado grande."""

    code = "body_too_large"
    status = 413


class CashInputError(CashSessionError):
    """Datos de caja no válidos (a 400: the request, not the drawer's state)."""

    code = "invalid_cash"
    status = 400


class QueryError(SouthernPOSError):
    """Búsqueda no válida."""

    code = "invalid_query"


class PinLockedError(VoidNotAllowedError):
    """Demasiados intentos fallidos de PIN de supervisor."""

    code = "pin_locked"
    status = 429
