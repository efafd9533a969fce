"""Webhooks and WebSub: queued with the change, signed, sent by the worker with retries, guarded, admin-managed."""

import json
import time
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Correction, Delivery, Endpoint
from articles.publishing import workflow
from articles.webhooks import events, signing, transport, worker
from tests.conftest import NO_CORRECTIONS, form_data  # noqa: F401
from tests.receivers import Receiver

pytestmark = pytest.mark.django_db
ALL_EVENTS = ["article.published", "article.updated", "article.unpublished", "article.corrected", "category.changed"]


@pytest.fixture(autouse=True)
def allow_loopback(settings):
    settings.NEWSROOM_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.0/8"]
    settings.NEWSROOM_WEBHOOK_RETRY_SECONDS = 0.05
    settings.NEWSROOM_WEBHOOK_TIMEOUT = 2
    settings.NEWSROOM_SITE_URL = "https://news.example.com"


def endpoint_for(receiver, events_=None, secret="s3cret-shared"):
    return Endpoint.objects.create(url=receiver.url, secret=secret, events=events_ or ALL_EVENTS)


def drain(until=lambda: False, rounds=60):
    """Run the worker until nothing is due and ``until()`` holds (retries come due after their backoff)."""
    for _ in range(rounds):
        worker.run_once()
        if until() and not Delivery.objects.filter(status=Delivery.Status.PENDING).exists():
            return
        time.sleep(0.05)


def test_a_publish_through_the_admin_reaches_the_receiver_signed_within_seconds(member, make_article):
    editor = member("Editor")
    draft = make_article(status=Article.Status.DRAFT, title="Big Taobao reorganises")
    with Receiver() as receiver:
        endpoint_for(receiver)
        started = time.monotonic()
        editor.post(reverse("admin:articles_article_changelist"), {"action": "publish", "_selected_action": [draft.pk]})
        worker.run_once()
        assert receiver.wait_for(1, timeout=5)
        assert receiver.requests[0]["at"] - started < 5
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    assert signing.verify("s3cret-shared", headers[signing.TIMESTAMP_HEADER], body, headers[signing.SIGNATURE_HEADER])
    assert not signing.verify("another-secret", headers[signing.TIMESTAMP_HEADER], body, headers[signing.SIGNATURE_HEADER])
    assert abs(int(headers[signing.TIMESTAMP_HEADER]) - time.time()) < 60
    payload = json.loads(body)
    assert payload["event"] == "article.published" and payload["id"] == headers[signing.DELIVERY_HEADER]
    assert payload["article"]["id"] == draft.pk and payload["article"]["title"] == "Big Taobao reorganises"
    assert payload["article"]["canonical_url"].startswith("https://news.example.com/")
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED


def test_a_receiver_answering_500_twice_gets_the_delivery_on_the_third_attempt(make_article):
    with Receiver(answers=[500, 500]) as receiver:
        endpoint_for(receiver)
        workflow.publish([make_article(status=Article.Status.DRAFT)], None)
        drain(until=lambda: len(receiver.requests) >= 3)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (Delivery.Status.DELIVERED, 3, 200)
    assert len(receiver.requests) == 3
    assert len({r["body"] for r in receiver.requests}) == 1  # every retry sends the same bytes
    assert len({r["headers"][signing.DELIVERY_HEADER] for r in receiver.requests}) == 1


def test_retries_back_off_exponentially_and_stop_as_failed(make_article, settings):
    settings.NEWSROOM_WEBHOOK_RETRY_SECONDS = 30
    settings.NEWSROOM_WEBHOOK_MAX_ATTEMPTS = 3
    assert [worker.backoff(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    with Receiver(answers=[503] * 5) as receiver:
        endpoint_for(receiver)
        workflow.publish([make_article(status=Article.Status.DRAFT)], None)
        now = timezone.now()
        for step in range(3):
            worker.run_once(now=now)
            delivery = Delivery.objects.get()
            if step < 2:
                assert delivery.status == Delivery.Status.PENDING and delivery.response_code == 503
                assert delivery.next_attempt_at - timezone.now() > timedelta(seconds=25 * 2 ** step)
                now = delivery.next_attempt_at + timedelta(seconds=1)
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == (Delivery.Status.FAILED, 3, 3)


def test_a_rolled_back_change_sends_nothing(make_article):
    draft = make_article(status=Article.Status.DRAFT)
    with Receiver() as receiver:
        endpoint_for(receiver)
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                workflow.publish([draft], None)
                assert Delivery.objects.count() == 1  # queued with the change...
                raise RuntimeError("the change fails after the publish")
        assert Delivery.objects.count() == 0  # ...and gone with it
        worker.run_once()
        time.sleep(0.2)
    assert receiver.requests == []


def test_each_event_is_queued_once_for_the_endpoints_that_asked_for_it(make_article, make_category):
    with Receiver() as receiver:
        only_published = endpoint_for(receiver, ["article.published"])
        everything = endpoint_for(receiver)
        Endpoint.objects.create(url=receiver.url, secret="x", events=ALL_EVENTS, active=False)
        article = make_article(status=Article.Status.DRAFT)
        workflow.publish([article], None)
        article.refresh_from_db()
        article.title = "Edited while live"
        workflow.save_edit(article, None)
        Correction.objects.create(article=article, text="A figure was wrong.")
        article.refresh_from_db()
        article.standfirst = "A rework set aside"
        workflow.save_edit(article, None, keep_live=True)  # readers see nothing new: no update
        workflow.unpublish([article], None)
        article.category.name = "Renamed section"
        article.category.save()  # no live article left in it: a section readers cannot see is not announced
        live = make_article(category=make_category("Public section"))
        live.category.name = "Public section, renamed"
        live.category.save()
    sent = list(Delivery.objects.filter(endpoint=everything).order_by("pk").values_list("event", flat=True))
    assert sent == ["article.published", "article.updated", "article.corrected", "article.unpublished",
                    "article.published", "category.changed"]
    assert list(Delivery.objects.filter(endpoint=only_published).values_list("event", flat=True)) == [
        "article.published", "article.published"]


def test_a_takedown_carries_the_id_and_url_not_the_article(make_article):
    article = make_article()
    with Receiver() as receiver:
        endpoint_for(receiver)
        workflow.unpublish([article], None)
        drain(until=lambda: receiver.requests)
    payload = json.loads(receiver.requests[0]["body"])
    assert payload["event"] == "article.unpublished"
    assert payload["article"] == {
        "id": article.pk, "url": f"https://news.example.com/api/v1/articles/{article.pk}/",
        "canonical_url": f"https://news.example.com{article.get_absolute_url()}"}


def test_a_scheduled_article_fires_published_at_its_time_once(make_article):
    with Receiver() as receiver:
        endpoint_for(receiver)
        worker.run_once()  # the worker's first look sets its mark
        soon = timezone.now() + timedelta(minutes=10)
        workflow.publish([make_article(status=Article.Status.DRAFT, publish_at=soon)], None)
        assert Delivery.objects.count() == 0  # scheduled, not live: nothing yet
        assert events.announce_due(soon - timedelta(minutes=1)) == 0
        assert events.announce_due(soon + timedelta(seconds=1)) == 1
        assert events.announce_due(soon + timedelta(seconds=5)) == 0
    assert list(Delivery.objects.values_list("event", flat=True)) == ["article.published"]


def test_an_article_reaching_its_unpublish_time_fires_unpublished(make_article):
    article = make_article(unpublish_at=timezone.now() + timedelta(minutes=5))
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() - timedelta(minutes=1))
    with Receiver() as receiver:
        endpoint_for(receiver)
        events.announce_due()
        assert events.announce_due(timezone.now() + timedelta(minutes=6)) == 1
    assert list(Delivery.objects.values_list("event", flat=True)) == ["article.unpublished"]


@pytest.mark.parametrize("host", ["10.1.2.3", "192.168.0.10", "172.16.0.1", "169.254.169.254", "127.0.0.1", "::1",
                                  "::ffff:127.0.0.1", "0.0.0.0", "fd00::1", "fe80::1", "224.0.0.1"])
def test_private_loopback_and_link_local_addresses_are_refused(settings, host):
    settings.NEWSROOM_WEBHOOK_ALLOW_NETWORKS = []
    with pytest.raises(transport.Refused):
        transport.vetted_address(host, 80)


def test_a_name_resolving_to_a_private_address_is_refused_after_resolution(settings, make_article):
    settings.NEWSROOM_WEBHOOK_ALLOW_NETWORKS = []
    with Receiver() as receiver:
        Endpoint.objects.create(url=receiver.url.replace("127.0.0.1", "localhost"), secret="x", events=ALL_EVENTS)
        workflow.publish([make_article(status=Article.Status.DRAFT)], None)
        worker.run_once()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and "refused" in delivery.last_error
    assert receiver.requests == []


def test_redirects_are_not_followed(make_article, settings):
    settings.NEWSROOM_WEBHOOK_MAX_ATTEMPTS = 1
    with Receiver(redirect_to="http://127.0.0.1:1/elsewhere") as receiver:
        endpoint_for(receiver)
        workflow.publish([make_article(status=Article.Status.DRAFT)], None)
        worker.run_once()
    delivery = Delivery.objects.get()
    assert delivery.response_code == 302 and delivery.status == Delivery.Status.FAILED
    assert "redirect" in delivery.last_error and len(receiver.requests) == 1


def test_a_receiver_slower_than_the_timeout_counts_as_a_failed_attempt(make_article, settings):
    settings.NEWSROOM_WEBHOOK_TIMEOUT = 0.5
    with Receiver(hold=3) as receiver:
        endpoint_for(receiver)
        workflow.publish([make_article(status=Article.Status.DRAFT)], None)
        started = time.monotonic()
        worker.run_once()
        assert time.monotonic() - started < 2.5
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.response_code is None
    assert "timed out" in delivery.last_error.lower()


def test_only_the_admin_role_manages_endpoints_and_sees_deliveries(member):
    url = reverse("admin:articles_endpoint_changelist")
    for role in ("Writer", "Editor"):
        client = member(role)
        assert client.get(url).status_code == 403
        assert client.get(reverse("admin:articles_delivery_changelist")).status_code == 403
        assert client.post(reverse("admin:articles_endpoint_add"), {"url": "https://x.example/", "secret": "s",
                                                                    "events": ["article.published"]}).status_code == 403
    admin_client = member("Admin")
    response = admin_client.post(reverse("admin:articles_endpoint_add"), {
        "url": "https://partner.example/hook", "secret": "shared", "events": ["article.published", "category.changed"],
        "active": "on"})
    assert response.status_code == 302, response.content[:2000]
    assert Endpoint.objects.get().events == ["article.published", "category.changed"]
    assert admin_client.get(url).status_code == 200


def test_the_delivery_log_shows_status_and_resend_queues_it_again(member, make_article):
    admin_client = member("Admin")
    with Receiver(answers=[500]) as receiver:
        endpoint_for(receiver)
        workflow.publish([make_article(status=Article.Status.DRAFT)], None)
        Delivery.objects.update(next_attempt_at=timezone.now())
        worker.run_once()
        first = Delivery.objects.get()
        Delivery.objects.filter(pk=first.pk).update(status=Delivery.Status.FAILED)
        page = admin_client.get(reverse("admin:articles_delivery_changelist"))
        assert page.status_code == 200 and b"500" in page.content
        admin_client.post(reverse("admin:articles_delivery_changelist"),
                          {"action": "resend", "_selected_action": [first.pk]})
        drain(until=lambda: len(receiver.requests) >= 2)
    again = Delivery.objects.exclude(pk=first.pk).get()
    assert again.status == Delivery.Status.DELIVERED and again.event == first.event
    assert json.loads(receiver.requests[-1]["body"])["id"] == str(again.pk)


def test_feeds_name_the_websub_hub(client, make_article, settings):
    settings.NEWSROOM_WEBSUB_HUBS = ["https://hub.example.com/"]
    make_article()
    atom_ns = "{http://www.w3.org/2005/Atom}"
    rss = ElementTree.fromstring(client.get("/feed/").content)
    links = {link.get("rel"): link.get("href") for link in rss.find("channel").findall(f"{atom_ns}link")}
    assert links["hub"] == "https://hub.example.com/" and links["self"].endswith("/feed/")
    atom = ElementTree.fromstring(client.get("/feed/atom/").content)
    links = {link.get("rel"): link.get("href") for link in atom.findall(f"{atom_ns}link")}
    assert links["hub"] == "https://hub.example.com/"


def test_a_publish_pings_the_hub_for_the_feeds_it_changes_once_per_burst(make_article, settings):
    with Receiver() as hub:
        settings.NEWSROOM_WEBSUB_HUBS = [hub.url]
        drafts = [make_article(status=Article.Status.DRAFT) for _ in range(3)]
        workflow.publish(drafts, None)
        pings = Delivery.objects.filter(kind=Delivery.Kind.WEBSUB)
        assert pings.count() == 4  # site RSS and Atom, the section's RSS and Atom: once, not once per article
        drain(until=lambda: len(hub.requests) >= 4)
    from urllib.parse import parse_qs

    topics = {parse_qs(r["body"].decode())["hub.url"][0] for r in hub.requests}
    assert {r["headers"]["Content-Type"] for r in hub.requests} == {"application/x-www-form-urlencoded"}
    assert all(parse_qs(r["body"].decode())["hub.mode"] == ["publish"] for r in hub.requests)
    section = drafts[0].category.path
    assert topics == {f"https://news.example.com{p}" for p in
                      ("/feed/", "/feed/atom/", f"/feed/category/{section}/", f"/feed/atom/category/{section}/")}


def test_an_import_with_publish_announces_each_live_article_once(tmp_path, settings):
    from articles.importing import ImportOptions, import_files

    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"Title: Wire report {i}\nCategory: Wire\n\nBody {i}.\n", encoding="utf-8")
    (tmp_path / "later.txt").write_text("Title: Embargoed\nCategory: Wire\nDate: 2099-01-01\n\nLater.\n", encoding="utf-8")
    with Receiver() as receiver:
        endpoint_for(receiver, ["article.published"])
        import_files([tmp_path], ImportOptions(publish=True))
    titles = set(Article.objects.filter(pk__in=Delivery.objects.values("article_id")).values_list("title", flat=True))
    assert titles == {"Wire report 0", "Wire report 1", "Wire report 2"}  # the embargoed one goes out at its time
    assert Delivery.objects.count() == 3


def test_the_delivered_article_is_the_article_as_the_api_shows_it(client, make_article):
    article = make_article(status=Article.Status.DRAFT, byline="Desk")
    article.tags.add("Retail")
    with Receiver() as receiver:
        endpoint_for(receiver)
        workflow.publish([article], None)
        drain(until=lambda: receiver.requests)
    delivered = json.loads(receiver.requests[0]["body"])["article"]
    assert delivered == client.get(f"/api/v1/articles/{article.pk}/").json()


def test_an_endpoint_deactivated_after_the_event_gets_nothing(make_article):
    with Receiver() as receiver:
        endpoint = endpoint_for(receiver)
        workflow.publish([make_article(status=Article.Status.DRAFT)], None)
        Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
        worker.run_once()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and "deactivated" in delivery.last_error
    assert receiver.requests == []


def test_a_scheduled_article_edited_after_its_time_but_before_the_worker_looked_fires_published_once(make_article):
    with Receiver() as receiver:
        endpoint_for(receiver)
        worker.run_once()  # the mark is set now
        article = make_article(status=Article.Status.DRAFT, publish_at=timezone.now() + timedelta(seconds=1))
        workflow.publish([article], None)
        time.sleep(1.2)  # live by its time; the worker has not looked yet
        article.refresh_from_db()
        article.title = "Edited just after going live"
        workflow.save_edit(article, None)
        assert events.announce_due() == 0  # saved after its publish time: the save announced it
        article.refresh_from_db()
        article.title = "Edited again"
        workflow.save_edit(article, None)
    assert list(Delivery.objects.order_by("pk").values_list("event", flat=True)) == [
        "article.published", "article.updated"]


def test_the_readmes_receiver_example_accepts_a_real_delivery_and_refuses_a_forged_one(make_article):
    import hashlib
    import hmac
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(def verify\(.*?)```", readme, re.S).group(1)
    namespace = {"hmac": hmac, "hashlib": hashlib, "time": time}
    exec(code, namespace)
    verify = namespace["verify"]
    with Receiver() as receiver:
        endpoint_for(receiver, secret="readme-secret")
        workflow.publish([make_article(status=Article.Status.DRAFT)], None)
        drain(until=lambda: receiver.requests)
    headers, body = receiver.requests[0]["headers"], receiver.requests[0]["body"]
    assert verify(b"readme-secret", headers, body)
    assert not verify(b"readme-secret", headers, body.replace(b"article", b"articl3", 1))
    assert not verify(b"wrong-secret", headers, body)
    stale = {**headers, signing.TIMESTAMP_HEADER: str(int(time.time()) - 3600)}
    stale[signing.SIGNATURE_HEADER] = signing.signature("readme-secret", stale[signing.TIMESTAMP_HEADER], body)
    assert not verify(b"readme-secret", stale, body)
