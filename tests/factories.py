"""factory-boy factories. Tenant-owned objects are created inside tenant_context."""

import itertools

import factory
from django.contrib.auth import get_user_model
from stdnum.ec import ruc as ruc_std

from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Business, Membership
from backoffice.tenancy.services import business_setup_defaults

_seq = itertools.count(1)


def valid_ruc() -> str:
    """A new RUC of a natural person (cédula + 001) with a valid check digit."""
    while True:
        base = f"17{next(_seq):07d}"
        for digit in range(10):
            candidate = f"{base}{digit}001"
            if ruc_std.is_valid(candidate):
                return candidate


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.ec")
    password = factory.django.Password("pass12345!")


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business
        skip_postgeneration_save = True

    ruc = factory.LazyFunction(valid_ruc)
    razon_social = factory.Sequence(lambda n: f"Negocio {n} S.A.")
    direccion_matriz = "Av. Amazonas y Colón, Quito"
    mode = Business.Mode.RETAIL

    @factory.post_generation
    def defaults(obj, create, extracted, **kwargs):
        if create:
            with tenant_context(obj):
                business_setup_defaults(business=obj)


def membership(business, user, role="owner") -> Membership:
    with tenant_context(business):
        return Membership.objects.create(business=business, user=user, role=role)
