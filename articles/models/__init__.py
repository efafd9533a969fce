"""The newsroom's content, a module per concern:

* ``categories``: sections and their slug paths; ``tree``: the category tree a page reads once
* ``articles``: Article (``Article.objects.published()``), Correction, SearchEntry
* ``entities``: Person, Organization, their aliases, Listing (tickers), Role; identifier validators
* ``media``: the media library's Image and where each is used (ImageUse)
* ``structure``: StructureFact, an organisation's changes over time
* ``paths``: OldPath, addresses that answer with a 301
* ``site``: SiteState, the page cache's content generation
* ``uploads``: where uploaded files go
* ``webhooks``: webhook endpoints, the delivery queue, deleted articles' ids

Models hold data and the rules of their own fields; changing what readers see
goes through ``articles.publishing``, and every save or delete tells the page
cache through the receivers in ``articles.signals``.
"""

from .articles import Article, ArticleOrganization, ArticlePerson, ArticleQuerySet, Correction, Grade, SearchEntry
from .categories import Category, slug_path_url
from .entities import Alias, Listing, Organization, OrganizationAlias, Person, PersonAlias, Role
from .media import Image, ImageUse
from .structure import StructureFact
from .paths import OldPath
from .site import SiteState
from .tree import CategoryTree
from .uploads import upload_path
from .webhooks import EVENTS, DeletedArticle, Delivery, Endpoint, ScheduleMark

__all__ = [
    "EVENTS", "Alias", "Article", "ArticleOrganization", "ArticlePerson", "ArticleQuerySet", "Category", "CategoryTree",
    "Correction", "DeletedArticle", "Delivery", "Endpoint", "Grade", "Image", "ImageUse", "Listing", "OldPath",
    "Organization", "OrganizationAlias", "Person", "PersonAlias", "Role", "ScheduleMark", "SearchEntry", "SiteState",
    "StructureFact", "slug_path_url", "upload_path",
]
