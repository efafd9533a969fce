"""Parse pages the way a browser or a crawler would, instead of searching strings."""

import json
from html.parser import HTMLParser


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.text_parts = tag, dict(attrs), parent, [], []

    def text(self):
        return "".join(part if isinstance(part, str) else part.text() for part in self.text_parts).strip()

    def matches(self, tag, attrs):
        if tag is not None and self.tag != tag:
            return False
        for key, wanted in attrs.items():
            name = key.rstrip("_").replace("_", "-")
            value = self.attrs.get(name)
            if name == "class":  # one of the element's classes, as CSS selects it
                if wanted not in (value or "").split():
                    return False
            elif value != wanted:
                return False
        return True

    def find_all(self, tag=None, **attrs):
        found = []
        for child in self.children:
            if child.matches(tag, attrs):
                found.append(child)
            found.extend(child.find_all(tag, **attrs))
        return found

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [])
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        self.current.text_parts.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text_parts.append(data)


def parse_html(content):
    if isinstance(content, bytes):
        content = content.decode("utf-8")
    builder = TreeBuilder()
    builder.feed(content)
    builder.close()
    return builder.root


def json_ld(document, type_=None):
    items = [json.loads(script.text()) for script in document.find_all("script", type="application/ld+json")]
    return [item for item in items if type_ is None or item.get("@type") == type_]


def breadcrumb_names(document):
    nav = document.find("nav", aria_label="Breadcrumb")
    return [li.text() for li in nav.find("ol").find_all("li")]


DANGEROUS_TAGS = {"iframe", "object", "embed", "svg", "math", "base", "style", "details", "frame", "frameset"}


def assert_inert(content, *, admin=False):
    """Parse a page; fail if any payload turned into an element, a handler, a script or a javascript: URL."""
    document = parse_html(content)
    assert len(document.find_all("body")) == 1
    for element in document.find_all():
        # The admin has its own inline SVG icons and <details> fieldsets (their attributes are checked below).
        assert element.tag not in DANGEROUS_TAGS or (admin and element.tag in ("svg", "symbol", "details")), element.tag
        assert "autofocus" not in element.attrs or admin, element.tag
        for name, value in element.attrs.items():
            assert not name.startswith("on"), (element.tag, name)
            if name in ("href", "src", "action", "data", "formaction") and value:
                assert not value.strip().lower().startswith(("javascript:", "data:text")), (element.tag, value)
        if element.tag == "script":
            # Only JSON-LD (inert data) and the admin's own external scripts.
            src = element.attrs.get("src") or ""
            ours = src.startswith("/static/") or (admin and src == "/admin/jsi18n/")
            # The admin's rich-text editor also loads its modules through an import map (JSON, allowed by its CSP hash).
            admin_data = admin and element.attrs.get("type") in ("application/json", "importmap")
            assert element.attrs.get("type") == "application/ld+json" or ours or admin_data, element.attrs
            if element.attrs.get("type") in ("application/ld+json", "importmap"):
                json.loads(element.text())
        if element.tag == "meta":
            assert "http-equiv" not in element.attrs
        if element.tag == "link":
            assert "evil.example" not in element.attrs.get("href", "")
    return document
