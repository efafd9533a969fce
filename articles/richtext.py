"""An article's body as rich text: one allow-list, enforced with nh3 on every write, and what readers get.

Allowed structure: paragraphs, subheadings (h2, h3), bold, italic, line breaks,
links (http, https, mailto and site-relative), block quotes, ordered and
unordered lists, simple tables (head, body, rows, header and data cells, no
attributes), and figures that refer to a library image by its id
(``<figure data-image-id="N"><figcaption>…</figcaption></figure>``). Nothing
else survives: not an element, not an attribute, not a comment. Sanitising is
html5ever's parse (through nh3), never a regular expression, so mutation
tricks (``<svg><style>``, ``<math>`` nesting, ``<noscript>``) are parsed as a
browser would and dropped with their content.

A body that is not HTML (wire copy, a revision from before rich text) is
plain text: it is escaped into paragraphs, so a literal ``<b>`` or ``*`` stays
literal text.

``render`` turns a clean body into what readers get: subheadings with ids to
link to, tables that scroll sideways on a phone, ``rel="noopener"`` on
external links, and each figure expanded from its library image by a function
the caller passes (``articles.library.figure_html``).
``plain_text`` is what search, passages, JSON-LD and the revision diff read.
"""

import re
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from django.utils.text import slugify

BLOCK_TAGS = frozenset({"p", "h2", "h3", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
                        "figure", "figcaption"})
INLINE_TAGS = frozenset({"strong", "em", "a", "br"})
TAGS = BLOCK_TAGS | INLINE_TAGS
ATTRIBUTES = {"a": {"href"}, "figure": {"data-image-id"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with everything inside them, not just unwrapped: their content is code, not text.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "textarea", "iframe", "object", "embed",
                                  "svg", "math", "title", "xmp", "noembed", "noframes", "select", "option"})
VOID = frozenset({"br"})
# How a stored body that is HTML starts: with one of the block elements the editor writes.
HTML_START = re.compile(r"\s*<(?:p|h2|h3|blockquote|ul|ol|table|figure)[\s>]", re.IGNORECASE)
BLANK_LINE = re.compile(r"\n\s*\n")
# Elements whose text stands apart from the text around it (the others only hold such elements, or are inline).
TEXT_BLOCKS = frozenset({"p", "h2", "h3", "li", "th", "td", "figcaption"})
# What render() changes; a body with none of them is served as it is stored.
RENDERED_MARKERS = ("<h2", "<h3", "<table", "<a ", "<figure")


def is_html(body):
    return bool(HTML_START.match(body or ""))


def allowed_href(value):
    """http(s) and mailto links, and links within the site (/path, #fragment); never //other.host or javascript:."""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme.lower() in URL_SCHEMES and (bool(parts.netloc) or parts.scheme.lower() == "mailto")
    return (value.startswith("/") and not value.startswith("//") and "\\" not in value) or value.startswith("#")


def _attribute_filter(tag, attribute, value):
    if tag == "a" and attribute == "href":
        return value if allowed_href(value) else None
    if tag == "figure" and attribute == "data-image-id":
        return value if value.isdigit() and len(value) < 12 else None
    return value


def _make_cleaner(extra_attributes=None):
    """The allow-list as an nh3 cleaner; ``extra_attributes`` adds elements with their attributes."""
    extra = extra_attributes or {}
    return nh3.Cleaner(
        tags=set(TAGS) | set(extra),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        # "*": none on every element (left out, nh3 would allow lang and title on all of them).
        attributes={"*": set(), **{tag: set(names) for tag, names in {**ATTRIBUTES, **extra}.items()}},
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


_cleaner = _make_cleaner()
# What the editor sends: also the <img> inside a figure, whose src names the library image (see clean()).
_intake_cleaner = _make_cleaner({"img": {"src"}})


def text_paragraphs(text):
    """Plain text's paragraphs: blank lines part them, a line break inside one is a space, empty ones go."""
    paragraphs = (" ".join(part.split()) for part in BLANK_LINE.split((text or "").replace("\r\n", "\n")))
    return [paragraph for paragraph in paragraphs if paragraph]


def text_to_html(text):
    """Plain text as escaped paragraphs (see ``text_paragraphs``)."""
    return paragraphs_to_html(text_paragraphs(text))


def paragraphs_to_html(paragraphs):
    """Paragraphs that are ``text_paragraphs`` already (single-spaced, none empty) as escaped HTML."""
    return "".join(f"<p>{escape(paragraph, quote=False)}</p>" for paragraph in paragraphs)


def text_to_plain(text):
    """What ``plain_text(text_to_html(text))`` returns, without writing the HTML and parsing it back.

    The importer needs both the body and its search text; the round trip
    through the HTML parser was a third of the time it took to write an article.
    """
    return "\n\n".join(text_paragraphs(text))


def clean(body, image_id_for=None):
    """The body as it is stored: allowed structure only. Plain text is escaped into paragraphs first.

    ``image_id_for`` reads what an editor shows: a figure holding an ``<img>``
    whose ``src`` that function maps to a library image's id (the editor's
    preview of it) is stored as a reference to that image; the ``<img>``
    itself never is.
    """
    html = body if is_html(body) else text_to_html(body)
    if image_id_for is None:
        return _serialize(_tidy(_parse(_cleaner.clean(html))))
    root = _parse(_intake_cleaner.clean(html))
    _refer_figures(root, image_id_for)
    return _serialize(_tidy(_parse(_cleaner.clean(_serialize(root)))))


def _refer_figures(node, image_id_for):
    for child in node.children:
        if isinstance(child, str):
            continue
        if child.tag == "figure" and "data-image-id" not in child.attrs:
            img = next((c for c in child.children if isinstance(c, Node) and c.tag == "img"), None)
            image_id = image_id_for(img.attrs.get("src", "")) if img is not None else None
            if image_id is not None:
                child.attrs["data-image-id"] = str(image_id)
        _refer_figures(child, image_id_for)


def figure_ids(body):
    """The ids of the library images a clean body shows as figures."""
    if "<figure" not in (body or ""):
        return set()
    ids = set()

    def walk(node):
        for child in node.children:
            if isinstance(child, Node):
                if child.tag == "figure" and child.attrs.get("data-image-id", "").isdigit():
                    ids.add(int(child.attrs["data-image-id"]))
                walk(child)

    walk(_parse(body))
    return ids


# A small tree over HTML that the cleaner produced (allowed tags and attributes only).


class Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag, attrs=None):
        self.tag, self.attrs, self.children = tag, dict(attrs or {}), []

    def text(self):
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


class Markup(str):
    """HTML that is already safe (made by the caller's figure function from escaped parts): written as it is."""


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node(None)
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, ((name, value or "") for name, value in attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, ((name, value or "") for name, value in attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _parse(html):
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def _serialize(node):
    out = []

    def write(item):
        if isinstance(item, Markup):
            out.append(item)
            return
        if isinstance(item, str):
            out.append(escape(item, quote=False))
            return
        if item.tag is not None:
            attrs = "".join(f' {name}="{escape(value)}"' for name, value in item.attrs.items())
            out.append(f"<{item.tag}{attrs}>")
        for child in item.children:
            write(child)
        if item.tag is not None and item.tag not in VOID:
            out.append(f"</{item.tag}>")

    write(node)
    return "".join(out)


def _tidy(root):
    """What the cleaner leaves that is still not the allowed structure: links without an address,
    figures without a library image, empty paragraphs and text outside any block."""

    def walk(node):
        kept = []
        for child in node.children:
            if isinstance(child, str):
                kept.append(child)
                continue
            walk(child)
            if child.tag == "a" and "href" not in child.attrs:
                kept.extend(child.children)
            elif child.tag == "figure" and "data-image-id" not in child.attrs:
                continue
            elif child.tag == "p" and not child.text().strip() and not any(isinstance(c, Node) for c in child.children):
                continue
            else:
                kept.append(child)
        node.children = kept

    walk(root)
    # Inline content at the top level (text typed outside a paragraph) is wrapped in one.
    top, loose = [], []
    for child in root.children:
        if isinstance(child, Node) and child.tag in BLOCK_TAGS:
            if loose:
                top.append(_paragraph(loose))
                loose = []
            top.append(child)
        else:
            loose.append(child)
    if loose:
        top.append(_paragraph(loose))
    root.children = [node for node in top if node is not None]
    return root


def _paragraph(children):
    if not "".join(c if isinstance(c, str) else c.text() for c in children).strip():
        return None
    node = Node("p")
    node.children = children
    return node


def plain_text(body):
    """The body's text without markup: blocks apart by blank lines (search, passages, JSON-LD, diffs)."""
    if not is_html(body):
        return body or ""
    blocks = [[]]

    def walk(node):
        for child in node.children:
            if isinstance(child, str):
                blocks[-1].append(child)
            elif child.tag == "br":
                blocks[-1].append(" ")
            elif child.tag in TEXT_BLOCKS:
                blocks.append([])
                walk(child)
                blocks.append([])
            else:
                walk(child)

    walk(_parse(body))
    texts = [" ".join("".join(block).split()) for block in blocks]
    return "\n\n".join(text for text in texts if text)


def render(body, site_host=None, origin=None, figure=None):
    """What readers get from a clean body (see the module's docstring).

    ``site_host`` is the host whose links are not external; with ``origin`` (a
    feed's), links within the site are made absolute. ``figure(image_id,
    caption_html, position)`` returns a figure's HTML (safe, escaped by it) or
    None; without it, or when it returns None, the figure is left out.
    ``position`` counts the figures so far, so the first can load eagerly.
    """
    if not is_html(body):
        body = text_to_html(body)
    if not any(marker in body for marker in RENDERED_MARKERS) and not (origin and "<a " in body):
        return body  # clean paragraphs and inline markup: what is stored is what readers get
    root = _parse(body)
    ids = set()
    figures = [0]

    def walk(node):
        children = []
        for child in node.children:
            if isinstance(child, str):
                children.append(child)
                continue
            if child.tag == "figure":
                caption = next((c for c in child.children if isinstance(c, Node) and c.tag == "figcaption"), None)
                if caption is not None:
                    walk(caption)  # links in a caption are treated as in the text
                html = _figure(child, caption, figure, figures[0])
                if html is not None:
                    figures[0] += 1
                    children.append(Markup(html))
                continue
            walk(child)
            if child.tag in ("h2", "h3"):
                child.attrs["id"] = _unique(slugify(child.text(), allow_unicode=True) or "section", ids)
            elif child.tag == "a" and _external(child.attrs.get("href", ""), site_host):
                child.attrs["rel"] = "noopener"
            elif child.tag == "a" and origin and child.attrs.get("href", "").startswith("/"):
                child.attrs["href"] = origin + child.attrs["href"]
            elif child.tag == "table":
                wrapper = Node("div", {"class": "table-scroll", "role": "region", "aria-label": "Table", "tabindex": "0"})
                wrapper.children = [child]
                child = wrapper
            children.append(child)
        node.children = children

    walk(root)
    return _serialize(root)


def replace_figures(body, figure):
    """The body with each figure replaced by what ``figure(image_id, caption_html, position)`` returns (left
    out for None), and nothing else changed: what the editor loads."""
    root = _parse(body)
    count = [0]

    def walk(node):
        children = []
        for child in node.children:
            if isinstance(child, Node) and child.tag == "figure":
                caption = next((c for c in child.children if isinstance(c, Node) and c.tag == "figcaption"), None)
                html = _figure(child, caption, figure, count[0])
                if html is not None:
                    count[0] += 1
                    children.append(Markup(html))
                continue
            if isinstance(child, Node):
                walk(child)
            children.append(child)
        node.children = children

    walk(root)
    return _serialize(root)


def _figure(node, caption, figure, position):
    image_id = node.attrs.get("data-image-id", "")
    if figure is None or not image_id.isdigit():
        return None
    caption_html = _serialize_children(caption) if caption is not None and caption.text().strip() else None
    return figure(int(image_id), caption_html, position)


def _serialize_children(node):
    holder = Node(None)
    holder.children = node.children
    return _serialize(holder)


def _unique(base, taken):
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _external(href, site_host):
    parts = urlsplit(href)
    return parts.scheme in ("http", "https") and parts.netloc.lower() != (site_host or "").lower()
