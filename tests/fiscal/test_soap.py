import re
import socket
from pathlib import Path

import pytest

from fiscal.sri.soap import (
    AUTORIZACION_PATH,
    BASE_URLS,
    RECEPCION_PATH,
    SriClient,
    SriUnavailableError,
    authorization_parse,
)
from tests.sri_official import SAMPLES_DIR, WSDL_DIR

SIGNED_SAMPLE = SAMPLES_DIR / "ec-sri-invoice-signer/invoice/signed.xml"
KEY = "1804202401123456789000110010010000000051234567816"


@pytest.fixture
def signed_xml():
    assert SIGNED_SAMPLE.is_file(), f"public signed sample not at {SIGNED_SAMPLE}"
    return SIGNED_SAMPLE.read_bytes()


@pytest.fixture
def client(fake_sri):
    return SriClient(base_url=fake_sri.base_url, timeout=2)


@pytest.mark.xsd  # the official WSDLs live beside the schemas
@pytest.mark.parametrize(
    ("wsdl", "path"),
    [
        ("RecepcionComprobantesOffline.wsdl", RECEPCION_PATH),
        ("AutorizacionComprobantesOffline.wsdl", AUTORIZACION_PATH),
    ],
)
def test_endpoint_paths_match_the_official_wsdls(wsdl, path):
    file = WSDL_DIR / wsdl
    assert file.is_file(), f"WSDL not found at {file}"
    location = re.search(r'soap:address location="([^"]+)"', file.read_text()).group(1)
    assert location.endswith(path)


def test_ambiente_selects_pruebas_or_produccion_host():
    assert SriClient(ambiente="1").base_url == "https://celcer.sri.gob.ec"
    assert SriClient(ambiente="2").base_url == "https://cel.sri.gob.ec"
    assert BASE_URLS.keys() == {"1", "2"}


@pytest.mark.xsd  # the SRI public signed sample
def test_send_recibida_then_authorised(client, fake_sri, signed_xml):
    result = client.comprobante_send(signed_xml)
    assert result.received and result.access_key == KEY and result.mensajes == ()
    answer = client.authorization_query(KEY)
    assert not answer.pending
    assert answer.current.authorised
    assert answer.current.numero == KEY
    assert answer.current.fecha is not None and answer.current.fecha.utcoffset()
    assert f"<claveAcceso>{KEY}</claveAcceso>" in answer.current.comprobante
    assert answer.current.comprobante.rstrip().endswith("</factura>")
    assert [s.access_key for s in fake_sri.sends] == [KEY]


@pytest.mark.xsd  # the SRI public signed sample
def test_second_send_is_devuelta_43_and_flagged_already_known(client, signed_xml):
    client.comprobante_send(signed_xml)
    again = client.comprobante_send(signed_xml)
    assert again.estado == "DEVUELTA"
    assert again.already_known
    assert again.mensajes[0].identificador == "43"
    assert again.mensajes[0].mensaje == "CLAVE ACCESO REGISTRADA"
    assert again.mensajes[0].informacion_adicional == "Detalle de prueba 43"
    assert again.mensajes[0].tipo == "ERROR"


@pytest.mark.xsd  # the SRI public signed sample
def test_en_procesamiento_70_is_already_known(client, fake_sri, signed_xml):
    fake_sri.program(KEY, reception=[("DEVUELTA", "70")])
    assert client.comprobante_send(signed_xml).already_known


@pytest.mark.xsd  # the SRI public signed sample
def test_structure_error_35_is_a_real_rejection(client, fake_sri, signed_xml):
    fake_sri.program(KEY, reception=[("DEVUELTA", "35")])
    result = client.comprobante_send(signed_xml)
    assert result.estado == "DEVUELTA" and not result.already_known
    assert str(result.mensajes[0]).startswith("[35] ARCHIVO NO CUMPLE ESTRUCTURA XML")


@pytest.mark.xsd  # the SRI public signed sample
def test_no_autorizado_carries_the_firma_invalida_message(client, fake_sri, signed_xml):
    fake_sri.program(KEY, authorization=[("NO AUTORIZADO", "39")])
    client.comprobante_send(signed_xml)
    current = client.authorization_query(KEY).current
    assert current.estado == "NO AUTORIZADO" and not current.authorised
    assert (current.mensajes[0].identificador, current.mensajes[0].mensaje) == (
        "39",
        "FIRMA INVALIDA",
    )


@pytest.mark.xsd  # the SRI public signed sample
def test_en_proceso_and_unknown_are_pending(client, fake_sri, signed_xml):
    assert client.authorization_query(KEY).pending  # nothing sent yet
    fake_sri.program(KEY, authorization=["EN PROCESO"])
    client.comprobante_send(signed_xml)
    assert client.authorization_query(KEY).pending
    assert not client.authorization_query(KEY).pending


@pytest.mark.xsd  # the SRI public signed sample
def test_dropped_connection_raises_retryable_error(client, fake_sri, signed_xml):
    fake_sri.program(KEY, reception=["DROP"], authorization=["DROP"])
    with pytest.raises(SriUnavailableError) as info:
        client.comprobante_send(signed_xml)
    assert info.value.retryable
    with pytest.raises(SriUnavailableError):
        client.authorization_query(KEY)


def test_refused_connection_raises_retryable_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SriClient(base_url=f"http://127.0.0.1:{port}", timeout=1)
    with pytest.raises(SriUnavailableError, match="unreachable"):
        client.authorization_query(KEY)


def test_timeout_raises_retryable_error():
    with socket.socket() as silent:  # accepts TCP but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        client = SriClient(base_url=f"http://127.0.0.1:{port}", timeout=0.3)
        with pytest.raises(SriUnavailableError):
            client.authorization_query(KEY)


def test_garbled_answer_raises_retryable_error():
    with pytest.raises(SriUnavailableError, match="malformed"):
        authorization_parse(b"<html>502 Bad Gateway")


def test_parses_a_real_style_answer_with_cdata_and_namespaces():
    answer = Path(__file__).with_name("data") / "autorizacion_autorizado.xml"
    result = authorization_parse(answer.read_bytes())
    assert result.access_key == KEY
    assert result.current.numero == KEY
    assert result.current.fecha.isoformat() == "2024-04-18T14:40:11-05:00"
    assert result.current.comprobante.startswith("<?xml")
