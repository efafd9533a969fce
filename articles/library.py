"""The media library's work: adding an image, remaking its renditions, and the HTML a reader gets for it.

Renditions are made here, when an image is uploaded or its focal point
moves (the admin's save, or ``manage.py make_renditions``), never while a reader
waits. Every picture a reader sees in a story (its lead image, a figure in its
body) comes out of ``figure_html``, so alt text, ``srcset``, ``width`` and
``height`` and lazy loading are decided in one place.
"""

from django.db import transaction
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from . import images, richtext
from .models import Article, Image, Person

BODY_SIZES = "(max-width: 56rem) 100vw, 42rem"


@transaction.atomic
def add_image(upload, *, alt, caption="", credit="", focal=(0.5, 0.5), user=None):
    """A new library image from an upload: checked, stripped of metadata, with its renditions made."""
    image = Image(alt=alt, caption=caption, credit=credit, focal_x=focal[0], focal_y=focal[1], uploaded_by=user)
    image.full_clean(exclude=["file"])
    clean = images.clean_upload(upload)
    image.file.save(clean.name, clean, save=False)
    image.save()
    remake_renditions(image)
    return image


def remake_renditions(image, *, crops_only=False):
    """Make the image's renditions (all of them, or only the focal-point crops) and store them."""
    if crops_only and image.renditions.get("webp"):
        image.renditions = images.recrop(image.file, image.renditions, image.focal)
    else:
        image.renditions = images.make_renditions(image.file, image.focal)
    Image.objects.filter(pk=image.pk).update(renditions=image.renditions)


def crop(image, ratio="16:9"):
    """A fixed-ratio crop (url, width, height) for cards and structured data; the file itself until crops exist."""
    found = (image.renditions or {}).get("crops", {}).get(ratio)
    if found:
        return found["url"], found["width"], found["height"]
    return image.file.url, image.width, image.height


def crop_urls(image):
    """Every fixed-ratio crop's URL, widest ratio first (what NewsArticle's ``image`` asks for)."""
    crops = (image.renditions or {}).get("crops", {})
    return [crops[ratio]["url"] for ratio in images.CROP_RATIOS if ratio in crops] or [image.file.url]


def picture_html(image, *, sizes=BODY_SIZES, lazy=True, origin=""):
    """A <picture> of a library image: WebP and fallback srcsets, its size, its alt text; escaped throughout.

    ``origin`` makes the addresses absolute (feeds); ``lazy`` defers loading
    a picture below the fold.
    """
    r = image.renditions or {}
    at = lambda url: origin + url if url.startswith("/") else url  # noqa: E731 (absolute already: a CDN's)
    loading = mark_safe(' loading="lazy"') if lazy else ""
    size = format_html(' width="{}" height="{}"', image.width, image.height) if image.width else ""
    if not r.get("webp"):
        return format_html('<img src="{}" alt="{}"{}{} decoding="async">', at(image.file.url), image.alt, size, loading)
    webp = ", ".join(f"{at(url)} {w}w" for url, w in r["webp"])
    fallback = ", ".join(f"{at(url)} {w}w" for url, w in r["fallback"])
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" alt="{}"{}{} decoding="async"></picture>',
        webp, sizes, at(r["fallback"][-1][0]), fallback, sizes, image.alt, size, loading,
    )


def figure_html(image, caption_html=None, *, lazy=True, origin="", css_class="inline-figure"):
    """A figure of a library image with its caption (the story's own, else the library's) and credit."""
    caption = caption_html if caption_html is not None else escape(image.caption)
    credit = format_html(' <span class="credit">{}</span>', image.credit) if image.credit else ""
    figcaption = f"<figcaption>{caption}{credit}</figcaption>" if caption or credit else ""
    return f'<figure class="{css_class}">{picture_html(image, lazy=lazy, origin=origin)}{figcaption}</figure>'


def images_in(articles):
    """The library images the articles' bodies show, by id, in one query however many articles and figures."""
    ids = set().union(*(richtext.figure_ids(article.body) for article in articles)) if articles else set()
    return {image.pk: image for image in Image.objects.filter(pk__in=ids)} if ids else {}


def body_html(article, by_id, *, site_host=None, origin="", eager_first=False):
    """The article's body as readers get it, each figure expanded from ``by_id`` (see ``images_in``).

    With ``eager_first`` the first figure loads at once (it may be above the
    fold when the story has no lead image); the others load lazily.
    """

    def figure(image_id, caption_html, position):
        image = by_id.get(image_id)
        if image is None:
            return None  # removed from the library, or never in it: the figure is left out
        return figure_html(image, caption_html, lazy=not (eager_first and position == 0), origin=origin)

    return richtext.render(article.body, site_host=site_host, origin=origin or None, figure=figure)


def usage(image):
    """Where an image is used: the articles (lead or body) and the people (photo), for the library's change page."""
    articles = Article.objects.filter(image_uses__image=image).distinct().select_related("category").order_by("-pk")
    return list(articles), list(Person.objects.filter(photo=image))


def shown_to_readers(image):
    """Does a published (or scheduled) article, or a person's page, show this image?"""
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, image_uses__image=image).exists()
        or Person.objects.filter(photo=image).exists()
    )


@transaction.atomic
def save_image(image, *, file_changed, focal_changed, user=None):
    """Save an edited (or new) library image, remaking what its change needs: every rendition for a new
    file, the crops for a moved focal point."""
    if image.pk is None:
        image.uploaded_by = user
    image.save()
    if file_changed:
        remake_renditions(image)
    elif focal_changed:
        remake_renditions(image, crops_only=True)
