#!/usr/bin/env python3
"""notify_receiver.py: a local webhook receiver for tests/integration/notify_kafka.sh.

    notify_receiver.py --port-file FILE --log FILE [--fail-for SECONDS] [--tls CERT KEY]

Listens on 127.0.0.1 (a free port, written to --port-file once listening) and
records every request as one JSON line in --log: time, method, path, the
Content-Type and Idempotency-Key headers, the status it answered and the body.
For --fail-for seconds from the first POST it receives it answers 503 (a
receiver that is down for a while: counted from the first request, so the
outage is seen however late the sender starts), then 200. With --tls it
speaks HTTPS with that certificate and key (PEM). Stops on SIGTERM.
"""
import argparse
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail-for", type=float, default=0.0)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()
    first = []  # the time of the first POST
    lock = threading.Lock()
    log = open(args.log, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n).decode("utf-8", "replace")
            with lock:
                if not first:
                    first.append(time.time())
            status = 503 if time.time() - first[0] < args.fail_for else 200
            entry = {
                "time": time.time(),
                "method": "POST",
                "path": self.path,
                "content_type": self.headers.get("Content-Type"),
                "key": self.headers.get("Idempotency-Key"),
                "status": status,
                "body": body,
            }
            with lock:
                log.write(json.dumps(entry) + "\n")
            reply = b'{"ok":true}' if status == 200 else b'{"ok":false}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, fmt, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if args.tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*args.tls)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
