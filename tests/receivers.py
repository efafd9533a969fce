"""A webhook receiver on 127.0.0.1 for tests: records each POST and answers as scripted."""

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """``answers``: status codes for the first requests in turn (then 200); ``hold``: seconds the first request
    waits before its answer (a slow receiver, or one a worker is killed in front of)."""

    def __init__(self, answers=(), hold=0.0, redirect_to=None):
        self.answers, self.hold, self.redirect_to = list(answers), hold, redirect_to
        self.requests, self.arrived = [], threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "at": time.monotonic()})
                receiver.arrived.set()
                if receiver.hold and len(receiver.requests) == 1:
                    time.sleep(receiver.hold)
                status = receiver.answers.pop(0) if receiver.answers else 200
                if receiver.redirect_to:
                    status = 302
                try:
                    self.send_response(status)
                    if receiver.redirect_to:
                        self.send_header("Location", receiver.redirect_to)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up (a timeout) or was killed: what the test is about

            def log_message(self, *args):
                pass

        for offset in range(50):  # this engineer's ports: 8150-8199
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", 8150 + (os.getpid() + offset) % 50), Handler)
                break
            except OSError:
                continue
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self.requests) >= count
