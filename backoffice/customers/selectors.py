from django.db.models import QuerySet

from backoffice.tenancy.models import Business

from .models import Customer


def customer_list(*, business: Business) -> QuerySet[Customer]:
    return Customer.objects.for_business(business)


def customer_search(*, business: Business, query: str) -> QuerySet[Customer]:
    query = query.strip()
    qs = customer_list(business=business)
    if query.isdigit():
        return qs.filter(identification__startswith=query)
    return qs.filter(name__icontains=query)
