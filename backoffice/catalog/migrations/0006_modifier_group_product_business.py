"""The modifier-group ↔ product link table gets its business (and so RLS).

The auto-created M2M table becomes the explicit `ModifierGroupProduct` (same
table, same rows), then gains `business_id`, filled from each link's group.
"""

import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
from django.db import migrations, models

import backoffice.catalog.models

FILL = (
    "UPDATE catalog_modifiergroup_products SET business_id = ("
    "SELECT g.business_id FROM catalog_modifiergroup g "
    "WHERE g.id = catalog_modifiergroup_products.modifiergroup_id)"
)


TABLE = "catalog_modifiergroup_products"


def fill_business(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Row-level security hides every group from the app role unless the
        # setting says "all" (local to this migration's transaction); the
        # link table itself is not FORCEd until post_migrate adds its policy.
        schema_editor.execute("SELECT set_config('app.business_id', '*', true)")
        schema_editor.execute(f'ALTER TABLE "{TABLE}" NO FORCE ROW LEVEL SECURITY')
    schema_editor.execute(FILL)


def drop_policy(apps, schema_editor):
    """Going back: the plain M2M table has no business_id, so no policy."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{TABLE}"')
        schema_editor.execute(f'ALTER TABLE "{TABLE}" NO FORCE ROW LEVEL SECURITY')
        schema_editor.execute(f'ALTER TABLE "{TABLE}" DISABLE ROW LEVEL SECURITY')


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_constraint_messages"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ModifierGroupProduct",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "modifiergroup",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="catalog.modifiergroup",
                                verbose_name="grupo",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="catalog.product",
                                verbose_name="producto",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "catalog_modifiergroup_products",
                        "unique_together": {("modifiergroup", "product")},
                        "base_manager_name": "unscoped_objects",
                        "verbose_name": "producto del grupo",
                        "verbose_name_plural": "productos del grupo",
                    },
                    managers=[
                        ("objects", django.db.models.manager.Manager()),
                        ("unscoped_objects", django.db.models.manager.Manager()),
                    ],
                ),
                migrations.AlterField(
                    model_name="modifiergroup",
                    name="products",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="modifier_groups",
                        through="catalog.ModifierGroupProduct",
                        to="catalog.product",
                        verbose_name="productos",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="modifiergroupproduct",
            name="business",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tenancy.business",
            ),
        ),
        migrations.AddField(
            model_name="modifiergroupproduct",
            name="created_at",
            field=models.DateTimeField(
                auto_now_add=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="modifiergroupproduct",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.RunPython(fill_business, drop_policy),
        migrations.AlterField(
            model_name="modifiergroupproduct",
            name="business",
            field=models.ForeignKey(
                default=backoffice.catalog.models._business_in_context,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tenancy.business",
            ),
        ),
        migrations.AlterUniqueTogether(
            name="modifiergroupproduct", unique_together=set()
        ),
        migrations.AddConstraint(
            model_name="modifiergroupproduct",
            constraint=models.UniqueConstraint(
                fields=("business", "modifiergroup", "product"),
                name="uniq_modifier_group_product",
            ),
        ),
    ]
