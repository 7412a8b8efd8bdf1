"""A local fake of the SRI offline SOAP services, for tests.

A real HTTP server on 127.0.0.1 (random port, own thread) that answers
validarComprobante and autorizacionComprobante like SRI does, with answers
programmable per clave de acceso. It behaves like the real service by
default: a first valid send is RECIBIDA and then AUTORIZADO; a second send of
a registered clave is DEVUELTA 43 "CLAVE ACCESO REGISTRADA". Every request is
recorded so tests can prove that nothing is sent twice and nothing is lost.

Programmable outcomes (queued per clave, consumed one per call):
  reception:     "RECIBIDA", ("DEVUELTA", code), "DROP", "DROP_AFTER_RECEIVE"
  authorization: "AUTORIZADO", ("NO AUTORIZADO", code), "EN PROCESO",
                 "NOT_FOUND", "DROP"
"""

import base64
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

ECUADOR = timezone(timedelta(hours=-5))

MESSAGES = {
    "35": ("ARCHIVO NO CUMPLE ESTRUCTURA XML", "ERROR"),
    "39": ("FIRMA INVALIDA", "ERROR"),
    "43": ("CLAVE ACCESO REGISTRADA", "ERROR"),
    "45": ("SECUENCIAL REGISTRADO", "ERROR"),
    "70": ("CLAVE DE ACCESO EN PROCESAMIENTO", "ERROR"),
}


@dataclass
class Received:
    access_key: str
    xml: bytes
    outcome: str


@dataclass
class FakeSri:
    reception_plan: dict = field(default_factory=lambda: defaultdict(deque))
    authorization_plan: dict = field(default_factory=lambda: defaultdict(deque))
    sends: list = field(default_factory=list)  # every validarComprobante call
    queries: list = field(default_factory=list)  # every autorizacionComprobante
    registered: dict = field(default_factory=dict)  # clave -> xml SRI accepted
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def program(self, access_key: str, *, reception=(), authorization=()) -> None:
        with self.lock:
            self.reception_plan[access_key].extend(reception)
            self.authorization_plan[access_key].extend(authorization)

    def sends_of(self, access_key: str) -> list:
        return [s for s in self.sends if s.access_key == access_key]

    def registrations_of(self, access_key: str) -> int:
        """How many sends SRI accepted (RECIBIDA) for this clave: must stay <= 1."""
        accepted = ("RECIBIDA", "DROP_AFTER_RECEIVE")
        return sum(1 for s in self.sends_of(access_key) if s.outcome in accepted)

    # -- Recepción ------------------------------------------------------

    def reception_answer(self, signed_xml: bytes) -> str | None:
        key = _access_key_of(signed_xml)
        with self.lock:
            planned = self._next(self.reception_plan, key)
            outcome = self._reception_outcome(key, signed_xml, planned)
            self.sends.append(Received(key, signed_xml, outcome))
        if outcome in ("DROP", "DROP_AFTER_RECEIVE"):
            return None
        if outcome == "RECIBIDA":
            return _reception_xml("RECIBIDA", key, [])
        return _reception_xml("DEVUELTA", key, [outcome.split(":")[1]])

    def _reception_outcome(self, key, signed_xml, planned) -> str:
        if planned == "DROP":
            return planned
        if planned == "DROP_AFTER_RECEIVE":  # SRI got it, the answer is lost
            self.registered[key] = signed_xml
            return planned
        if isinstance(planned, tuple):
            return f"DEVUELTA:{planned[1]}"
        if key in self.registered:
            return "DEVUELTA:43"
        if key is None:
            return "DEVUELTA:35"
        self.registered[key] = signed_xml
        return "RECIBIDA"

    # -- Autorización ---------------------------------------------------

    def authorization_answer(self, key: str) -> str | None:
        with self.lock:
            self.queries.append(key)
            planned = self._next(self.authorization_plan, key)
            known = self.registered.get(key)
        if planned == "DROP":
            return None
        if planned == "NOT_FOUND" or (planned is None and known is None):
            return _authorization_xml(key, None)
        if planned == "EN PROCESO":
            return _authorization_xml(key, ("EN PROCESO", None, known))
        if isinstance(planned, tuple):
            return _authorization_xml(key, ("NO AUTORIZADO", planned[1], known))
        return _authorization_xml(key, ("AUTORIZADO", None, known))

    @staticmethod
    def _next(plan, key):
        queue = plan.get(key)
        return queue.popleft() if queue else None


def _access_key_of(signed_xml: bytes) -> str | None:
    try:
        return etree.fromstring(signed_xml).findtext("infoTributaria/claveAcceso")
    except etree.XMLSyntaxError:
        return None


def _message_xml(code: str) -> str:
    text, kind = MESSAGES[code]
    return (
        f"<mensaje><identificador>{code}</identificador><mensaje>{text}</mensaje>"
        f"<informacionAdicional>Detalle de prueba {code}</informacionAdicional>"
        f"<tipo>{kind}</tipo></mensaje>"
    )


def _soap(body: str) -> str:
    return (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    )


def _reception_xml(estado: str, key: str | None, codes: list[str]) -> str:
    messages = "".join(_message_xml(c) for c in codes)
    return _soap(
        '<ns2:validarComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.recepcion">'
        f"<RespuestaRecepcionComprobante><estado>{estado}</estado><comprobantes>"
        f"<comprobante><claveAcceso>{key or ''}</claveAcceso>"
        f"<mensajes>{messages}</mensajes></comprobante></comprobantes>"
        "</RespuestaRecepcionComprobante></ns2:validarComprobanteResponse>"
    )


def _authorization_xml(key: str, verdict) -> str:
    items = ""
    if verdict is not None:
        estado, code, document = verdict
        number = key if estado == "AUTORIZADO" else ""
        when = datetime.now(ECUADOR).isoformat(timespec="seconds")
        # SRI wraps the authorised document in CDATA
        text = (document or b"").decode("utf-8").replace("]]>", "]]]]><![CDATA[>")
        comprobante = f"<![CDATA[{text}]]>"
        messages = _message_xml(code) if code else ""
        items = (
            f"<autorizacion><estado>{estado}</estado>"
            f"<numeroAutorizacion>{number}</numeroAutorizacion>"
            f"<fechaAutorizacion>{when}</fechaAutorizacion><ambiente>PRUEBAS</ambiente>"
            f"<comprobante>{comprobante}</comprobante>"
            f"<mensajes>{messages}</mensajes></autorizacion>"
        )
    return _soap(
        '<ns2:autorizacionComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.autorizacion">'
        f"<RespuestaAutorizacionComprobante><claveAccesoConsultada>{key}"
        f"</claveAccesoConsultada><numeroComprobantes>{1 if items else 0}"
        f"</numeroComprobantes><autorizaciones>{items}</autorizaciones>"
        "</RespuestaAutorizacionComprobante></ns2:autorizacionComprobanteResponse>"
    )


def _handler_for(fake: FakeSri):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            answer = self._dispatch(body)
            if answer is None:  # drop: close without any HTTP response
                self.close_connection = True
                self.connection.shutdown(2)
                return
            data = answer.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/xml;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _dispatch(self, body: bytes) -> str | None:
            call = etree.fromstring(body).find(
                "{http://schemas.xmlsoap.org/soap/envelope/}Body"
            )[0]
            if self.path.endswith("RecepcionComprobantesOffline"):
                return fake.reception_answer(base64.b64decode(call.findtext("xml")))
            if self.path.endswith("AutorizacionComprobantesOffline"):
                return fake.authorization_answer(
                    call.findtext("claveAccesoComprobante")
                )
            return _soap(
                "<soap:Fault><faultstring>unknown service</faultstring></soap:Fault>"
            )

        def log_message(self, format, *args):  # silence the test output
            pass

    return Handler


class FakeSriServer:
    """Context manager running a FakeSri on 127.0.0.1 in a daemon thread."""

    def __init__(self):
        self.fake = FakeSri()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self.fake))
        self._server.daemon_threads = True
        host, port = self._server.server_address
        self.fake.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSri:
        self._thread.start()
        return self.fake

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
