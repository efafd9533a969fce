"""URLs of named routes without the URL resolver's cost per link.

A page links to dozens of people, organisations, tags and feeds; ``reverse()``
walks the resolver and the thread-local URL conf for each (43 calls, about an
eighth of the entity-dense article's time). ``route_url`` reverses each route
once per URL conf and script prefix with placeholder arguments, then fills in
the real ones. Only arguments a slug route accepts as they are (letters of any
script, digits, ``-``, ``_``; ``/`` between slug-path segments) take that path,
percent-encoded as reverse() encodes them; anything else goes to reverse(),
which answers or raises exactly as before.
"""

import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.encoding import iri_to_uri

SLUG_ARGUMENT = re.compile(r"[-\w]+(?:/[-\w]+)*")
PLACEHOLDER = "__route_argument_{}__"
_templates = {}


def route_url(name, *args):
    """What ``reverse(name, args=args)`` returns, from a template made once."""
    if not all(isinstance(arg, str) and SLUG_ARGUMENT.fullmatch(arg) and "__" not in arg for arg in args):
        return reverse(name, args=args or None)
    key = (name, len(args), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    template = _templates.get(key)
    if template is None:
        template = _templates[key] = reverse(name, args=[PLACEHOLDER.format(i) for i in range(len(args))] or None)
    for i, arg in enumerate(args):
        template = template.replace(PLACEHOLDER.format(i), iri_to_uri(arg))
    return template
