/// The Python side of the loopback test servers, run with `python3 -c`.
/// Modes: `http` (plain), `tls CERT KEY` (the same routes over TLS),
/// `proxy` (a CONNECT proxy that tunnels to 127.0.0.1 only) and
/// `refuse` (a proxy that answers every CONNECT with 502); `tls CERT KEY
/// CLIENT_CA` requires a client certificate from CLIENT_CA; `h2 CERT KEY` is
/// an HTTP/2-only TLS server (needs python3-h2). Each prints its
/// port on the first line of stdout and serves until killed.
let loopbackScript = #"""
import json, os, select, socket, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

lock = threading.Lock()
released = threading.Event()
stats = {"connections": 0, "open": 0, "max_open": 0, "active": 0, "max_active": 0, "requests": 0, "connects": 0}

def bump(key, delta, peak=None):
    with lock:
        stats[key] += delta
        if peak:
            stats[peak] = max(stats[peak], stats[key])

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def setup(self):
        super().setup()
        bump("connections", 1)
        bump("open", 1, "max_open")
    def finish(self):
        try:
            super().finish()
        finally:
            bump("open", -1)
    def answer(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    def route(self):
        if self.path.startswith("/stats") or self.path.startswith("/release"):
            return self.serve()
        bump("requests", 1)
        bump("active", 1, "max_active")
        try:
            self.serve()
        finally:
            bump("active", -1)
    def serve(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/stats":
            with lock:
                snapshot = dict(stats)
            self.answer(200, json.dumps(snapshot).encode())
        elif url.path == "/reset":
            with lock:
                for key in stats:
                    stats[key] = 0
                stats["open"] = 1
                stats["max_open"] = 1
            self.answer(200, b"ok")
        elif url.path == "/hold":
            # Answers only after /release: waits as long as the test needs.
            released.wait(120)
            self.answer(200, b"held")
        elif url.path == "/release":
            released.set()
            self.answer(200, b"ok")
        elif url.path == "/slow":
            time.sleep(int(query.get("ms", "1000")) / 1000)
            self.answer(200, b"slow done")
        elif url.path == "/big":
            self.answer(200, b"x" * int(query.get("bytes", "1000")))
        elif url.path == "/stream":
            # No Content-Length: only the client's write callback can stop it.
            total = int(query.get("bytes", "1000"))
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sent = 0
            try:
                while sent < total:
                    chunk = b"y" * min(65536, total - sent)
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                self.close_connection = True
        elif url.path == "/echo":
            reply = {"method": self.command, "body": body.decode("latin-1"),
                     "headers": {k.lower(): v for k, v in self.headers.items()}}
            self.answer(200, json.dumps(reply).encode(), [("X-Echo", "yes"), ("Content-Type", "application/json")])
        elif url.path.startswith("/status/"):
            self.answer(int(url.path.split("/")[2]), b"status", [("Retry-After", query.get("retry", "7"))])
        else:
            self.answer(200, b"hello")
    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = route

class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    refuse = False
    def log_message(self, *args):
        pass
    def do_GET(self):
        with lock:
            body = json.dumps(stats).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_CONNECT(self):
        bump("connects", 1)
        host, _, port = self.path.rpartition(":")
        if self.refuse or host not in ("127.0.0.1", "localhost"):
            self.send_response(502, "Bad Gateway")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        upstream = socket.create_connection(("127.0.0.1", int(port)))
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        sockets = [self.connection, upstream]
        try:
            while True:
                ready, _, _ = select.select(sockets, [], [], 30)
                if not ready:
                    break
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (upstream if s is self.connection else self.connection).sendall(data)
        finally:
            upstream.close()
            self.close_connection = True

class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

def exit_with_parent():
    # stdin is a pipe from the test process: EOF means stop, or the test died.
    sys.stdin.buffer.read()
    os._exit(0)

def serve_h2(cert, key):
    # HTTP/2 over TLS (ALPN h2) with the python3-h2 package. Each answer
    # waits 300 ms, so streams sent together are open together; every
    # answer reports the connections and the most streams open at once.
    import h2.config, h2.connection, h2.events
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["h2"])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)
    def handle(raw):
        bump("connections", 1)
        try:
            sock = context.wrap_socket(raw, server_side=True)
        except OSError:
            return
        conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        pending = []
        try:
            while True:
                timeout = max(0, min(due for due, _ in pending) - time.time()) if pending else None
                ready = sock.pending() or select.select([sock], [], [], timeout)[0]
                if ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    for event in conn.receive_data(data):
                        if isinstance(event, h2.events.RequestReceived):
                            bump("requests", 1)
                            pending.append((time.time() + 0.3, event.stream_id))
                            with lock:
                                stats["max_active"] = max(stats["max_active"], len(pending))
                now = time.time()
                for item in [item for item in pending if item[0] <= now]:
                    pending.remove(item)
                    with lock:
                        report = [("x-connections", str(stats["connections"])), ("x-max-streams", str(stats["max_active"]))]
                    conn.send_headers(item[1], [(":status", "200"), ("content-length", "2")] + report)
                    conn.send_data(item[1], b"h2", end_stream=True)
                out = conn.data_to_send()
                if out:
                    sock.sendall(out)
        except OSError:
            return
        finally:
            sock.close()
    while True:
        raw, _ = listener.accept()
        threading.Thread(target=handle, args=(raw,), daemon=True).start()

mode = sys.argv[1]
threading.Thread(target=exit_with_parent, daemon=True).start()
if mode == "h2":
    serve_h2(sys.argv[2], sys.argv[3])
if mode in ("proxy", "refuse"):
    Proxy.refuse = mode == "refuse"
    server = Server(("127.0.0.1", 0), Proxy)
else:
    server = Server(("127.0.0.1", 0), Handler)
    if mode == "tls":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        if len(sys.argv) > 4:
            # Mutual TLS: client certificates must chain to this CA.
            context.load_verify_locations(sys.argv[4])
            context.verify_mode = ssl.CERT_REQUIRED
        server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"""#
