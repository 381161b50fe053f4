"""An HTTP proxy in front of the portal that misbehaves on cue, to interrupt a publish at a chosen request.

`lose_answer=N`: request N is carried out but its answer is lost; the
client's retry then repeats a call that already happened. `lose_answer_of=ACTION`
does the same to the first call of that API action, wherever it falls in the order.
`drop_after=N`: request N is forwarded (the portal carries it out) but its
answer never arrives and every later request is cut too: the worst case for
a client, which cannot know whether its last call happened. `delay` slows
every request so a test can stop the real portal in the middle of a publish;
when the portal is gone the proxy answers 502, as a front-end web server would.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length", "host"}


class FaultyProxy:
    def __init__(
        self,
        upstream: str,
        *,
        drop_after: int | None = None,
        lose_answer: int | None = None,
        lose_answer_of: str | None = None,
        delay: float = 0.0,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.drop_after = drop_after
        self.lose_answer = lose_answer  # only this request's answer is lost; later ones pass
        self.lose_answer_of = lose_answer_of  # the first call of this action loses its answer
        self.delay = delay
        self.count = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultyProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                with proxy.lock:
                    proxy.count += 1
                    number = proxy.count
                    action = self.path.split("?")[0].rsplit("/", 1)[-1]
                    lose = proxy.lose_answer_of is not None and action == proxy.lose_answer_of
                    if lose:
                        proxy.lose_answer_of = None
                if proxy.drop_after is not None and number > proxy.drop_after:
                    self.close_connection = True  # cut without forwarding: the portal never sees it
                    return
                if proxy.delay:
                    threading.Event().wait(proxy.delay)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
                try:
                    answer = requests.request(
                        self.command,
                        proxy.upstream + self.path,
                        data=body,
                        headers=headers,
                        allow_redirects=False,
                        timeout=60,
                    )
                    status, content, out = answer.status_code, answer.content, answer.headers
                except requests.RequestException:
                    status, content, out = 502, b"Bad Gateway", {}
                if lose or number in (proxy.drop_after, proxy.lose_answer):
                    self.close_connection = True  # done upstream, answer lost
                    return
                self.send_response(status)
                for key, value in out.items():
                    if key.lower() not in HOP_HEADERS:
                        self.send_header(key, value)
                length = out.get("Content-Length", "0") if self.command == "HEAD" else str(len(content))
                self.send_header("Content-Length", length)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(content)

            do_GET = do_POST = do_HEAD = _forward

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
