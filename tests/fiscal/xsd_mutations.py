"""Mutations of a document for tests/fiscal/test_xsd_agreement.py: every element
removed, duplicated, moved, emptied or given a wrong value; sections we never emit."""

import copy
import re

from lxml import etree

from .xsd_corpus import OUT_OF_RANGE, Case, parse_xml

# ------------------------------------------------------------------- mutations


def _path(element) -> str:
    names = []
    while element.getparent() is not None:
        names.append(etree.QName(element).localname)
        element = element.getparent()
    return "/".join(reversed(names))


def _leaf_values(tag: str, value: str) -> list[tuple[str, str]]:
    """(mutation, new text) for one leaf element holding `value`."""
    out = [
        ("emptied", ""),
        ("over-long", (value or "9") * (320 // max(len(value), 1) + 1)),
        ("wrong pattern", "x" + value),
        ("wrong pattern", value + "\n" + value),
        ("negative", "-" + value),
        ("padded", f" {value} "),
    ]
    if value.isdigit():
        n = len(value)
        out += [
            ("out of range", "9" * n),
            ("out of range", "0" * n),
            ("over-long", value + "0"),
            ("too short", value[:-1]),
        ]
    if re.fullmatch(r"\d+\.\d+", value):
        out += [
            ("too many decimals", value + "1"),
            ("too many digits", "9" * 13 + value),
            ("wrong pattern", value.replace(".", ",")),
            ("wrong pattern", value.split(".")[0]),
        ]
    out += [("out of range", v) for v in OUT_OF_RANGE.get(tag, [])]
    return out


# Every maxLength of the formats: a text at each limit and one past it.
LENGTH_LIMITS = (1, 2, 3, 4, 8, 9, 10, 13, 15, 20, 25, 40, 49, 300, 500)


def _boundary_values(value: str) -> list[tuple[str, str]]:
    """Lengths and digit counts right at, and just past, every limit."""
    if re.fullmatch(r"\d+\.\d+", value):
        fraction = len(value.split(".")[1])
        return [
            (f"{digits} integer digits", "9" * digits + value[-fraction - 1 :])
            for digits in (11, 12, 13, 16, 17)
        ]
    fill = value[-1] if value else "a"
    return [
        (f"length {n}", (value + fill * n)[:n])
        for limit in LENGTH_LIMITS
        for n in (limit, limit + 1)
    ]


def mutations(root, *, boundaries=False) -> list[tuple[str, etree._Element]]:
    """Systematic mutations, one per (element path, kind of change)."""
    out = []
    seen = set()

    def mutate(change, label):
        copy_root = copy.deepcopy(root)
        target = copy_root.xpath(xpath)[0]
        change(target)
        out.append((label, copy_root))

    elements = [root, *root.iterdescendants()]
    for element in elements:
        if not isinstance(element.tag, str):
            continue
        path = _path(element)
        xpath = root.getroottree().getpath(element)
        for name, value in element.attrib.items():
            if ("@" + name, path) in seen:
                continue
            seen.add(("@" + name, path))
            prefix = f"{path + '/' if path else ''}@{name}"
            for label, text in (
                ("removed", None),
                ("emptied", ""),
                ("over-long", "v" * 301),
                ("wrong pattern", value + " x"),
                ("out of range", "1.0.0" if name == "version" else "Comprobante"),
            ):
                mutate(
                    lambda t, n=name, v=text: (
                        t.attrib.pop(n) if v is None else t.set(n, v)
                    ),
                    f"{prefix} {label}",
                )
        if element is root or path in seen:
            continue
        seen.add(path)
        parent = element.getparent()
        mutate(lambda t: t.getparent().remove(t), f"{path} removed")
        mutate(lambda t: t.addnext(copy.deepcopy(t)), f"{path} duplicated")
        if element.getnext() is not None and element.getnext().tag != element.tag:
            mutate(lambda t: t.getnext().addnext(t), f"{path} moved")
        if element.getprevious() is None and len(parent) > 1:
            mutate(lambda t: t.getparent().append(t), f"{path} moved")
        if len(element):
            mutate(lambda t: [t.remove(c) for c in list(t)], f"{path} emptied")
            continue
        tag = etree.QName(element).localname
        values = _leaf_values(tag, element.text or "")
        if boundaries:
            values += _boundary_values(element.text or "")
        for label, text in values:

            def set_text(t, text=text):
                t.text = text

            mutate(set_text, f"{path} {label}")
    return out


# Sections of the formats that SouthernPOS never emits, each valid for the SRI:
# (root, insert after this xpath, xml of the section).
_COMPENSACIONES = (
    "<compensaciones><compensacion><codigo>1</codigo><tarifa>2.00</tarifa>"
    "<valor>0.10</valor></compensacion></compensaciones>"
)
_MAQUINA = (
    "<maquinaFiscal><marca>A</marca><modelo>B</modelo><serie>C</serie></maquinaFiscal>"
)
_RETENCIONES = (
    "<retenciones><retencion><codigo>4</codigo><codigoPorcentaje>327"
    "</codigoPorcentaje><tarifa>0.00</tarifa><valor>0.00</valor></retencion>"
    "</retenciones>"
)
NEVER_EMITTED = [
    ("factura", "infoFactura/obligadoContabilidad",
     "<comercioExterior>EXPORTADOR</comercioExterior>"),
    ("factura", "infoFactura/totalDescuento", "<codDocReembolso>41</codDocReembolso>"),
    ("factura", "infoFactura/totalConImpuestos", _COMPENSACIONES),
    ("factura", "detalles", _RETENCIONES),
    ("factura", "detalles", "<tipoNegociable><correo>a@b.ec</correo></tipoNegociable>"),
    ("factura", "detalles", _MAQUINA),
    ("notaCredito", "infoNotaCredito/totalSinImpuestos", _COMPENSACIONES),
    ("notaCredito", "detalles", _MAQUINA),
    ("iva", "Mes", "<regimenMicroempresa>SI</regimenMicroempresa>"),
    ("iva", "codigoOperativo", "<compras/>"),
    ("iva", "ventasEstablecimiento", "<exportaciones/>"),
    ("iva", "anulados", "<rendFinancieros/>"),
]  # fmt: skip


def never_emitted(root) -> list[tuple[str, etree._Element]]:
    out = []
    for kind, after, xml in NEVER_EMITTED:
        if kind != etree.QName(root).localname or root.find(after) is None:
            continue
        changed = copy.deepcopy(root)
        changed.find(after).addnext(etree.fromstring(xml))
        label = f"section never emitted: {etree.fromstring(xml).tag}"
        out.append((label, changed))
    return out


# Originals whose every element is mutated; the others (more buyers, the rest
# of the demo) differ from these only in values, so they enter as they are.
# BOUNDARIES: also every length and digit count at and just past each limit.
MUTATED = re.compile(
    r"^(factura/(default|every-rate|credit-payment|issuer-variants|pasaporte)"
    r"|notaCredito/(default|every-rate)|iva/month|demo/.*/(ats|first-.*))$"
)
BOUNDARIES = {"factura/issuer-variants", "notaCredito/default", "iva/month"}


def corpus(documents: dict[str, bytes]) -> list[Case]:
    cases = []
    for origin, data in documents.items():
        root = parse_xml(data)
        cases.append(Case(origin, "original", root))
        cases += [Case(origin, label, r) for label, r in never_emitted(root)]
        if MUTATED.match(origin):
            changed = mutations(root, boundaries=origin in BOUNDARIES)
            cases += [Case(origin, label, r) for label, r in changed]
    return cases
