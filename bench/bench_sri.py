"""Measure build + validate + sign (+ validate again) per SRI document.

Run: python bench/bench_sri.py [count]. Target: < 50 ms per document.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fiscal.sri.pkcs12 import p12_load
from fiscal.sri.signing import document_sign
from fiscal.sri.xml import invoice_xml_build, validate
from tests.fiscal.certs import PASSWORD, p12_single, pki_make
from tests.fiscal.sri_factories import invoice_make


def document_cycle(secuencial: int, identity) -> bytes:
    invoice = invoice_make(secuencial=str(secuencial))
    signed = document_sign(invoice_xml_build(invoice), identity)
    validate(signed)
    return signed


def main(count: int = 200) -> float:
    identity = p12_load(p12_single(pki_make()), PASSWORD)
    document_cycle(0, identity)  # warm-up: schema compilation is cached
    start = time.perf_counter()
    for n in range(1, count + 1):
        document_cycle(n, identity)
    per_doc_ms = (time.perf_counter() - start) * 1000 / count
    print(f"build+sign+validate: {per_doc_ms:.2f} ms per document ({count} documents)")
    return per_doc_ms


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
