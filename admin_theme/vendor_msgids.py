# ruff: noqa: E501
"""Strings of unfold, simple-history and import-export that have no Spanish.

Never imported. `make messages` extracts these calls into our catalogs, which
come first (LOCALE_PATHS), so the back office shows them in Spanish. After
upgrading one of those packages, regenerate this list with
`python manage.py vendor_msgids` and translate what is new.
"""

from django.utils.translation import gettext_noop as _
from django.utils.translation import ngettext_lazy

_("Select record")  # unfold
_("Select action")  # unfold
_("Collapse")  # unfold
_("Name")  # unfold
_("Value")  # unfold
_("Default")  # unfold
_("Code")  # unfold
_("Current file")  # unfold
_("Reset to default")  # unfold
_("No")  # unfold
_("From")  # unfold
_("To")  # unfold
_("Date from")  # unfold
_("Date to")  # unfold
_("Not enough data.")  # unfold
_("Add new item")  # unfold
_("Paragraph")  # unfold
_("Underlined")  # unfold
_("Bold")  # unfold
_("Italic")  # unfold
_("Strike")  # unfold
_("Link")  # unfold
_("Heading")  # unfold
_("Quote")  # unfold
_("Unordered list")  # unfold
_("Ordered list")  # unfold
_("Indent increase")  # unfold
_("Indent decrease")  # unfold
_("Undo")  # unfold
_("Redo")  # unfold
_("Enter an URL")  # unfold
_("Unlink")  # unfold
_("Object permissions")  # unfold
_("Object")  # unfold
_("Group")  # unfold
_("Group permissions")  # unfold
_("Edit")  # unfold
_("Manage group")  # unfold
_("User permissions")  # unfold
_("Manage user")  # unfold
_("Select format")  # unfold
ngettext_lazy(
    "\n                    Export %(len)s selected item.\n                ",
    "\n                    Export %(len)s selected items.\n                ",
    1,
)  # unfold
_("This exporter will export the following fields")  # unfold
_("View traceback")  # unfold
_("This exporter will export the following fields: ")  # unfold
_("%(class_name)s %(instance)s")  # unfold
_(
    "Choose a date from the list below to revert to a previous version of this object"
)  # unfold
_("This object doesn't have a change history.")  # unfold
_("Press the 'Revert' button below to revert to this version of the object.")  # unfold
_("Press the 'Change History' button below to edit the history.")  # unfold
_("Comment")  # unfold
_("Changed by")  # unfold
_("Change reason")  # unfold
_("Changes")  # unfold
_("Revert")  # unfold
_("Change History")  # unfold
_("Select action to run")  # unfold
_(
    'Raw passwords are not stored, so there is no way to see this user’s password, but you can change the password using <a href="{}" class="text-primary-600 dark:text-primary-500">this form</a>.'
)  # unfold
_("Select value")  # unfold
_("Dataset not found. No action performed.")  # unfold
_("You can not create nested object without parent")  # unfold
_("Run")  # unfold
_("After you've created a user, you’ll be able to edit more user options.")  # unfold
_("Filters")  # unfold
_("Expand row")  # unfold
_("Welcome back to")  # unfold
_("Forgotten your password or username?")  # unfold
_("Type to search")  # unfold
_("You have been successfully logged out from the administration")  # unfold
_("No data")  # unfold
_("More actions")  # unfold
_("All applications")  # unfold
_("True")  # unfold
_("False")  # unfold
_("Apply Filters")  # unfold
_("Select all rows")  # unfold
_("Recent searches")  # unfold
_("No recent searches")  # unfold
_("No results matching your query")  # unfold
_("Loading more results...")  # unfold
ngettext_lazy(
    "\n                Found %(counter)s result in %(time)s seconds\n            ",
    "\n                Found %(counter)s results in %(time)s seconds\n            ",
    1,
)  # unfold
_("Cancel")  # unfold
_("Record picture")  # unfold
_("This item will be deleted.")  # unfold
_("Click to cancel")  # unfold
_("No results found")  # unfold
_(
    "This page yielded into no results. Create a new item or reset your filters."
)  # unfold
_("Reset filters")  # unfold
_("Image preview")  # unfold
_("Click to download")  # unfold
_("Go back")  # unfold
_("Previous")  # unfold
_("Next")  # unfold
_("Search apps and models...")  # unfold
_("General")  # unfold
_("Light")  # unfold
_("Dark")  # unfold
_("System")  # unfold
_("Return to site")  # unfold
_("%(full_result_count)s total")  # unfold
_("Choose file to upload")  # unfold
_("Toggle password visibility")  # unfold
_("Add row")  # unfold
_("Date")  # unfold
_("Select currency")  # unfold
_("View history: %s")  # simple_history
_('The %(name)s "%(obj)s" was changed successfully.')  # simple_history
_("You may edit it again below")  # simple_history
_("Revert %s")  # simple_history
_("Created")  # simple_history
_("Changed")  # simple_history
_("Deleted")  # simple_history
_("Deleted %(type_name)s")  # simple_history
_(
    "Choose a date from the list below to revert to a previous version of this object."
)  # simple_history
_("View %(verbose_name)s")  # simple_history
_("Revert %(verbose_name)s")  # simple_history
_("%s through import_export")  # import_export
_("Import finished: {} new, {} updated, {} deleted and {} skipped {}.")  # import_export
_(
    "No valid data to import. Ensure your file has the correct headers or data for import."
)  # import_export
_("export failed due to IllegalCharacterError")  # import_export
_("Form is not validated, call `is_valid` first")  # import_export
_('Select at least 1 field for "%(resource_name)s" to export')  # import_export
_(
    "The following fields are declared in 'import_id_fields' but are not present in the resource fields: %s"
)  # import_export
_(
    "The following fields are declared in 'import_id_fields' but are not present in the file headers: %s"
)  # import_export
_("call to force_str() on instance failed: %s")  # import_export
ngettext_lazy(
    "Export %(len)s selected item.", "Export %(len)s selected items.", 1
)  # import_export
_("Select all")  # import_export
_("Value could not be parsed.")  # import_export
_("use_natural_foreign_keys and key_is_id cannot both be True")  # import_export
