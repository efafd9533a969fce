import base64
import hashlib
from functools import lru_cache

from django.conf import settings


def admin_policy():
    """The policy with one inline script allowed by its hash: the import map of the admin's rich-text
    editor (django-prose-editor loads its modules through it). Nothing else inline runs there either.

    The map is rendered for each admin response, as the page renders it, so the hash always matches
    what the page holds (the static files' addresses can change while a process lives: in tests, or
    after collectstatic); only the hashing is remembered.
    """
    from django_prose_editor.widgets import importmap

    tag = str(importmap.render())
    return _with_script_hash(settings.CONTENT_SECURITY_POLICY, tag[tag.index(">") + 1 : tag.rindex("</script>")])


@lru_cache(maxsize=8)
def _with_script_hash(policy, content):
    digest = base64.b64encode(hashlib.sha256(content.encode()).digest()).decode()
    return policy.replace("script-src 'self'", f"script-src 'self' 'sha256-{digest}'", 1)


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy header (Django 5.2 has no built-in one).

    The public templates use no inline script at all, so a script-src of
    'self' blocks any script that hostile text might smuggle into a page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            policy = admin_policy() if request.path.startswith("/admin/") else settings.CONTENT_SECURITY_POLICY
            response.headers.setdefault("Content-Security-Policy", policy)
        return response
