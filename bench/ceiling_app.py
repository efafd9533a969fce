"""The smallest WSGI app: a fixed 11 KB page (an article page's size), no Django.

bench/serve_speed.py serves it with the same gunicorn settings to show what
the server alone can do on this machine: the ceiling for any cached page.
"""

PAGE = b"<!doctype html><title>ceiling</title>" + b"x" * 11_000


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(PAGE)))])
    return [PAGE]
