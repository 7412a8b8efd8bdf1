"""Client for the SRI offline web services (Recepción and Autorización).

Plain SOAP 1.1 over HTTP POST with lxml parsing: the two operations are tiny
and a WSDL toolkit would add a dependency and a network fetch of the WSDL.
Endpoints are the soap:address paths of the official WSDLs
(published by the SRI) on the pruebas (celcer) or producción (cel) host, or on a
base URL given explicitly (the local fake in tests).
"""

import base64
import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

NS_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS_RECEPCION = "http://ec.gob.sri.ws.recepcion"
NS_AUTORIZACION = "http://ec.gob.sri.ws.autorizacion"

RECEPCION_PATH = "/comprobantes-electronicos-ws/RecepcionComprobantesOffline"
AUTORIZACION_PATH = "/comprobantes-electronicos-ws/AutorizacionComprobantesOffline"
BASE_URLS = {
    "1": "https://celcer.sri.gob.ec",  # pruebas
    "2": "https://cel.sri.gob.ec",  # producción
}

RECIBIDA = "RECIBIDA"
DEVUELTA = "DEVUELTA"
AUTORIZADO = "AUTORIZADO"
NO_AUTORIZADO = "NO AUTORIZADO"
EN_PROCESO = "EN PROCESO"

# Recepción answers that mean "SRI already has this clave": ask for the
# authorisation instead of sending the document again.
CODE_CLAVE_REGISTRADA = "43"
CODE_EN_PROCESAMIENTO = "70"
ALREADY_KNOWN_CODES = frozenset({CODE_CLAVE_REGISTRADA, CODE_EN_PROCESAMIENTO})

DEFAULT_TIMEOUT = 20  # seconds; SRI pruebas is often slow


class SriError(Exception):
    """Base of every SRI web-service failure."""


class SriUnavailableError(SriError):
    """Network failure, timeout, HTTP 5xx or garbled answer: retry later."""

    retryable = True


@dataclass(frozen=True)
class SriMessage:
    identificador: str
    mensaje: str
    informacion_adicional: str = ""
    tipo: str = ""

    def __str__(self) -> str:
        extra = f" ({self.informacion_adicional})" if self.informacion_adicional else ""
        return f"[{self.identificador}] {self.mensaje}{extra}"


@dataclass(frozen=True)
class ReceptionResult:
    estado: str
    access_key: str
    mensajes: tuple[SriMessage, ...]

    @property
    def received(self) -> bool:
        return self.estado == RECIBIDA

    @property
    def already_known(self) -> bool:
        """DEVUELTA only because SRI already holds (or is processing) this clave."""
        codes = {m.identificador for m in self.mensajes}
        return self.estado == DEVUELTA and bool(codes) and codes <= ALREADY_KNOWN_CODES


@dataclass(frozen=True)
class Authorization:
    estado: str
    numero: str
    fecha: datetime | None
    ambiente: str
    comprobante: str
    mensajes: tuple[SriMessage, ...]

    @property
    def authorised(self) -> bool:
        return self.estado == AUTORIZADO


@dataclass(frozen=True)
class AuthorizationResult:
    access_key: str
    authorizations: tuple[Authorization, ...]

    @property
    def current(self) -> Authorization | None:
        """The authorisation that counts: an AUTORIZADO one wins, else the latest."""
        for item in self.authorizations:
            if item.authorised:
                return item
        return self.authorizations[-1] if self.authorizations else None

    @property
    def pending(self) -> bool:
        """SRI has no verdict yet (nothing found, or EN PROCESO)."""
        return self.current is None or self.current.estado == EN_PROCESO


def _envelope(namespace: str, operation: str, field: str, value: str) -> bytes:
    envelope = etree.Element(
        f"{{{NS_SOAP}}}Envelope", nsmap={"soapenv": NS_SOAP, "ec": namespace}
    )
    etree.SubElement(envelope, f"{{{NS_SOAP}}}Header")
    body = etree.SubElement(envelope, f"{{{NS_SOAP}}}Body")
    call = etree.SubElement(body, f"{{{namespace}}}{operation}")
    etree.SubElement(call, field).text = value  # unqualified, as the WSDL says
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _local_tree(data: bytes):
    """Parse a SOAP answer and drop namespaces: SRI mixes (un)qualified names."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise SriUnavailableError(f"SRI answered with malformed XML: {exc}") from exc
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    return root


def _text(element, path: str) -> str:
    return (element.findtext(path) or "").strip()


def _messages(parent) -> tuple[SriMessage, ...]:
    if parent is None:
        return ()
    return tuple(
        SriMessage(
            identificador=_text(m, "identificador"),
            mensaje=_text(m, "mensaje"),
            informacion_adicional=_text(m, "informacionAdicional"),
            tipo=_text(m, "tipo"),
        )
        for m in parent.iterfind("mensajes/mensaje")
    )


def reception_parse(data: bytes) -> ReceptionResult:
    answer = _local_tree(data).find(".//RespuestaRecepcionComprobante")
    if answer is None:
        raise SriUnavailableError(
            "SRI Recepción answer without RespuestaRecepcionComprobante"
        )
    comprobante = answer.find("comprobantes/comprobante")
    return ReceptionResult(
        estado=_text(answer, "estado"),
        access_key=_text(comprobante, "claveAcceso") if comprobante is not None else "",
        mensajes=_messages(comprobante),
    )


def _datetime_parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def authorization_parse(data: bytes) -> AuthorizationResult:
    answer = _local_tree(data).find(".//RespuestaAutorizacionComprobante")
    if answer is None:
        raise SriUnavailableError("SRI Autorización answer without a response element")
    items = tuple(
        Authorization(
            estado=_text(item, "estado"),
            numero=_text(item, "numeroAutorizacion"),
            fecha=_datetime_parse(_text(item, "fechaAutorizacion")),
            ambiente=_text(item, "ambiente"),
            comprobante=item.findtext("comprobante") or "",
            mensajes=_messages(item),
        )
        for item in answer.iterfind("autorizaciones/autorizacion")
    )
    return AuthorizationResult(_text(answer, "claveAccesoConsultada"), items)


class SriClient:
    """Talk to Recepción and Autorización for one ambiente (or a base URL)."""

    def __init__(
        self,
        *,
        ambiente: str = "1",
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ):
        self.base_url = (base_url or BASE_URLS[ambiente]).rstrip("/")
        if not self.base_url.startswith(("https://", "http://")):
            raise ValueError(f"SRI base URL must be http(s): {self.base_url!r}")
        self.timeout = timeout

    def comprobante_send(self, signed_xml: bytes) -> ReceptionResult:
        """Send one signed comprobante to Recepción (validarComprobante)."""
        payload = base64.b64encode(signed_xml).decode("ascii")
        body = _envelope(NS_RECEPCION, "validarComprobante", "xml", payload)
        return reception_parse(self._post(RECEPCION_PATH, body))

    def authorization_query(self, access_key: str) -> AuthorizationResult:
        """Ask Autorización for the verdict on one clave de acceso."""
        body = _envelope(
            NS_AUTORIZACION,
            "autorizacionComprobante",
            "claveAccesoComprobante",
            access_key,
        )
        return authorization_parse(self._post(AUTORIZACION_PATH, body))

    def _post(self, path: str, body: bytes) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.base_url + path,
            data=body,
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.read()
        except urllib.error.HTTPError as exc:
            raise SriUnavailableError(f"SRI answered HTTP {exc.code}") from exc
        except (
            TimeoutError,
            urllib.error.URLError,
            http.client.HTTPException,
            OSError,
        ) as exc:
            raise SriUnavailableError(f"SRI unreachable: {exc}") from exc
