from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Django's makemessages without fuzzy matching.

    A guessed translation ("Select record" → "efectivo recibido") is worse than
    none: our catalog test reports a new msgid as untranslated instead.
    """

    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
