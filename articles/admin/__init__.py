"""The editors' admin: every model editable, with the lists and shortcuts a news desk needs.

One module per model family (``articles``, ``categories``, ``entities``, the image library in ``media``,
old addresses in ``paths``, webhook endpoints and deliveries in ``webhooks``; tags
use taggit's own admin), with their ``forms``, list ``filters``, the custom
``views`` (compare revisions, import files, revoke previews) and the import
page's ``uploads``. Business
rules are not here: the admin asks ``articles.publishing`` (who may, and how
an edit, a publish or a restore is done) and the import service.
"""

from . import articles, categories, entities, media, paths, webhooks  # noqa: F401  (registers the model admins)
