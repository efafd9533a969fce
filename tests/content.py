"""Content the hostile-text tests and the leak matrix read: built in the test's own database by their fixtures,
or in a running site's database from its shell (tests/test_varnish.py reads the same pages through Varnish).

Both functions only use the models, so ``manage.py shell -c "from tests.content import leak_matrix; ..."``
builds exactly what the in-process tests build.
"""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles import library
from articles.models import Article, Category, Correction, Organization, OrganizationAlias, Person, PersonAlias
from articles.search import index_articles
from tests.payloads import LONG, PAYLOADS

STATES = ["draft", "scheduled", "expired"]
# Every public surface a hidden article could leak through; RELATED is the live article's related list,
# DETAIL the hidden article's own address.
SURFACES = [
    "/", "/matrix/", "/tag/zebra/", "/people/dai-shan/", "/organisations/taobao/", "/search/?q=zebra", "/corrections/",
    "/feed/", "/feed/atom/", "/feed/category/matrix/", "/feed/tag/zebra/", "/feed/people/dai-shan/",
    "/sitemap-articles.xml", "/sitemap-news.xml", "RELATED", "DETAIL",
]


def hostile_articles():
    """One published article per payload, with the payload in every field readers can see (and a long one)."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buffer, "PNG")
    articles = []
    for i, payload in enumerate(PAYLOADS):
        category = Category.objects.create(name=f"{payload} {i}"[:200], slug=f"c{i}")
        person = Person.objects.create(name=payload[:200], slug=f"p{i}", job_title=payload, bio=payload)
        PersonAlias.objects.create(person=person, name=payload[:200])
        org = Organization.objects.create(name=payload[:200], slug=f"o{i}", description=payload)
        OrganizationAlias.objects.create(organization=org, name=payload[:200])
        article = Article.objects.create(
            title=f"{payload} hostile{i}"[:300], slug=f"a{i}", standfirst=payload, body=f"{payload}\n\nhostile {payload}",
            category=category, byline=payload[:300], status=Article.Status.PUBLISHED,
            publish_at=timezone.now() - timedelta(minutes=i + 1),
        )
        article.lead_image = library.add_image(
            SimpleUploadedFile(f"p{i}.png", buffer.getvalue()), alt=payload[:300], caption=payload[:500], credit=payload[:300],
        )
        article.save()
        article.tags.add(payload[:100])
        article.people.add(person)
        article.organizations.add(org)
        Correction.objects.create(article=article, text=payload)
        articles.append(article)
    Article.objects.create(title="Long", slug="long", standfirst=LONG[:5000], body=LONG, category=category,
                           status=Article.Status.PUBLISHED, publish_at=timezone.now())
    index_articles(Article.objects.all())
    return articles


def leak_matrix():
    """(a live article, {state: a hidden one}) in the section "Matrix", all tagged, linked and corrected alike."""
    now = timezone.now()
    section = Category.objects.create(name="Matrix")
    dai_shan, _ = Person.objects.get_or_create(slug="dai-shan", defaults={"name": "Dai Shan"})
    taobao, _ = Organization.objects.get_or_create(slug="taobao", defaults={"name": "Taobao"})

    def make(title, minutes_ago, **fields):
        return Article.objects.create(
            title=title, standfirst=f"{title}, in a sentence.", body=fields.pop("body", f"{title}.\n\nMore."),
            category=section, **{"status": Article.Status.PUBLISHED, "publish_at": now - timedelta(minutes=minutes_ago),
                                 **fields},
        )

    live = make("Visible zebra story", 1, body="zebra")
    make("Another visible story", 2)  # so the related list is not empty
    hidden = {
        "draft": make("Secret draft zebra story", 3, body="zebra", status=Article.Status.DRAFT, publish_at=None),
        "scheduled": make("Secret scheduled zebra story", 4, body="zebra", publish_at=now + timedelta(hours=3)),
        "expired": make("Secret expired zebra story", 5, body="zebra", publish_at=now - timedelta(days=1),
                        unpublish_at=now - timedelta(minutes=1)),
    }
    for article in [live, *hidden.values()]:
        article.tags.add("zebra")
        article.people.add(dai_shan)
        article.organizations.add(taobao)
        Correction.objects.create(article=article, text=f"Correction of {article.title}")
    index_articles([live, *hidden.values()])
    return live, hidden
