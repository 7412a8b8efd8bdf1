from decimal import Decimal

import pytest
from lxml import etree

from fiscal.sri.ats import AtsAnnulled, AtsSale, ascii_text, ats_build, ats_validate
from fiscal.sri.xml import XmlValidationError

D = Decimal


def sales():
    both = {"4": D("3.80"), "0": D("1.07")}
    return [
        AtsSale("01", "001", "05", "1710034065", "María", both, D("0.57"), ("01",)),
        AtsSale("01", "001", "05", "1710034065", "María", {"4": D("2.00")}, D("0.30"),
                ("19",)),
        AtsSale("01", "001", "07", "9999999999999", "CONSUMIDOR FINAL", {"4": D("10")},
                D("1.50"), ("01",)),
        AtsSale("04", "001", "05", "1710034065", "María", {"4": D("1.00")}, D("0.15")),
        AtsSale("01", "002", "06", "AB123456", "José Núñez", {"6": D("5")}, D("0"),
                ("20",)),
    ]  # fmt: skip


def build(**overrides):
    values = {
        "ruc": "1790012345001",
        "razon_social": "Comercial Andina S.A.",
        "year": 2026,
        "month": 11,
        "establishments": ["001", "002"],
        "sales": sales(),
    }
    values.update(overrides)
    return etree.fromstring(ats_build(**values))


def test_ats_validates_and_groups_sales_per_buyer_and_type():
    root = build()
    assert root.findtext("Mes") == "11" and root.findtext("numEstabRuc") == "002"
    details = root.findall("ventas/detalleVentas")
    assert len(details) == 4
    (maria,) = [
        d
        for d in details
        if (d.findtext("idCliente"), d.findtext("tipoComprobante"))
        == ("1710034065", "18")
    ]
    assert maria.findtext("numeroComprobantes") == "2"
    assert maria.findtext("baseImpGrav") == "5.80"
    assert maria.findtext("baseImponible") == "1.07"
    assert maria.findtext("montoIva") == "0.87"
    assert [f.text for f in maria.iterfind("formasDePago/formaPago")] == ["01", "19"]


def test_totals_net_credit_notes_and_split_per_establishment():
    root = build()
    # 3.80 + 1.07 + 2.00 + 10.00 - 1.00 + 5.00
    assert root.findtext("totalVentas") == "20.87"
    per_estab = {
        e.findtext("codEstab"): e.findtext("ventasEstab")
        for e in root.iterfind("ventasEstablecimiento/ventaEst")
    }
    assert per_estab == {"001": "15.87", "002": "5.00"}


def test_passport_buyer_gets_type_and_ascii_name_consumidor_final_no_parte_rel():
    root = build()
    passport = root.find("ventas/detalleVentas[tpIdCliente='06']")
    assert passport.findtext("denoCli") == "Jose Nunez"
    assert passport.findtext("baseNoGraIva") == "5.00"
    final = root.find("ventas/detalleVentas[tpIdCliente='07']")
    assert final.find("parteRelVtas") is None


def test_annulled_section():
    root = build(annulled=[AtsAnnulled("01", "001", "001", 15, "1" * 49)])
    entry = root.find("anulados/detalleAnulados")
    assert entry.findtext("secuencialInicio") == "15"


def test_empty_month_is_still_valid():
    root = build(sales=[])
    assert root.findtext("totalVentas") == "0.00"


def test_ascii_text_drops_accents_and_punctuation():
    assert ascii_text("Panadería Ñandú S.A.") == "Panaderia Nandu S A"
    assert ascii_text("A.", minimum=5) == "AXXXX"


def test_validator_rejects_a_broken_ats():
    data = etree.tostring(build()).replace(b"<Mes>11</Mes>", b"<Mes>13</Mes>")
    with pytest.raises(XmlValidationError, match="Mes"):
        ats_validate(data)
