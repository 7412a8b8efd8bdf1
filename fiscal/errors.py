"""Fiscal (SRI) errors; their base `SouthernPOSError` lives in `core.errors`."""

from core.errors import SouthernPOSError


class FiscalError(SouthernPOSError):
    """A fiscal (SRI) rule prevents the operation."""

    code = "fiscal_error"


class CertificateMissingError(FiscalError):
    """La empresa no tiene un certificado de firma electrónica activo."""

    code = "certificate_missing"


class CertificateInvalidError(FiscalError):
    """El archivo .p12 o su contraseña no son válidos."""

    code = "certificate_invalid"


class CertificateKeyMissingError(FiscalError):
    """The server cannot encrypt signature files (FISCAL_CERT_KEY unset or invalid)."""

    code = "certificate_key_missing"
    status = 503


class DocumentStateError(FiscalError):
    """El comprobante no está en un estado que permita esta acción."""

    code = "document_state"


class ConsumidorFinalLimitError(FiscalError):
    """Identifique al cliente: el monto supera el límite de consumidor final."""

    code = "final_consumer_limit"
    field = "customer"
