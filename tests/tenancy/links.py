"""Find the links SouthernPOS e-mails, to follow them as the recipient would."""

import re

_LINK = re.compile(r"http://testserver(/\S+)")


def link_in(mail, prefix: str) -> str:
    """The path of the one link in a message that starts with `prefix`."""
    (path,) = [p for p in _LINK.findall(mail.body) if p.startswith(prefix)]
    return path


def mail_to(outbox, address: str) -> list:
    return [m for m in outbox if m.to == [address]]
