"""The POS page's look-ups: products (paged, by barcode), categories, customers."""

from __future__ import annotations

from django.http import JsonResponse

from . import schema, selectors
from .api import api_view

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
    return JsonResponse(
        {
            "results": [
                {
                    "id": c.pk,
                    "id_type": c.id_type,
                    "identification": c.identification,
                    "name": c.name,
                    "email": c.email,
                }
                for c in customers
            ]
        }
    )
