"""The one rule of who may change what readers see.

A Writer writes drafts; publishing, unpublishing, scheduling, changing or
deleting a published article and creating categories need an editor's
permissions. ``user`` None means the newsroom itself (a command run without
``--user``, a scheduled change going live), which may do anything.

Every write path calls these functions; none re-states the rule.
"""

from django.core.exceptions import PermissionDenied

PUBLISH_PERMISSION = "articles.publish_article"
CATEGORY_PERMISSION = "articles.add_category"
PREVIEW_PERMISSION = "articles.view_article"
PUBLISHED = "published"


def can_publish(user):
    """May ``user`` publish, unpublish and schedule, and change or delete published articles?"""
    return user is None or user.has_perm(PUBLISH_PERMISSION)


def may_change_article(user, stored_status):
    """May ``user`` change (or delete) an article whose stored status is ``stored_status``?

    ``stored_status`` is None for an article that does not exist yet.
    """
    return stored_status != PUBLISHED or can_publish(user)


def check_article_write(user, stored_status, new_status, title=""):
    """Raise PermissionDenied, saying why, unless ``user`` may turn the stored article into one with ``new_status``."""
    if not may_change_article(user, stored_status):
        raise PermissionDenied(f"“{title}” is published; only an editor may change it." if title else
                               "This article is published; only an editor may change it.")
    if new_status == PUBLISHED and stored_status != PUBLISHED and not can_publish(user):
        raise PermissionDenied("Only an editor may publish or schedule an article.")


def check_may_publish(user):
    if not can_publish(user):
        raise PermissionDenied("Only an editor may publish or schedule articles.")


def may_create_category(user):
    return user is None or user.has_perm(CATEGORY_PERMISSION)


def check_may_create_category(user, name_path):
    if not may_create_category(user):
        raise PermissionDenied(f"there is no category “{name_path}”, and only an editor may create one")


def may_preview(user):
    """May ``user`` read drafts on the public pages (as a marked preview)?"""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff
                and user.has_perm(PREVIEW_PERMISSION))


def may_change_image(user, shown_to_readers):
    """May ``user`` change or delete a library image? One that published articles or people's pages show
    is part of what readers see, so it needs an editor, like the articles themselves."""
    return not shown_to_readers or can_publish(user)


WEBHOOK_PERMISSION = "articles.change_endpoint"


def may_manage_webhooks(user):
    """Webhook endpoints hold secrets and send content out of the newsroom: the Admin role alone (and
    superusers) manages them and their delivery log; the migration grants the permission to Admin only."""
    return bool(user is not None and user.is_active and user.is_staff and user.has_perm(WEBHOOK_PERMISSION))
