"""Ask a picklegate service whether pickles may be unpickled. Standard library only (Python 2.7, 3.6+).

Library use: ``check_blob`` returns True only when the service answered 200 with
``"accepted": true``; any error (network, timeout, HTTP status, bad JSON) gives False, so a caller
that writes ``if not check_blob(body): refuse`` never unpickles unchecked data.

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

Command line: ``python3 picklegate_client.py [--url URL] [--token TOKEN] [--policy NAME] FILE...``
(see ``--help``). Each file is posted to ``/v1/gate`` under its own name; the verdict and the most
severe findings are printed. Exit codes as picklegate's CLI: 0 every file accepted, 1 a file
rejected, 2 a file could not be checked (unreadable, service unreachable or refusing the request).
Environment: ``PICKLEGATE_URL`` (default service URL), ``PICKLEGATE_TOKEN`` (bearer token, used
when ``--token`` is not given).
"""

import argparse
import json
import os
import socket
import sys

try:  # Python 3
    from urllib.error import HTTPError, URLError
    from urllib.parse import urlencode
    from urllib.request import Request, urlopen
except ImportError:  # Python 2.7
    from urllib import urlencode  # type: ignore
    from urllib2 import HTTPError, Request, URLError, urlopen  # type: ignore

DEFAULT_URL = os.environ.get("PICKLEGATE_URL", "http://127.0.0.1:8080")
DEFAULT_TIMEOUT = 10.0
MAX_ANSWER_BYTES = 16 * 1024 * 1024

EXIT_OK, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2


class ServiceError(Exception):
    """The service could not be asked, or did not judge the body (any status but 200 and 422)."""


def _endpoint(url, path, params):
    query = urlencode([(k, v) for k, v in params if v is not None])
    return url.rstrip("/") + path + ("?" + query if query else "")


def scan_blob(body, url=DEFAULT_URL, policy=None, timeout=DEFAULT_TIMEOUT, token=None, name=None):
    """POST ``body`` to ``{url}/v1/gate``; return (status, answer dict). Raises on transport errors."""
    if isinstance(body, type(u"")):
        # MXNet 1.x hands the command body over as str on some paths; the wire bytes are its UTF-8.
        body = body.encode("utf-8")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("body must be bytes")
    headers = {"Content-Type": "application/octet-stream", "Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = Request(_endpoint(url, "/v1/gate", [("policy", policy), ("name", name)]), data=bytes(body), headers=headers)
    try:
        response = urlopen(request, timeout=timeout)
        try:
            return response.getcode(), json.loads(response.read(MAX_ANSWER_BYTES).decode("utf-8"))
        finally:
            response.close()
    except HTTPError as err:
        # 422 carries the report too; other statuses carry an error object.
        try:
            return err.code, json.loads(err.read(MAX_ANSWER_BYTES).decode("utf-8"))
        finally:
            err.close()


def check_blob(body, url=DEFAULT_URL, policy=None, timeout=DEFAULT_TIMEOUT, token=None):
    """True only if picklegate accepts ``body``. Never raises: every failure is False."""
    try:
        status, report = scan_blob(body, url=url, policy=policy, timeout=timeout, token=token)
        return status == 200 and isinstance(report, dict) and report.get("accepted") is True
    except Exception:  # fail closed: whatever went wrong, the body is not accepted
        return False


def _finding_line(f):
    inner = (f.get("path") or [])[1:]  # the first element is the file itself
    where = " [in %s]" % " > ".join(inner) if inner else ""
    at = "" if f.get("offset") is None else " @%s" % f["offset"]
    extra = f.get("call") or f.get("global") or ""
    return "  %-10s %s/%s%s%s: %s%s" % (
        f.get("severity", "?"),
        f.get("code", "?"),
        f.get("rule", "?"),
        where,
        at,
        f.get("message", ""),
        " (" + extra + ")" if extra else "",
    )


def _judge(path, args, out):
    """Checks one file; returns its exit code (0, 1 or 2) and prints one line, then its top findings."""
    try:
        if path == "-":
            stdin = getattr(sys.stdin, "buffer", sys.stdin)
            body, name = stdin.read(), None
        else:
            with open(path, "rb") as f:
                body = f.read()
            name = os.path.basename(path)
    except (IOError, OSError) as err:
        out.write("error\t%s\tcannot read: %s\n" % (path, err.strerror or err))
        return EXIT_ERROR
    try:
        status, answer = scan_blob(body, url=args.url, policy=args.policy, timeout=args.timeout, token=args.token, name=name)
    except (URLError, socket.error, socket.timeout, ValueError) as err:
        reason = getattr(err, "reason", None) or err
        out.write("error\t%s\tservice unreachable at %s: %s\n" % (path, args.url, reason))
        return EXIT_ERROR
    if not isinstance(answer, dict) or status not in (200, 422):
        message = answer.get("message") if isinstance(answer, dict) else None
        code = answer.get("error") if isinstance(answer, dict) else None
        out.write("error\t%s\tHTTP %s%s%s\n" % (path, status, " " + code if code else "", ": " + message if message else ""))
        return EXIT_ERROR
    if args.json:
        out.write(json.dumps({"file": path, "status": status, "answer": answer}, sort_keys=True) + "\n")
        return EXIT_OK if status == 200 and answer.get("accepted") is True else EXIT_REJECTED
    accepted = status == 200 and answer.get("accepted") is True
    findings = answer.get("findings") or []
    serious = [f for f in findings if f.get("severity") != "info"]
    summary = "%s, %s, %s finding%s" % (answer.get("verdict", "?"), answer.get("format", "?"), len(findings), "" if len(findings) == 1 else "s")
    out.write("%s\t%s\t%s (policy %s)\n" % ("accepted" if accepted else "rejected", path, summary, answer.get("policy", "?")))
    shown = (serious or ([] if accepted else findings))[: args.top]
    for f in shown:
        out.write(_finding_line(f) + "\n")
    hidden = len(serious or ([] if accepted else findings)) - len(shown)
    if hidden > 0:
        out.write("  ... and %d more\n" % hidden)
    return EXIT_OK if accepted else EXIT_REJECTED


def _parser():
    p = argparse.ArgumentParser(
        prog="picklegate_client.py",
        description="Ask a picklegate service whether files may be unpickled: each FILE is posted to "
        "/v1/gate and its verdict printed with its most severe findings.",
        epilog="Exit codes: 0 every file accepted, 1 a file rejected, 2 a file could not be checked "
        "(a rejection wins over an error, as with the picklegate CLI). Environment: PICKLEGATE_URL, "
        "PICKLEGATE_TOKEN.",
    )
    p.add_argument("files", metavar="FILE", nargs="+", help="files to check ('-' reads standard input)")
    p.add_argument("--url", default=DEFAULT_URL, help="service URL (default $PICKLEGATE_URL or %(default)s)")
    p.add_argument("--token", default=None, help="bearer token (default $PICKLEGATE_TOKEN)")
    p.add_argument("--policy", default=None, help="policy name (default: the service's)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per request (default %(default)s)")
    p.add_argument("--top", type=int, default=5, help="findings shown per file (default %(default)s)")
    p.add_argument("--json", action="store_true", help="print the service's answer for each file as one JSON line")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.token is None:
        args.token = os.environ.get("PICKLEGATE_TOKEN") or None
    out = sys.stdout
    codes = []
    for path in args.files:
        try:
            codes.append(_judge(path, args, out))
        except Exception as err:  # never a traceback: anything unexpected is a file that could not be checked
            out.write("error\t%s\t%s: %s\n" % (path, type(err).__name__, err))
            codes.append(EXIT_ERROR)
        out.flush()
    if EXIT_REJECTED in codes:
        return EXIT_REJECTED
    return EXIT_ERROR if EXIT_ERROR in codes else EXIT_OK


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(EXIT_ERROR)
