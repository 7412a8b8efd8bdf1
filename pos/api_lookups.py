"""The POS page's look-ups: products (paged, by barcode), categories, customers."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import JsonResponse

from backoffice.customers.services import customer_create as customer_add

from . import schema, selectors
from .api import api_view
from .errors import CustomerInputError

WEIGHED_UNITS = {"kg", "l"}


def _product_json(product, *, quantity=None) -> dict:
    data = {
        "id": product.pk,
        "code": product.code,
        "barcode": product.barcode,
        "name": product.name,
        "category": product.category.name if product.category else None,
        "category_id": product.category_id,
        "price": str(product.price),
        "price_gross": f"{product.price_gross:.2f}",
        "tax_code": product.tax_category,
        "image": product.thumbnail.url if product.thumbnail else None,
        "unit": product.unit,
        "weighed": product.unit in WEIGHED_UNITS,
        "modifier_groups": [
            {
                "id": g.pk,
                "name": g.name,
                "min": g.min_choices,
                "max": g.max_choices,
                "options": [
                    {"id": o.pk, "name": o.name, "price_delta": str(o.price_delta)}
                    for o in g.options.all()
                ],
            }
            for g in product.modifier_groups.all()
        ],
    }
    if quantity is not None:
        data["quantity"] = f"{quantity:.3f}"
    return data


@api_view()
def product_list(request):
    """A page of 60 products by name; `barcode=` is an exact look-up instead."""
    business = request.business
    barcode = schema.query(request.GET, "barcode")
    if barcode:
        hit = selectors.product_by_barcode(business=business, code=barcode)
        results = []
        if hit is not None:
            results.append(_product_json(hit.product, quantity=hit.quantity))
        more = False
        page = 1
    else:
        page = schema.query_page(request.GET)
        products, more = selectors.product_search(
            business=business,
            q=schema.query(request.GET),
            category=schema.query_ident(request.GET, "category"),
            page=page,
        )
        results = [_product_json(p) for p in products]
    return JsonResponse(
        {
            "prices_include_tax": business.prices_include_tax,
            "results": results,
            "next_page": page + 1 if more else None,
        }
    )


@api_view()
def category_list(request):
    categories = selectors.category_list(business=request.business)
    return JsonResponse({"results": [{"id": c.pk, "name": c.name} for c in categories]})


@api_view(methods=("GET", "POST"))
def customer_list(request):
    # The POS page POSTs {"q": …}: a cédula in a URL ends up in access logs.
    query = request.json if request.method == "POST" else request.GET
    customers = selectors.customer_search(
        business=request.business, q=schema.query(query)
    )
    return JsonResponse({"results": [_customer_json(c) for c in customers]})


# What the counter's quick-add sends, with each text's limit (the model's).
CUSTOMER_FIELDS = {
    "id_type": 2,
    "identification": 20,
    "name": 300,
    "email": 254,
    "phone": 30,
    "address": 300,
}


def _customer_json(customer) -> dict:
    return {
        "id": customer.pk,
        "id_type": customer.id_type,
        "identification": customer.identification,
        "name": customer.name,
        "email": customer.email,
    }


@api_view(methods=("POST",))
def customer_create(request):
    """Quick-add at the counter: the cédula/RUC checked by stdnum, an error names
    its field (`identification`, `name`, ...) so the page shows it inline."""
    fields = {
        name: schema.text(
            request.json.get(name), name, max_length=size, error=CustomerInputError
        ).strip()
        for name, size in CUSTOMER_FIELDS.items()
    }
    try:
        customer = customer_add(business=request.business, **fields)
    except ValidationError as exc:
        # The usual error shape (the first problem in `field`/`detail`), plus
        # every field's first message so the page marks them all at once.
        errors = getattr(exc, "message_dict", {NON_FIELD_ERRORS: exc.messages})
        by_field = {
            (None if name == NON_FIELD_ERRORS else name): messages[0]
            for name, messages in errors.items()
        }
        field, detail = next(iter(by_field.items()))
        body = {"error": CustomerInputError.code, "detail": detail, "field": field}
        fields = {name or "": message for name, message in by_field.items()}
        return JsonResponse(body | {"fields": fields}, status=400)
    return JsonResponse(_customer_json(customer), status=201)
