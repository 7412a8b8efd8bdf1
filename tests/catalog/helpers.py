import re


def inline_management(html: str) -> dict:
    """Empty management-form data for every inline formset on an admin page."""
    data = {}
    for prefix in set(re.findall(r'name="([\w-]+)-TOTAL_FORMS"', html)):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data
