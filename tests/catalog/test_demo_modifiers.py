from backoffice.catalog.models import ModifierGroup, ModifierOption
from backoffice.tenancy.context import tenant_context
from fixtures.demo import RESTAURANT, SHOP, load_business


def test_demo_restaurant_has_modifiers_and_reloading_changes_nothing(db):
    restaurant = load_business(RESTAURANT)
    shop = load_business(SHOP)
    load_business(RESTAURANT)
    with tenant_context(restaurant):
        group = ModifierGroup.objects.get(name="Término de la carne")
        assert (group.min_choices, group.max_choices) == (1, 1)
        assert group.options.count() == 3
        assert group.products.filter(name="Churrasco ecuatoriano").exists()
        assert ModifierGroup.objects.count() == 2
        assert ModifierOption.objects.count() == 6
        extra = ModifierOption.objects.get(name="Huevo frito")
        assert str(extra.price_delta) == "0.869565"  # 1.00 with IVA 15 %
    with tenant_context(shop):
        assert not ModifierGroup.objects.exists()


def test_demo_has_one_inventory_document_of_each_kind(db):
    from backoffice.inventory.models import StockDocument
    from backoffice.inventory.selectors import stock_level_mismatches

    for _ in range(2):
        shop = load_business(SHOP)
    with tenant_context(shop):
        kinds = dict(StockDocument.objects.values_list("kind", "status"))
        assert kinds == {
            "receipt": "posted",
            "adjustment": "posted",
            "count": "draft",
            "transfer": "draft",
        }
        assert stock_level_mismatches(business=shop) == []
