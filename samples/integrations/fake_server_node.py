"""A stand-in for an MXNet parameter server, for end-to-end tests of picklegate's forward mode.

It really runs ``pickle.loads`` on every POSTed body, like ``kvstore_server.py`` does with
command 0. MXNet itself is not needed: importing ``mxnet.*`` (and gluonnlp/gluoncv) yields stub
modules whose classes are plain objects, so optimizer pickles load as they would on a server.

Before loading, it appends one JSON line per body (sha256, size, path) to the log file, so a
test can prove which bodies reached it. Never expose it: it executes whatever it is sent.

Usage: python3 fake_server_node.py --port PORT --log FILE [--host 127.0.0.1]
Prints ``listening <port>`` on stdout once ready (with --port 0 the kernel picks the port).
"""

import argparse
import hashlib
import importlib.abc
import importlib.machinery
import json
import pickle
import sys
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STUB_PACKAGES = ("mxnet", "gluonnlp", "gluoncv")


class _StubModule(types.ModuleType):
    """A module that makes up any class asked of it."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        cls = type(name, (object,), {"__module__": self.__name__})
        setattr(self, name, cls)
        return cls


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in STUB_PACKAGES:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, _StubFinder())
_log_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    log_file = None

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        digest = hashlib.sha256(body).hexdigest()
        with _log_lock, open(self.log_file, "a") as log:
            log.write(json.dumps({"sha256": digest, "size": len(body), "path": self.path}) + "\n")
        try:
            obj = pickle.loads(body)
            status, answer = 200, {"ok": True, "sha256": digest, "type": type(obj).__module__ + "." + type(obj).__name__}
        except Exception as err:  # a body that fails to load is still logged above
            status, answer = 500, {"ok": False, "sha256": digest, "error": type(err).__name__}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Fake-Node", "1")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    Handler.log_file = args.log
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print("listening %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
