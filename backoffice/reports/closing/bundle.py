"""The month's bundle for the accountant, streamed as a zip.

Authorised XML (named by clave de acceso) and RIDE PDFs are read a chunk of
documents at a time (keyset on the id, XML columns of that chunk only), so a
month of 20,000 documents never sits in memory; the zip is written to a sink
that hands each chunk's bytes to the response as soon as they exist.
"""

import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _

from backoffice.tenancy.context import tenant_context
from fiscal.exports import documents_xlsx, month_ats, sales_by_rate_xlsx
from fiscal.models import DocState
from fiscal.services import edoc_ride

from .checks import month_checks
from .numbers import month_documents

CHUNK = 200
LIGHT = ("xml", "signed_xml", "authorised_xml")  # not needed by the workbooks


class _Sink:
    """A write-only file for ZipFile whose bytes are taken as they come."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def _authorised_chunks(business, year: int, month: int) -> Iterator[list]:
    last = 0
    while True:
        with tenant_context(business):
            chunk = list(
                month_documents(business=business, year=year, month=month)
                .filter(state=DocState.AUTHORISED, pk__gt=last)
                .only(
                    "pk",
                    "business_id",
                    "access_key",
                    "authorised_xml",
                    "payload",
                    "authorization_number",
                    "authorized_at",
                )
                .order_by("pk")[:CHUNK]
            )
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def bundle_name(business, year: int, month: int) -> str:
    return f"cierre-{business.ruc}-{year:04d}-{month:02d}.zip"


def _summary(business, year: int, month: int) -> bytes:
    report = month_checks(business=business, year=year, month=month)
    lines = [
        f"{business.razon_social} · RUC {business.ruc} · {report.label}",
        _("Comprobantes: %(count)s") % {"count": report.documents},
        _("Huella: %(digest)s") % {"digest": report.digest},
        _("Listo para declarar") if report.ready else _("Pendientes:"),
        *(f"- {b.message}" for b in report.blockers),
        *(f"! {w}" for w in report.warnings),
    ]
    return ("\n".join(lines) + "\n").encode()


def month_bundle(*, business, year: int, month: int) -> Iterator[bytes]:
    """The zip's bytes, chunk by chunk: XML, RIDE, ATS, workbooks, summary."""
    sink = _Sink()
    stamp = f"{year:04d}-{month:02d}"
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for chunk in _authorised_chunks(business, year, month):
            for edoc in chunk:
                archive.writestr(f"xml/{edoc.access_key}.xml", edoc.authorised_xml)
                archive.writestr(f"ride/{edoc.access_key}.pdf", edoc_ride(edoc=edoc))
            yield sink.take()
        with tenant_context(business):
            documents = month_documents(
                business=business, year=year, month=month
            ).defer(*LIGHT)
            archive.writestr(
                f"ATS-{stamp}.xml", month_ats(business=business, year=year, month=month)
            )
            archive.writestr(
                f"comprobantes-{stamp}.xlsx",
                documents_xlsx(
                    documents.order_by("issue_date", "kind", "number").iterator(
                        chunk_size=CHUNK
                    )
                ),
            )
            archive.writestr(
                f"ventas-por-tarifa-{stamp}.xlsx",
                sales_by_rate_xlsx(documents.iterator(chunk_size=CHUNK)),
            )
            archive.writestr(f"cierre-{stamp}.txt", _summary(business, year, month))
        yield sink.take()
    yield sink.take()  # the central directory, written on close
