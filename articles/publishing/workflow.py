"""Changing what readers see: edits, pending changes, publish, unpublish, and what falls due.

Each function checks ``rules`` for the acting user, writes in one transaction,
and leaves a revision with who and why. The version number goes up in one
place only, ``Article.save()``; the page cache and the search index hear of
every save through ``articles.signals``. The admin's forms and actions, the
scheduler and the tests all call these functions.
"""

import reversion
from django.db import transaction
from django.utils import timezone

from ..models import Article
from . import rules
from .revisions import changed_fields, changed_since, current_fields


def save_edit(article, user, *, keep_live=False):
    """Save an edit of ``article`` as ``user`` made it (the admin's change or add form).

    On a live article, ``keep_live`` sets the text changes aside as pending:
    readers and search keep the live text until they are published.
    Without it the edit is what readers see at once, and drops any pending rework.
    """
    stored = Article.objects.select_for_update().filter(pk=article.pk).first() if article.pk else None
    rules.check_article_write(user, stored.status if stored else None, article.status, article.title)
    if stored is not None:
        if keep_live and stored.is_live:
            _set_aside(article, stored, user)
        else:
            article.pending_changes = None
            article.pending_publish_at = None
    article.save()


def _set_aside(article, live, user):
    article.pending_changes = {name: getattr(article, name) for name in Article.PENDING_FIELDS}
    article.pending_changes.update(
        saved_by=user.get_username() if user else "", saved_at=timezone.now().isoformat()
    )
    for name in Article.PENDING_FIELDS:
        setattr(article, name, getattr(live, name))


def edit_conflict(article, base_version, submitted):
    """Why a save based on ``base_version`` would lose someone's edit, or None if it would not.

    Locks the article's row until the caller's transaction ends, so two saves
    cannot both pass. Returns (message, stored version): the message names who
    saved meanwhile, when, and which fields changed (or, with no revision of
    the editor's version, where ``submitted`` differs from what is stored).
    """
    if not article.pk or base_version is None:
        return None
    current = Article.objects.select_for_update().filter(pk=article.pk).values_list("version", flat=True).first()
    if current is None or current == base_version:
        return None
    changed, newest = changed_since(article, base_version)
    label = "Changed meanwhile"
    if not changed:
        label = "The saved version differs from yours in"
        saved = current_fields(article)
        mine = {**saved, **{k: v for k, v in submitted.items() if k in saved}}
        mine["category"] = getattr(mine.get("category"), "pk", mine.get("category"))
        mine["lead_image"] = getattr(mine.get("lead_image"), "pk", mine.get("lead_image"))
        changed = changed_fields(saved, mine)
    who = ""
    if newest is not None:
        saver = newest.revision.user
        who = f" by {saver.get_username() if saver else 'an import'} at {timezone.localtime(newest.revision.date_created):%H:%M:%S}"
    what = f" {label}: {', '.join(changed)}." if changed else ""
    message = (
        f"This article was saved{who} while you were editing it (version {base_version} became {current}).{what} "
        "Your text is still in the form below: compare it with the saved version (History, then Compare), "
        "and save again to keep yours."
    )
    return message, current


def _each(articles, user, change, comment):
    """Apply ``change`` to each article in its own transaction, with a revision; returns the articles changed."""
    done = []
    for pk in [article.pk for article in articles]:
        with transaction.atomic(), reversion.create_revision():
            article = Article.objects.select_for_update().get(pk=pk)
            if change(article) is False:
                continue
            article.save()
            reversion.set_user(user)
            reversion.set_comment(comment)
        done.append(article)
    return done


def publish(articles, user, now=None):
    """Publish drafts now, or at their publish time if it is still to come (scheduling)."""
    rules.check_may_publish(user)
    now = now or timezone.now()

    def go_live(article):
        if article.status == Article.Status.PUBLISHED:
            return False
        article.status = Article.Status.PUBLISHED
        article.publish_at = article.publish_at or now

    return _each(articles, user, go_live, "Published.")


def unpublish(articles, user):
    """Take published articles back to drafts: off every public page at once."""
    rules.check_may_publish(user)

    def take_down(article):
        if article.status != Article.Status.PUBLISHED:
            return False
        article.status = Article.Status.DRAFT

    return _each(articles, user, take_down, "Unpublished.")


def publish_pending(articles, user):
    """Make the pending rework of live articles what readers see."""
    rules.check_may_publish(user)

    def release(article):
        if not article.pending_changes:
            return False
        article.publish_pending_changes()

    return _each(articles, user, release, "Published pending changes.")


def publish_due(now=None, limit=50):
    """Publish every pending rework whose time has come (the newsroom itself acts); returns how many."""
    now = now or timezone.now()

    def release_if_due(article):  # looked at again under the row lock: an editor may have moved the time
        if not article.pending_changes or article.pending_publish_at is None or article.pending_publish_at > now:
            return False
        article.publish_pending_changes()

    due = Article.objects.filter(pending_publish_at__lte=now, pending_changes__isnull=False).order_by("pk")[:limit]
    return len(_each(list(due), None, release_if_due, "Published pending changes at their scheduled time."))
