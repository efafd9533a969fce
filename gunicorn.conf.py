"""gunicorn settings for Newsroom; every value can be overridden from the environment."""

import multiprocessing
import os

bind = os.environ.get("NEWSROOM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Workers are recycled now and then as a guard against slow memory growth. A
# restart reloads Django, a pause that shows as the slowest requests' latency
# under load: recycle rarely, and fork workers from an already loaded app so a
# new one is ready at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
