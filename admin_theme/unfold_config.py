from django.templatetags.static import static

UNFOLD = {
    "SITE_TITLE": "SouthernPOS",
    "SITE_HEADER": "SouthernPOS",
    "SITE_SYMBOL": "point_of_sale",
    "SITE_URL": "/pos/",
    "SHOW_HISTORY": True,
    "SHOW_LANGUAGES": True,
    "SHOW_VIEW_ON_SITE": False,
    "DASHBOARD_CALLBACK": "admin_theme.dashboard.dashboard_callback",
    "STYLES": [lambda request: static("admin_theme/admin.css")],
    "SITE_FAVICONS": [
        {
            "rel": "icon",
            "type": "image/svg+xml",
            "href": lambda request: static("admin_theme/favicon.svg"),
        }
    ],
    "COLORS": {
        "primary": {
            "50": "240 253 250",
            "100": "204 251 241",
            "200": "153 246 228",
            "300": "94 234 212",
            "400": "45 212 191",
            "500": "20 184 166",
            "600": "13 148 136",
            "700": "15 118 110",
            "800": "17 94 89",
            "900": "19 78 74",
            "950": "4 47 46",
        }
    },
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "admin_theme.navigation.sidebar",
    },
}
