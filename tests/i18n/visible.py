"""The text a person sees on a page: tag contents and a few attributes."""

import re
from html.parser import HTMLParser

HIDDEN = {"script", "style", "template", "noscript", "head"}
SHOWN_ATTRS = {"placeholder", "title", "aria-label", "alt"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        attrs = dict(attrs)
        for name in SHOWN_ATTRS:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in {"submit", "button"}:
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def found(words, text: str) -> list[str]:
    """The words (whole words, case-sensitive) that occur in `text`."""
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
