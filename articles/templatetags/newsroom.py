import json

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.safestring import mark_safe

register = template.Library()

# Characters that could end a <script> element or open a comment in HTML.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_ld(data):
    """A JSON-LD <script> element that stays inert whatever the text holds (even "</script>")."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


@register.simple_tag(takes_context=True)
def breadcrumb_json_ld(context, crumbs):
    request = context["request"]
    return json_ld(
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": i, "name": crumb.name, "item": request.build_absolute_uri(crumb.url)}
                for i, crumb in enumerate(crumbs, start=1)
            ],
        }
    )


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL with ?page=number, keeping the other query parameters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def article_json_ld(context, article):
    """schema.org NewsArticle for an article page."""
    request = context["request"]
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.standfirst,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.publish_at.isoformat() if article.publish_at else None,
        "dateModified": article.updated_at.isoformat(),
        "inLanguage": article.language,
        "articleSection": article.category.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "author": (
            {"@type": "Person", "name": article.byline}
            if article.byline
            else {"@type": "Organization", "name": settings.NEWSROOM_SITE_NAME}
        ),
        "publisher": {
            "@type": "Organization",
            "name": settings.NEWSROOM_SITE_NAME,
            "logo": {"@type": "ImageObject", "url": request.build_absolute_uri(static("favicon.svg"))},
        },
        "about": [{"@type": "Person", "name": p.name, "url": request.build_absolute_uri(p.get_absolute_url())} for p in article.people.all()],
    }
    corrections = list(article.corrections.all())
    if corrections:
        data["correction"] = [
            {"@type": "CorrectionComment", "text": c.text, "datePublished": c.published_at.isoformat()} for c in corrections
        ]
    if article.lead_image:
        data["image"] = [request.build_absolute_uri(article.lead_image.url)]
    return json_ld({k: v for k, v in data.items() if v not in (None, [], "")})
