"""Ask a picklegate service whether a pickle may be unpickled. Standard library only.

Fail closed: ``check_blob`` returns True only when the service answered 200 with
``"accepted": true``; any error (network, timeout, HTTP status, bad JSON) gives False,
so a caller that writes ``if not check_blob(body): refuse`` never unpickles unchecked data.

Example, in MXNet's ``kvstore_server.py`` (``KVStoreServer._controller``)::

    from picklegate_client import check_blob

    def server_controller(cmd_id, cmd_body, _):
        if not self.init_logginig:
            ...
        if cmd_id == 0:
            if not check_blob(cmd_body):        # <- added: before the pickle is loaded
                raise RuntimeError("optimizer rejected by picklegate")
            try:
                optimizer = pickle.loads(cmd_body)
            ...

Command line: ``python3 picklegate_client.py [--url URL] [--policy NAME] FILE...``
exits 0 when every file is accepted, 1 when one is rejected or cannot be checked.
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_URL = os.environ.get("PICKLEGATE_URL", "http://127.0.0.1:8080")
DEFAULT_TIMEOUT = 10.0


def scan_blob(body, url=DEFAULT_URL, policy=None, timeout=DEFAULT_TIMEOUT, token=None):
    """POST ``body`` to ``{url}/v1/gate``; return (status, report dict). Raises on transport errors."""
    if isinstance(body, str):
        # MXNet 1.x hands the command body over as str on some paths; the wire bytes are its UTF-8.
        body = body.encode("utf-8")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("body must be bytes")
    endpoint = url.rstrip("/") + "/v1/gate"
    if policy:
        endpoint += "?" + urllib.parse.urlencode({"policy": policy})
    headers = {"Content-Type": "application/octet-stream", "Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(endpoint, data=bytes(body), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read(4 * 1024 * 1024))
    except urllib.error.HTTPError as err:
        # 422 carries the report too; other statuses carry an error object.
        try:
            return err.code, json.loads(err.read(4 * 1024 * 1024))
        finally:
            err.close()


def check_blob(body, url=DEFAULT_URL, policy=None, timeout=DEFAULT_TIMEOUT, token=None):
    """True only if picklegate accepts ``body``. Never raises: every failure is False."""
    try:
        status, report = scan_blob(body, url=url, policy=policy, timeout=timeout, token=token)
        return status == 200 and isinstance(report, dict) and report.get("accepted") is True
    except Exception:  # fail closed: whatever went wrong, the body is not accepted
        return False


def _main(argv):
    url, policy, token, files = DEFAULT_URL, None, os.environ.get("PICKLEGATE_TOKEN"), []
    args = iter(argv)
    for arg in args:
        if arg == "--url":
            url = next(args, url)
        elif arg == "--policy":
            policy = next(args, None)
        else:
            files.append(arg)
    if not files:
        sys.stderr.write(__doc__)
        return 2
    ok = True
    for name in files:
        with open(name, "rb") as f:
            accepted = check_blob(f.read(), url=url, policy=policy, token=token)
        print("%s\t%s" % ("accepted" if accepted else "rejected", name))
        ok = ok and accepted
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
