"""The worker as a real process on a real database: killed mid-delivery, it loses nothing."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from articles.webhooks import signing
from tests.receivers import Receiver
from tests.test_reliability import database, manage  # noqa: F401  (the fresh-database fixture)

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def worker(env):
    return subprocess.Popen([sys.executable, "manage.py", "deliver_webhooks", "--interval", "0.2"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def delivery_state(env):
    code = ("from articles.models import Delivery; d = Delivery.objects.get();"
            "print(d.status, d.attempts, d.response_code)")
    return manage("shell", "-c", code, env=env).stdout.strip().splitlines()[-1]


def test_a_worker_killed_mid_delivery_loses_nothing(database, tmp_path):  # noqa: F811
    env = {**database, "NEWSROOM_WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8", "NEWSROOM_WEBHOOK_TIMEOUT": "2",
           "NEWSROOM_SITE_URL": "https://news.example.com"}
    with Receiver(hold=15) as receiver:
        setup = (
            "from articles.models import Article, Category, Endpoint; from articles.publishing import workflow;"
            f"Endpoint.objects.create(url={receiver.url!r}, secret='k', events=['article.published']);"
            "c = Category.objects.create(name='Wire');"
            "a = Article.objects.create(title='Killed in flight', standfirst='s', body='b', category=c);"
            "workflow.publish([a], None)"
        )
        manage("shell", "-c", setup, env=env)
        first = worker(env)
        try:
            assert receiver.arrived.wait(20), "the worker never sent the delivery"
            os.kill(first.pid, signal.SIGKILL)  # killed while the receiver holds the request
            first.wait(10)
            assert delivery_state(env) == "pending 1 None"
            second = worker(env)
            try:
                assert receiver.wait_for(2, timeout=30), "the delivery was lost with the killed worker"
                deadline = time.monotonic() + 10
                while delivery_state(env) != "delivered 2 200" and time.monotonic() < deadline:
                    time.sleep(0.3)
            finally:
                second.send_signal(signal.SIGTERM)
                second.wait(15)
        finally:
            if first.poll() is None:
                first.kill()
    assert delivery_state(env) == "delivered 2 200"
    assert second.returncode == 0, second.stderr.read()[-2000:]
    ids = {r["headers"][signing.DELIVERY_HEADER] for r in receiver.requests}
    assert len(ids) == 1 and json.loads(receiver.requests[1]["body"])["article"]["title"] == "Killed in flight"
