"""The counter as a cashier drives it (issue 11): scanner, weighed items, modifiers,
discounts with a manager's PIN, split payment, double tap, park/resume, network
down, void and return, with screenshots of each screen."""

import uuid
from decimal import Decimal

import pytest
from stdnum import ean

from backoffice.catalog.models import ModifierGroup, ModifierOption
from backoffice.tenancy.context import tenant_context
from pos.models import Sale
from pos.returns_models import SaleReturn
from pos.services import LineIn, PaymentIn, sale_post, supervisor_pin_set
from tests.browser.conftest import csp_violations, shot, wait_printed
from tests.browser.test_pos_page import open_page, open_till, tap
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product, point_of, stock_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER_PIN = "482913"


def manager(business):
    member = membership(business, UserFactory(), "manager")
    with tenant_context(business):
        supervisor_pin_set(business=business, membership=member, pin=MANAGER_PIN)
    return member.user


def sales(business):
    with tenant_context(business):
        return list(Sale.objects.order_by("pk"))


def pay_exact(page):
    page.click("#pay-btn")
    page.click("#pay-exact")
    page.click("#pay-confirm")


def line_names(page) -> str:
    return page.inner_text("#lines")


def test_scan_a_barcode(page, live_server, business):
    make_product(business, code="COLA", name="Cola 500 ml", barcode="7861234567890")
    open_page(page, live_server, business)
    open_till(page)
    page.keyboard.type("7861234567890", delay=5)  # a scanner: fast keys, then Enter
    page.keyboard.press("Enter")
    page.wait_for_selector("#lines >> text=Cola 500 ml")
    page.keyboard.type("7861234567890", delay=5)
    page.keyboard.press("Enter")
    page.wait_for_selector("#lines >> text=2 ×")
    page.keyboard.type("0000000000000", delay=5)
    page.keyboard.press("Enter")
    page.wait_for_selector(".toast >> text=Código desconocido: 0000000000000")
    assert page.locator("#lines .line").count() == 1
    assert csp_violations(page) == []


def test_the_scanner_still_reaches_the_page_after_a_receipt_prints(
    page, live_server, business
):
    """Printing focuses the hidden receipt frame; the page must take the focus
    back, or the next scan (and Escape, F-keys) would go to the receipt."""
    make_product(business, code="COLA", name="Cola 500 ml", barcode="7861234567890")
    open_page(page, live_server, business)
    open_till(page)
    page.keyboard.type("7861234567890", delay=5)
    page.keyboard.press("Enter")
    page.wait_for_selector("#lines >> text=Cola 500 ml")
    pay_exact(page)
    wait_printed(page, 1)
    page.wait_for_selector("#grand-total >> text=0.00")
    assert page.evaluate("document.activeElement.id") != "print-frame"
    page.keyboard.type("7861234567890", delay=5)
    page.keyboard.press("Enter")
    page.wait_for_selector("#lines >> text=Cola 500 ml")


def test_scan_a_scale_label(page, live_server, business):
    """EAN-13 2X PPPPP VVVVV C with the weight in grams (a business setting)."""
    business.scale_barcodes = "weight"
    business.save(update_fields=["scale_barcodes"])
    make_product(business, code="42", name="Queso", price="8.00", unit="kg", tax="0")
    open_page(page, live_server, business)
    open_till(page)
    label = "200004200750"
    page.keyboard.type(label + ean.calc_check_digit(label), delay=5)
    page.keyboard.press("Enter")
    page.wait_for_selector("#lines >> text=0.75 kg")
    page.wait_for_selector("#grand-total >> text=6.00")


def test_weighed_item(page, live_server, business):
    make_product(business, code="BAN", name="Banano", price="1.00", unit="kg", tax="0")
    open_page(page, live_server, business)
    open_till(page)
    tap(page, "Banano")
    for key in "0.75":
        page.click(f"dialog .keypad button:text-is('{key}')")
    shot(page, "keypad")
    page.click("dialog button:has-text('Aceptar')")
    page.wait_for_selector("#lines >> text=0.75 kg")
    page.wait_for_selector("#grand-total >> text=0.75")
    pay_exact(page)
    page.wait_for_selector(".toast >> text=001-001-000000001")
    (sale,) = sales(business)
    with tenant_context(business):
        assert sale.lines.get().quantity == Decimal("0.75")


def steak(business):
    product = make_product(business, code="LOMO", name="Lomo fino", price="10.00")
    with tenant_context(business):
        doneness = ModifierGroup.objects.create(
            business=business, name="Término de la carne", min_choices=1, max_choices=1
        )
        doneness.products.add(product)
        for name in ("Tres cuartos", "Bien cocido"):
            ModifierOption.objects.create(business=business, group=doneness, name=name)
    return product


def test_required_modifier(page, live_server, business):
    steak(business)
    open_page(page, live_server, business)
    open_till(page)
    tap(page, "Lomo fino")
    page.wait_for_selector("dialog >> text=Término de la carne")
    assert page.is_disabled("#mods-accept")  # min 1: nothing chosen yet
    shot(page, "modifiers")
    page.click("dialog button:has-text('Bien cocido')")
    page.click("#mods-accept")
    page.wait_for_selector("#lines >> text=Bien cocido")
    pay_exact(page)
    page.wait_for_selector(".toast >> text=001-001-000000001")
    (sale,) = sales(business)
    with tenant_context(business):
        assert "Bien cocido" in sale.lines.get().name


def test_split_payment_with_change(page, live_server, business):
    make_product(business, code="ALM", name="Almuerzo", price="20.00")
    open_page(page, live_server, business)
    open_till(page)
    tap(page, "Almuerzo")
    page.wait_for_selector("#grand-total >> text=23.00")
    page.click("#pay-btn")
    page.click("#pay-dialog button[data-method='19']")
    page.fill("#pay-amount", "5.00")
    page.fill("#pay-reference", "VISA 4242")
    page.click("#pay-add")
    page.click("#pay-dialog [data-tender='20']")
    assert page.inner_text("#pay-change").endswith("2.00")
    shot(page, "payment")
    page.click("#pay-confirm")
    page.wait_for_selector(".toast >> text=Cambio 2.00")
    (sale,) = sales(business)
    with tenant_context(business):
        payments = sorted((p.method, p.amount) for p in sale.payments.all())
    assert payments == [("01", Decimal("18.00")), ("19", Decimal("5.00"))]
    assert sale.change == Decimal("2.00")


def test_double_tap_is_one_sale(page, live_server, business):
    make_product(business, code="CAFE", name="Café pasado", price="2.00")
    open_page(page, live_server, business)
    open_till(page)
    tap(page, "Café pasado")
    page.wait_for_selector("#grand-total >> text=2.30")
    page.click("#pay-btn")
    page.click("#pay-exact")
    page.dblclick("#pay-confirm")
    page.wait_for_selector(".toast >> text=001-001-000000001")
    wait_printed(page, 1)
    assert len(sales(business)) == 1


def test_park_reload_resume(page, live_server, business):
    make_product(business, code="CAFE", name="Café pasado", price="2.00")
    make_product(business, code="PAN", name="Pan de yuca", price="0.50")
    open_page(page, live_server, business)
    tap(page, "Café pasado")
    page.wait_for_selector("#lines >> text=Café pasado")
    page.keyboard.press("F8")
    page.wait_for_selector("#parked-count >> text=(1)")
    tap(page, "Pan de yuca")
    page.wait_for_selector("#lines >> text=Pan de yuca")
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("#lines >> text=Pan de yuca")  # the current cart survived
    page.click("#parked-btn")
    shot(page, "parked")
    page.click("#parked-list .resume")
    page.wait_for_selector("#lines >> text=Café pasado")
    assert "Pan de yuca" not in line_names(page)
    page.wait_for_selector("#parked-count >> text=(1)")  # the other one parked now
    page.click("#lines .line")
    page.click("#qty-plus")
    page.click("#line-accept")
    page.wait_for_selector("#lines >> text=2 × 2.30")
    # A trip to the back office and back (the back button) keeps it too.
    page.goto(f"{live_server.url}/admin/")
    page.go_back()
    page.wait_for_selector("#lines >> text=Café pasado")


def test_network_off_pending_then_one_sale(page, live_server, business):
    make_product(business, code="CAFE", name="Café pasado", price="2.00")
    open_page(page, live_server, business)
    open_till(page)
    tap(page, "Café pasado")
    page.wait_for_selector("#grand-total >> text=2.30")
    page.context.set_offline(True)  # before "Cobrar": no quote, the tiles' total
    page.click("#pay-btn")
    page.wait_for_selector("#pay-total >> text=2.30")
    page.click("#pay-exact")
    page.click("#pay-confirm")
    page.wait_for_selector("#pending-badge >> text=1 pendiente(s)")
    page.wait_for_selector(".toast >> text=Pendiente")
    shot(page, "pending")
    assert sales(business) == []
    page.context.set_offline(False)
    page.wait_for_selector(".toast >> text=Venta pendiente registrada: 001-001-0000")
    assert page.is_hidden("#pending-badge")
    page.wait_for_timeout(6000)  # another retry round: still one sale
    assert len(sales(business)) == 1


def test_discounts_need_a_manager_pin_above_the_limit(page, live_server, business):
    make_product(business, code="ALM", name="Almuerzo", price="10.00", tax="0")
    business.cashier_max_discount = Decimal("10")
    business.save(update_fields=["cashier_max_discount"])
    manager(business)
    open_page(page, live_server, business)
    open_till(page)
    tap(page, "Almuerzo")
    page.click("#lines .line")
    page.fill("#line-note", "Sin cebolla")
    page.fill("#discount-value", "50")
    page.click("#line-accept")
    page.wait_for_selector("#pin-input")
    shot(page, "pin")
    page.fill("#pin-input", MANAGER_PIN)
    page.click("dialog button[type='submit']")
    page.wait_for_selector("#grand-total >> text=5.00")
    page.keyboard.press("F6")
    page.click("dialog .seg button[data-kind='$']")
    page.fill("#discount-value", "1.00")
    page.click("#order-discount-accept")
    page.wait_for_selector("#grand-total >> text=4.00")
    pay_exact(page)
    page.wait_for_selector(".toast >> text=001-001-000000001")
    (sale,) = sales(business)
    assert (sale.total, sale.discount_total) == (Decimal("4.00"), Decimal("6.00"))
    with tenant_context(business):
        assert sale.lines.get().note == "Sin cebolla"


def post_sale(business, cashier, product, quantity="3"):
    with tenant_context(business):
        return sale_post(
            business=business,
            point=point_of(business),
            cashier=cashier,
            lines=[LineIn(product_id=product.pk, quantity=Decimal(quantity))],
            payments=[PaymentIn("01", Decimal("100.00"))],
            key=uuid.uuid4(),
        ).sale


def test_void_and_partial_return_with_pin(page, live_server, business):
    coffee = make_product(
        business, code="CAFE", name="Café pasado", price="2.00", stock="10"
    )
    boss = manager(business)
    cashier, _ = open_page(page, live_server, business)
    open_till(page)
    first = post_sale(business, cashier, coffee)
    post_sale(business, cashier, coffee)
    page.keyboard.press("F9")
    page.wait_for_selector("#sales-list >> text=001-001-000000002")
    shot(page, "sales")
    page.click(f"#sales-list li[data-id='{first.pk}'] .open-sale")
    page.click("#sale-void")
    page.fill("#void-reason", "Cliente desistió")
    page.fill("#supervisor-pin", MANAGER_PIN)
    page.click("#void-submit")
    page.wait_for_selector(".toast >> text=Venta anulada")
    page.keyboard.press("F9")
    page.wait_for_selector("#sales-list >> text=Anulada")
    page.click("#sales-list li:not(:has-text('Anulada')) .open-sale")
    page.click("#sale-return")
    page.fill("#return-qty-0", "1")
    page.fill("#return-reason", "Producto dañado")
    page.fill("#supervisor-pin", MANAGER_PIN)
    shot(page, "return")
    page.click("#return-submit")
    page.wait_for_selector(".toast >> text=Devolución registrada: 2.30")
    page.keyboard.press("F9")
    page.wait_for_selector("#sales-list >> text=Con devolución")
    with tenant_context(business):
        void = Sale.objects.get(void__isnull=False).void
        (returned,) = SaleReturn.objects.all()
        assert (void.sale_id, void.authorized_by_id) == (first.pk, boss.pk)
        assert returned.sale_id != first.pk
        assert returned.lines.get().quantity == Decimal("1")
        assert returned.authorized_by_id == boss.pk
    # 6 sold, 3 back from the void and 1 from the return.
    assert stock_of(business, coffee) == Decimal("8")
    assert csp_violations(page) == []


def test_final_consumer_limit_is_shown_before_cobrar(page, live_server, business):
    make_product(business, code="TV", name="Televisor", price="100.00", tax="0")
    open_page(page, live_server, business)
    open_till(page)
    tap(page, "Televisor")
    page.wait_for_selector("#limit-warning >> text=Más de 50.00 USD")
    page.keyboard.press("F12")  # Cobrar: the customer look-up, not the payment
    page.wait_for_selector("#customer-dialog >> text=identifique al cliente")
    assert page.locator("#pay-dialog").count() == 0
    assert sales(business) == []


def test_quick_add_a_customer_with_errors_inline(page, live_server, business):
    """Over $50 the cashier adds the buyer on the spot: a wrong cédula and a blank
    name are shown under their fields; the saved customer goes on the sale."""
    from backoffice.customers.models import Customer

    make_product(business, code="TV", name="Televisor", price="100.00", tax="0")
    open_page(page, live_server, business)
    open_till(page)
    tap(page, "Televisor")
    page.keyboard.press("F12")
    page.wait_for_selector("#customer-dialog")
    page.fill("#customer-q", "1710034066")  # not a valid cédula: not found
    page.wait_for_selector("#customer-dialog >> text=No se encontró ningún cliente.")
    page.click("#customer-new")
    assert page.input_value("#new-identification") == "1710034066"
    page.click("#customer-new-form button[type=submit]")
    # Both problems at once, each under its field; nothing saved.
    page.wait_for_selector("#new-identification-error >> text=Cédula inválida")
    page.wait_for_selector("#new-name-error:not(:empty)")
    shot(page, "customer-quick-add")
    page.fill("#new-identification", "1710034065")
    page.fill("#new-name", "María Pérez")
    page.click("#customer-new-form button[type=submit]")
    page.wait_for_selector("#customer-name >> text=María Pérez")
    with tenant_context(business):
        assert Customer.objects.filter(identification="1710034065").count() == 1
    pay_exact(page)
    wait_printed(page, 1)
    (sale,) = sales(business)
    assert (sale.customer_identification, sale.customer_name) == (
        "1710034065",
        "María Pérez",
    )
    assert csp_violations(page) == []


def test_cobrar_right_after_adding_waits_for_the_price(page, live_server, business):
    """A fast cashier taps «Cobrar» before the new line is priced: the payment
    opens with the right total (it used to say «Agregue productos.»)."""
    import time

    make_product(business, code="AGUA", name="Agua", price="1.00", tax="0")
    open_page(page, live_server, business)
    open_till(page)

    def slow_quote(route):  # a slow network: the price arrives after the tap
        time.sleep(0.6)
        route.continue_()

    page.route("**/pos/api/sales/quote", slow_quote)
    tap(page, "Agua")
    page.click("#pay-btn")  # no wait for the quote
    page.wait_for_selector("#pay-dialog >> text=1.00")
    page.click("#pay-exact")
    page.click("#pay-confirm")
    page.wait_for_selector(".toast >> text=001-001-000000001")
    assert [s.total for s in sales(business)] == [Decimal("1.00")]
