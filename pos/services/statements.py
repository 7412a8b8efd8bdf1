"""The checkout's hand-written reads, named through model metadata (core.sql).

Written by hand because every checkout runs them and the ORM's compiler cost
more than the database (BENCHMARKS.md). The numbering and the stock upsert
live with their own apps (fiscal.numbering, inventory's ledger): the layering
lets pos import them, not the other way round. tests/test_statements.py
prepares every registered statement on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid

from backoffice.catalog.models import ModifierGroup, ModifierGroupProduct, Product
from backoffice.customers.models import Customer
from core.sql import Sql, columns

from ..models import CashSession, Sale

# The idempotency key's sale: every checkout asks, almost always to hear "no".
SALE_BY_KEY = Sql(
    "sale_by_key",
    "SELECT {Sale.id} FROM {Sale} WHERE {Sale.business} = %s "
    "AND {Sale.idempotency_key} = %s",
    models=(Sale,),
    example=lambda vendor: ({}, [0, uuid.UUID(int=0).hex]),
)

# What the sale snapshots of its buyer (and the rule checks): read with the
# session for CONSUMIDOR FINAL.
BUYER_FIELDS = ("id", "business", "id_type", "identification", "name")
BUYER_FIELDS += ("address", "email", "phone")

# The point's open cash session, locked (a closing count waits for the sales in
# flight), and the business's CONSUMIDOR FINAL in the same statement.
SESSION_AND_BUYER = Sql(
    "cash_session_and_final_consumer",
    "SELECT s.{CashSession.id}, "  # noqa: S608 - a template of model names, no input
    + columns("c", Customer, BUYER_FIELDS)
    + " FROM {CashSession} s LEFT JOIN {Customer} c "
    "ON c.{Customer.business} = s.{CashSession.business} "
    "AND c.{Customer.identification} = %s "
    "WHERE s.{CashSession.business} = %s AND s.{CashSession.emission_point} = %s "
    "AND s.{CashSession.closed_at} IS NULL{lock}",
    models=(CashSession, Customer),
    example=lambda vendor: (
        {"lock": " FOR UPDATE OF s" if vendor == "postgresql" else ""},
        ["9999999999999", 0, 0],
    ),
)

# The cart's products with their modifier groups (one row per group), so the
# min/max rule costs no query. `ids` is `= ANY(%s)` on PostgreSQL (one
# prepared statement whatever the cart's size), an IN list on SQLite.
PRODUCTS = Sql(
    "cart_products",
    "SELECT p.{Product.id}, p.{Product.code}, p.{Product.name}, p.{Product.price}, "
    "p.{Product.tax_category}, p.{Product.track_stock}, g.{ModifierGroup.id}, "
    "g.{ModifierGroup.name}, g.{ModifierGroup.min_choices}, "
    "g.{ModifierGroup.max_choices}, g.{ModifierGroup.sort_order} "
    "FROM {Product} p LEFT JOIN {ModifierGroupProduct} l "
    "ON l.{ModifierGroupProduct.business} = p.{Product.business} "
    "AND l.{ModifierGroupProduct.product} = p.{Product.id} "
    "LEFT JOIN {ModifierGroup} g ON g.{ModifierGroup.business} = "
    "l.{ModifierGroupProduct.business} "
    "AND g.{ModifierGroup.id} = l.{ModifierGroupProduct.modifiergroup} "
    "WHERE p.{Product.business} = %s AND p.{Product.is_active} AND {ids}",
    models=(Product, ModifierGroupProduct, ModifierGroup),
    example=lambda vendor: (
        {"ids": "p.id = ANY(%s)" if vendor == "postgresql" else "p.id IN (%s, %s)"},
        [0, [1, 2]] if vendor == "postgresql" else [0, 1, 2],
    ),
)
