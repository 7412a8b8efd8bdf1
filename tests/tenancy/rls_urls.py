"""A test-only view that reads a tenant table with raw SQL, bypassing the ORM."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path


def raw_categories(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM catalog_category ORDER BY name")
        names = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT current_setting('app.business_id', true)")
        setting = cursor.fetchone()[0]
    return JsonResponse({"names": names, "setting": setting})


urlpatterns = [path("raw/", raw_categories)]
