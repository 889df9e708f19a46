"""Start moto's server for warroom, and make sure it never outlives warroom.

warroom (or a test) owns this process and kills it on exit. If the owner dies
without cleaning up (SIGKILL, a crashed test binary), this watcher notices the
parent is gone and exits, so no emulator is left running on the machine.
"""
import os
import sys
import threading
import time

PARENT = os.getppid()


def _watch_parent() -> None:
    while True:
        if os.getppid() != PARENT:
            os._exit(0)
        time.sleep(0.5)


threading.Thread(target=_watch_parent, daemon=True).start()

import moto.server  # noqa: E402  (import after the watcher starts)

# moto does not serve Object Lambda access points (S3 Control
# /v20180820/accesspointforobjectlambda...): every request there would be a
# 404 and every scan would read them as unknown. Keep them here, per account,
# as S3 Control answers them: create, list (paged), configuration, policy,
# delete. Innermost, so the request counter, latency and faults still apply.
import re as _re  # noqa: E402
import xml.etree.ElementTree as _ET  # noqa: E402
from xml.sax.saxutils import escape as _xml_escape  # noqa: E402

_OLAP_PATH = "/v20180820/accesspointforobjectlambda"
_CONTROL_NS = "http://awss3control.amazonaws.com/doc/2018-08-20/"
_olaps: dict = {}
_olap_lock = threading.Lock()


def _olap_strip(tag):  # type: ignore[no-untyped-def]
    return tag.split("}", 1)[-1]


def _olap_xml(elem):  # type: ignore[no-untyped-def]
    # Re-serialise without namespaces (the SDK matches local names).
    for e in elem.iter():
        e.tag = _olap_strip(e.tag)
    return _ET.tostring(elem, encoding="unicode")


def _olap_answer(environ, rest):  # type: ignore[no-untyped-def]
    from urllib.parse import parse_qs, unquote as _unq

    method = environ.get("REQUEST_METHOD", "GET")
    account = environ.get("HTTP_X_AMZ_ACCOUNT_ID", "123456789012")
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = _re.search(r"Credential=[^/]+/[^/]+/([^/]+)/", auth)
    region = m.group(1) if m else "us-east-1"
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    parts = [_unq(p) for p in rest.strip("/").split("/") if p]
    name = parts[0] if parts else None
    sub = parts[1] if len(parts) > 1 else None
    store = _olaps.setdefault(account, {})

    def error(status, code, message):  # type: ignore[no-untyped-def]
        return status, f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"

    if name is None:
        if method != "GET":
            return error("405 Method Not Allowed", "MethodNotAllowed", "list is GET")
        q = parse_qs(environ.get("QUERY_STRING", ""))
        start = int((q.get("nextToken") or ["0"])[0] or 0)
        size = int((q.get("maxResults") or ["1000"])[0] or 1000)
        names = sorted(n for n, p in store.items() if p["region"] == region)
        page = names[start:start + size]
        rows = "".join(
            "<ObjectLambdaAccessPoint>"
            f"<Name>{_xml_escape(n)}</Name>"
            f"<ObjectLambdaAccessPointArn>{_xml_escape(store[n]['arn'])}</ObjectLambdaAccessPointArn>"
            f"<Alias><Value>{_xml_escape(store[n]['alias'])}</Value><Status>READY</Status></Alias>"
            "</ObjectLambdaAccessPoint>"
            for n in page
        )
        token = (
            f"<NextToken>{start + size}</NextToken>" if start + size < len(names) else ""
        )
        return "200 OK", (
            f'<ListAccessPointsForObjectLambdaResult xmlns="{_CONTROL_NS}">'
            f"<ObjectLambdaAccessPointList>{rows}</ObjectLambdaAccessPointList>{token}"
            "</ListAccessPointsForObjectLambdaResult>"
        )
    point = store.get(name)
    if method == "PUT" and sub is None:
        if point is not None:
            return error("409 Conflict", "AccessPointAlreadyOwnedByYou", "exists")
        root = _ET.fromstring(body)
        conf = next((c for c in root if _olap_strip(c.tag) == "Configuration"), None)
        if conf is None:
            return error("400 Bad Request", "MalformedXML", "no Configuration")
        arn = f"arn:aws:s3-object-lambda:{region}:{account}:accesspoint/{name}"
        alias = f"{name[:20]}-{abs(hash(arn)) % 10**12:012d}--ol-s3"
        store[name] = {"region": region, "arn": arn, "alias": alias,
                       "conf": _olap_xml(conf), "policy": None}
        return "200 OK", (
            f'<CreateAccessPointForObjectLambdaResult xmlns="{_CONTROL_NS}">'
            f"<ObjectLambdaAccessPointArn>{arn}</ObjectLambdaAccessPointArn>"
            f"<Alias><Value>{alias}</Value><Status>READY</Status></Alias>"
            "</CreateAccessPointForObjectLambdaResult>"
        )
    if point is None:
        return error("404 Not Found", "NoSuchAccessPoint",
                     "The specified accesspoint does not exist")
    if method == "DELETE" and sub is None:
        del store[name]
        return "204 No Content", ""
    if sub == "configuration" and method == "GET":
        return "200 OK", (
            f'<GetAccessPointConfigurationForObjectLambdaResult xmlns="{_CONTROL_NS}">'
            f"{point['conf']}</GetAccessPointConfigurationForObjectLambdaResult>"
        )
    if sub == "policy":
        if method == "PUT":
            root = _ET.fromstring(body)
            pol = next((c for c in root if _olap_strip(c.tag) == "Policy"), None)
            point["policy"] = pol.text if pol is not None else None
            return "200 OK", ""
        if method == "DELETE":
            point["policy"] = None
            return "204 No Content", ""
        if point["policy"] is None:
            return error("404 Not Found", "NoSuchAccessPointPolicy",
                         "The specified accesspoint policy does not exist")
        return "200 OK", (
            f'<GetAccessPointPolicyForObjectLambdaResult xmlns="{_CONTROL_NS}">'
            f"<Policy>{_xml_escape(point['policy'])}</Policy>"
            "</GetAccessPointPolicyForObjectLambdaResult>"
        )
    return error("400 Bad Request", "NotImplemented",
                 f"{method} {sub} is not served by warroom's emulator")


_OlapBase = moto.server.DomainDispatcherApplication


class _ObjectLambda(_OlapBase):  # type: ignore[misc, valid-type]
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(_OLAP_PATH):
            return super().__call__(environ, start_response)
        with _olap_lock:
            status, text = _olap_answer(environ, path[len(_OLAP_PATH):])
        data = text.encode()
        start_response(status, [("Content-Type", "application/xml"),
                                ("Content-Length", str(len(data)))])
        return [data]


moto.server.DomainDispatcherApplication = _ObjectLambda

if os.environ.get("WARROOM_COUNT_REQUESTS") == "1":
    # Tests ask the emulator itself how many requests it received, e.g. that
    # a resumed bulk action wrote no object twice: GET /_warroom/requests
    # answers {"PUT /bucket/key?acl": 1, ...}.
    import json
    from collections import Counter

    _counts: Counter = Counter()
    _lock = threading.Lock()
    _Base = moto.server.DomainDispatcherApplication

    class _Counting(_Base):  # type: ignore[misc, valid-type]
        def __call__(self, environ, start_response):
            path = environ.get("PATH_INFO", "")
            if path == "/_warroom/requests":
                with _lock:
                    body = json.dumps(dict(_counts)).encode()
                start_response(
                    "200 OK",
                    [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
                )
                return [body]
            query = environ.get("QUERY_STRING", "")
            subresources = sorted(p.split("=")[0] for p in query.split("&") if p)
            key = f"{environ.get('REQUEST_METHOD', '')} {path}"
            if subresources:
                key += "?" + "&".join(subresources)
            with _lock:
                _counts[key] += 1
            return super().__call__(environ, start_response)

    moto.server.DomainDispatcherApplication = _Counting

_latency_ms = float(os.environ.get("WARROOM_LATENCY_MS", "0") or 0)
if _latency_ms > 0:
    # Benchmarks only: wait this long before answering each request, as a
    # network round trip to real S3 would. The server is threaded, so
    # concurrent requests wait in parallel, as they would on a network.
    _Inner = moto.server.DomainDispatcherApplication

    class _Slow(_Inner):  # type: ignore[misc, valid-type]
        def __call__(self, environ, start_response):
            time.sleep(_latency_ms / 1000)
            return super().__call__(environ, start_response)

    moto.server.DomainDispatcherApplication = _Slow

if os.environ.get("WARROOM_BULK") == "1":
    # Tests only: POST /_warroom/bulk with a JSON body
    #   {"bucket": B, "key": K, "body": T, "count": N, "first": F}
    # puts N objects straight into moto's backend, numbered F.., with "{i}"
    # in K and T replaced by the number (8 digits) and the body gzip'd. A
    # test needs a trail bucket flooded with 100,000 files: one by one over
    # HTTP that takes many minutes, this way seconds.
    import gzip as _gzip
    import json as _json

    _Bulk_base = moto.server.DomainDispatcherApplication

    class _Bulk(_Bulk_base):  # type: ignore[misc, valid-type]
        def __call__(self, environ, start_response):
            if environ.get("PATH_INFO", "") != "/_warroom/bulk":
                return super().__call__(environ, start_response)
            from moto.s3.models import s3_backends

            length = int(environ.get("CONTENT_LENGTH") or 0)
            spec = _json.loads(environ["wsgi.input"].read(length))
            backend = s3_backends[spec.get("account", "123456789012")]["global"]
            first = int(spec.get("first", 0))
            for n in range(first, first + int(spec["count"])):
                i = f"{n:08d}"
                backend.put_object(
                    spec["bucket"],
                    spec["key"].replace("{i}", i),
                    _gzip.compress(spec["body"].replace("{i}", i).encode(), 1),
                )
            start_response("200 OK", [("Content-Length", "2")])
            return [b"ok"]

    moto.server.DomainDispatcherApplication = _Bulk

if os.environ.get("WARROOM_FAULTS") == "1":
    # Fault injection for the tests: POST /_warroom/fault?mode=M sets how
    # every later request is answered, until changed:
    #   ok            as moto answers;
    #   down          the connection is closed unanswered (a dead emulator,
    #                 a dropped network);
    #   expired       every request refused: the session token expired;
    #   throttle:N    every N-th request answered 503 SlowDown/Throttling
    #                 (retryable, as AWS throttles), the rest as moto answers.
    # With &path=P (URL-encoded), only requests whose path starts with P are
    # affected (e.g. the object reads of one folder, not its listing).
    from urllib.parse import unquote as _unquote

    _fault = {"mode": "ok", "n": 0, "path": ""}
    _fault_lock = threading.Lock()
    _Faulty_base = moto.server.DomainDispatcherApplication

    class _Faulty(_Faulty_base):  # type: ignore[misc, valid-type]
        def __call__(self, environ, start_response):
            path = environ.get("PATH_INFO", "")
            if path == "/_warroom/fault":
                query = environ.get("QUERY_STRING", "")
                mode = query.partition("mode=")[2].split("&")[0] or "ok"
                only = _unquote(query.partition("path=")[2].split("&")[0])
                with _fault_lock:
                    _fault["mode"] = mode
                    _fault["n"] = 0
                    _fault["path"] = only
                start_response("200 OK", [("Content-Length", "2")])
                return [b"ok"]
            if path.startswith("/_warroom/"):
                # The other test hooks always answer.
                return super().__call__(environ, start_response)
            with _fault_lock:
                affected = path.startswith(_fault["path"])
                mode = _fault["mode"] if affected else "ok"
                _fault["n"] += 1 if affected else 0
                n = _fault["n"]
            if mode == "down":
                # Close without an answer: the client sees a dropped connection.
                sock = environ.get("werkzeug.socket")
                if sock is not None:
                    try:
                        import socket as _s

                        sock.shutdown(_s.SHUT_RDWR)
                    except OSError:
                        pass
                start_response("503 Service Unavailable", [("Content-Length", "0")])
                return [b""]
            if mode == "expired":
                # Every request refused as AWS refuses an expired session
                # token, in the caller's protocol.
                msg = b"The security token included in the request is expired"
                if environ.get("HTTP_X_AMZ_TARGET"):
                    body = b'{"__type":"ExpiredTokenException","message":"' + msg + b'"}'
                    ctype = "application/x-amz-json-1.1"
                elif environ.get("REQUEST_METHOD") == "POST" and "s3" not in environ.get(
                    "HTTP_AUTHORIZATION", ""
                ).split("/")[3:4]:
                    body = (
                        b"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>"
                        b"<Message>" + msg + b"</Message></Error></ErrorResponse>"
                    )
                    ctype = "text/xml"
                else:
                    body = b"<Error><Code>ExpiredToken</Code><Message>" + msg + b"</Message></Error>"
                    ctype = "application/xml"
                start_response(
                    "400 Bad Request",
                    [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                )
                return [body]
            if mode.startswith("throttle:"):
                every = max(1, int(mode.partition(":")[2] or "2"))
                if n % every == 0:
                    body = (
                        b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate."
                        b"</Message></Error>"
                    )
                    start_response(
                        "503 Slow Down",
                        [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
                    )
                    return [body]
            return super().__call__(environ, start_response)

    moto.server.DomainDispatcherApplication = _Faulty

# moto's IAM auth mode recomputes each request's SigV4 signature from the
# query string as the server saw it, decoded ("prefix=AWSLogs/"), while the
# client signed the encoded form ("prefix=AWSLogs%2F"): any query value with
# a reserved character fails with SignatureDoesNotMatch. Canonicalise the
# query as SigV4 does (decode, then encode everything but -_.~) before moto
# checks it. Only the signature check changes; what is authorised does not.
from urllib.parse import quote, unquote  # noqa: E402

import moto.iam.access_control as _ac  # noqa: E402

_create = _ac.IAMRequestBase._create_aws_request


def _canonical_query(self):  # type: ignore[no-untyped-def]
    # moto's CloudFront handler hands its request headers over as the
    # request's "data", which the check then signs as a form body: every
    # signed CloudFront call fails. Headers are not a body.
    if isinstance(self._data, dict) and "Authorization" in self._data:
        self._data = {}
    path, sep, query = self._path.partition("?")
    if sep:
        pairs = []
        for pair in query.split("&"):
            key, eq, value = pair.partition("=")
            pairs.append(
                quote(unquote(key), safe="-_.~")
                + eq
                + quote(unquote(value), safe="-_.~")
            )
        self._path = path + "?" + "&".join(pairs)
    return _create(self)


_ac.IAMRequestBase._create_aws_request = _canonical_query

# moto's S3 Control access point calls take the account id from the host
# name ("123456789012.s3-control.us-east-1.amazonaws.com"). warroom talks
# to the emulator at a fixed address (127.0.0.1), so the host carries no
# account; the SDK also sends it in the x-amz-account-id header, as AWS
# receives it. Take the account from that header when it is there; the
# access point's name is read as moto reads it.
import moto.s3control.responses as _s3c  # noqa: E402

_from_ap = _s3c.S3ControlResponse._get_accountid_and_name_from_accesspoint
_from_policy = _s3c.S3ControlResponse._get_accountid_and_name_from_policy


def _with_header(original):  # type: ignore[no-untyped-def]
    def patched(self, full_url):  # type: ignore[no-untyped-def]
        account_id, name = original(self, full_url)
        return self.headers.get("x-amz-account-id") or account_id, name

    return patched


_s3c.S3ControlResponse._get_accountid_and_name_from_accesspoint = _with_header(_from_ap)
_s3c.S3ControlResponse._get_accountid_and_name_from_policy = _with_header(_from_policy)

# moto writes an access point's CreationDate without a time zone
# ("2026-12-02T19:30:00.123456"), which is not the ISO 8601 date-time S3
# Control answers with, and the SDK refuses the whole GetAccessPoint
# answer. Write it in UTC, as AWS does.
import moto.s3control.models as _s3cm  # noqa: E402

_ap_init = _s3cm.AccessPoint.__init__


def _ap_init_utc(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    _ap_init(self, *args, **kwargs)
    if not self.created.endswith("Z"):
        self.created += "Z"


_s3cm.AccessPoint.__init__ = _ap_init_utc

# moto answers GetAccessPointPolicyStatus under the root element of
# GetAccessPointPolicy, which the SDK refuses. Give it its own name. (Its
# answer stays moto's: always public, so it corroborates nothing here.)
import moto.s3control.responses as _s3cr  # noqa: E402

_s3cr.GET_ACCESS_POINT_POLICY_STATUS_TEMPLATE = (
    _s3cr.GET_ACCESS_POINT_POLICY_STATUS_TEMPLATE.replace(
        "GetAccessPointPolicyResult", "GetAccessPointPolicyStatusResult"
    )
)

# moto answers GetBucketNotificationConfiguration for a bucket with none
# with an empty body; S3 answers an empty <NotificationConfiguration/>,
# and the SDK refuses a body with no root element.
import moto.s3.responses as _s3r  # noqa: E402

_get_notification = _s3r.S3Response.get_bucket_notification


def _notification_or_empty(self):  # type: ignore[no-untyped-def]
    body = _get_notification(self)
    if body == "":
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>'
        )
    return body


_s3r.S3Response.get_bucket_notification = _notification_or_empty

# moto does not serve storage class analysis configurations (?analytics):
# a GET falls through to ListObjects. Keep each configuration's document as
# sent, on the bucket, and answer Put, Get, List and Delete as S3 does, after
# moto's own checks (the bucket exists; the caller is authorised).
import re as _re  # noqa: E402

_S3_NS = ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def _analytics_body(doc):  # type: ignore[no-untyped-def]
    doc = doc.decode() if isinstance(doc, bytes) else doc
    return _re.sub(r"<\?xml[^>]*\?>", "", doc).replace(_S3_NS, "").strip()


def _analytics(self, method, bucket_name, querystring):  # type: ignore[no-untyped-def]
    verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}[method]
    self.data["Action"] = f"{verb}AnalyticsConfiguration"
    self._authenticate_and_authorize_s3_action(bucket_name=bucket_name)
    bucket = self.backend.get_bucket(bucket_name)
    store = bucket.__dict__.setdefault("_warroom_analytics", {})
    ident = (querystring.get("id") or [None])[0]
    if method == "PUT":
        store[ident] = _analytics_body(self.body)
        return 200, {}, ""
    if method == "DELETE":
        store.pop(ident, None)
        return 204, {}, ""
    if ident is not None:
        if ident not in store:
            return 404, {}, (
                "<Error><Code>NoSuchConfiguration</Code>"
                "<Message>The specified configuration does not exist.</Message></Error>"
            )
        return 200, {}, store[ident].replace(
            "<AnalyticsConfiguration>", f"<AnalyticsConfiguration{_S3_NS}>", 1
        )
    return 200, {}, (
        f"<ListBucketAnalyticsConfigurationResult{_S3_NS}>"
        "<IsTruncated>false</IsTruncated>"
        + "".join(store[k] for k in sorted(store))
        + "</ListBucketAnalyticsConfigurationResult>"
    )


def _with_analytics(method, original):  # type: ignore[no-untyped-def]
    def patched(self, *args):  # type: ignore[no-untyped-def]
        bucket_name, querystring = args[-2], args[-1]
        if "analytics" in querystring:
            return _analytics(self, method, bucket_name, querystring)
        return original(self, *args)

    return patched


_s3r.S3Response._bucket_response_get = _with_analytics(
    "GET", _s3r.S3Response._bucket_response_get
)
_s3r.S3Response._bucket_response_put = _with_analytics(
    "PUT", _s3r.S3Response._bucket_response_put
)
_s3r.S3Response._bucket_response_delete = _with_analytics(
    "DELETE", _s3r.S3Response._bucket_response_delete
)

# moto keeps a CloudFront origin's OriginAccessControlId out of its model
# and its answers, so every distribution reads as having no origin access
# control. Keep the id and write it where CloudFront does (after
# S3OriginConfig).
import moto.cloudfront.models as _cfm  # noqa: E402
import moto.cloudfront.responses as _cfr  # noqa: E402

_origin_init = _cfm.Origin.__init__


def _origin_init_oac(self, origin):  # type: ignore[no-untyped-def]
    _origin_init(self, origin)
    self.origin_access_control_id = origin.get("OriginAccessControlId") or ""


_cfm.Origin.__init__ = _origin_init_oac
_OAC_AFTER = "            {% if origin.custom_origin %}"
_OAC = (
    "            {% if origin.origin_access_control_id %}"
    "<OriginAccessControlId>{{ origin.origin_access_control_id }}</OriginAccessControlId>"
    "{% endif %}\n"
)
for _name in ("DIST_CONFIG_TEMPLATE", "DISTRIBUTION_TEMPLATE", "LIST_TEMPLATE",
              "CREATE_DISTRIBUTION_TEMPLATE", "GET_DISTRIBUTION_TEMPLATE",
              "GET_DISTRIBUTION_CONFIG_TEMPLATE", "UPDATE_DISTRIBUTION_TEMPLATE"):
    _t = getattr(_cfr, _name, None)
    if isinstance(_t, str) and _OAC_AFTER in _t and "OriginAccessControlId" not in _t:
        setattr(_cfr, _name, _t.replace(_OAC_AFTER, _OAC + _OAC_AFTER))
# CreateDistribution answers a <Distribution> element, as GetDistribution
# does; moto wraps it in <CreateDistributionResult>, which the SDK refuses.
_cfr.CREATE_DISTRIBUTION_TEMPLATE = _cfr.CREATE_DISTRIBUTION_TEMPLATE.replace(
    "CreateDistributionResult", "Distribution"
)
# moto writes some booleans as Python does ("True", "False"); CloudFront's
# XML booleans are "true" and "false", and the SDK refuses anything else.


def _xml_booleans(method):  # type: ignore[no-untyped-def]
    def patched(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        status, headers, body = method(self, *args, **kwargs)
        if isinstance(body, str):
            body = body.replace(">True<", ">true<").replace(">False<", ">false<")
        return status, headers, body

    return patched


for _name in ("create_distribution", "get_distribution", "list_distributions",
              "update_distribution", "get_distribution_config"):
    if hasattr(_cfr.CloudFrontResponse, _name):
        setattr(_cfr.CloudFrontResponse, _name,
                _xml_booleans(getattr(_cfr.CloudFrontResponse, _name)))

# moto keeps a default-encryption rule's BlockedEncryptionTypes (the parsed
# document is stored whole) but leaves it out of GetBucketEncryption, and
# accepts SSE-C writes to a bucket that blocks them. S3 echoes the setting
# and refuses the write (AccessDenied): do both, so blocking SSE-C reads
# back and holds as it does on AWS.
_s3r.S3_ENCRYPTION_CONFIG = _s3r.S3_ENCRYPTION_CONFIG.replace(
    "            <BucketKeyEnabled>",
    "            {% set _b = encryption['Rule'].get('BlockedEncryptionTypes') %}"
    "{% if _b %}<BlockedEncryptionTypes>"
    "{% set _t = _b.get('EncryptionType') %}"
    "{% for _e in (_t if _t is not string else [_t]) %}"
    "<EncryptionType>{{ _e }}</EncryptionType>{% endfor %}"
    "</BlockedEncryptionTypes>{% endif %}\n"
    "            <BucketKeyEnabled>",
    1,
)


def _blocks_sse_c(backend, bucket_name):  # type: ignore[no-untyped-def]
    try:
        enc = backend.get_bucket(bucket_name).encryption or {}
    except Exception:  # noqa: BLE001 - moto answers NoSuchBucket itself
        return False
    rules = enc.get("Rule") or []
    rules = rules if isinstance(rules, list) else [rules]
    for rule in rules:
        blocked = (rule.get("BlockedEncryptionTypes") or {}).get("EncryptionType") or []
        blocked = blocked if isinstance(blocked, list) else [blocked]
        if "SSE-C" in blocked:
            return True
    return False


def _refuse_blocked_sse_c(method):  # type: ignore[no-untyped-def]
    def patched(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.headers.get(
            "x-amz-server-side-encryption-customer-algorithm"
        ) and _blocks_sse_c(self.backend, self.bucket_name):
            return 403, {}, (
                "<Error><Code>AccessDenied</Code><Message>Requests specifying "
                "Server Side Encryption with Customer provided keys are blocked "
                "for this bucket</Message></Error>"
            )
        return method(self, *args, **kwargs)

    return patched


_s3r.S3Response.put_object = _refuse_blocked_sse_c(_s3r.S3Response.put_object)
_s3r.S3Response.copy_object = _refuse_blocked_sse_c(_s3r.S3Response.copy_object)

# moto stores an SSE-C write in plaintext and serves it to anyone. S3 keeps
# only an HMAC of the customer's key and refuses every read (GET, HEAD, the
# source of a copy) that does not present the same key; a read presenting a
# key for an object not written with one is refused too. Keep the key's MD5
# on the version written, refuse as S3 does, and echo the algorithm and MD5
# as S3 does when the right key is given. (The MD5 stands in for S3's HMAC:
# what matters to a responder is that only the key's holder can read.)
_SSE_C_ALG = "x-amz-server-side-encryption-customer-algorithm"
_SSE_C_MD5 = "x-amz-server-side-encryption-customer-key-MD5"
_COPY_SSE_C_MD5 = "x-amz-copy-source-server-side-encryption-customer-key-MD5"
_SSE_C_REFUSED = (
    "<Error><Code>InvalidRequest</Code><Message>The object was stored using a "
    "form of Server Side Encryption. The correct parameters must be provided "
    "to retrieve the object.</Message></Error>"
)
_SSE_C_NOT_APPLICABLE = (
    "<Error><Code>InvalidRequest</Code><Message>The encryption parameters are "
    "not applicable to this object.</Message></Error>"
)


def _header(headers, name):  # type: ignore[no-untyped-def]
    # Request headers arrive in any case.
    for k, v in headers.items():
        if k.lower() == name.lower():
            return v
    return None


def _sse_c_of(key):  # type: ignore[no-untyped-def]
    return getattr(key, "_warroom_sse_c_md5", None)


def _sse_c_check(key, headers, md5_header=_SSE_C_MD5):  # type: ignore[no-untyped-def]
    """None when the request may read the version; else S3's refusal."""
    stored, given = _sse_c_of(key), _header(headers, md5_header)
    if stored is None:
        return _SSE_C_NOT_APPLICABLE if given else None
    return None if given == stored else _SSE_C_REFUSED


def _echo_sse_c(headers, key):  # type: ignore[no-untyped-def]
    if _sse_c_of(key) is not None:
        headers[_SSE_C_ALG] = "AES256"
        headers[_SSE_C_MD5] = _sse_c_of(key)
    return headers


def _lookup(backend, bucket, key_name, version_id):  # type: ignore[no-untyped-def]
    try:
        key = backend.get_object(bucket, key_name, version_id=version_id)
    except Exception:  # noqa: BLE001 - moto answers the missing key itself
        return None
    return key if hasattr(key, "value") else None


def _sse_c_get(method):  # type: ignore[no-untyped-def]
    def patched(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        version = self.querystring.get("versionId", [None])[0]
        key = _lookup(self.backend, self.bucket_name, self.parse_key_name(), version)
        if key is not None and (refused := _sse_c_check(key, self.headers)):
            return 400, {}, refused
        status, headers, body = method(self, *args, **kwargs)
        if key is not None:
            _echo_sse_c(headers, key)
        return status, headers, body

    return patched


def _sse_c_head(method):  # type: ignore[no-untyped-def]
    def patched(self, bucket_name, query, key_name, headers):  # type: ignore[no-untyped-def]
        version = query.get("versionId", [None])[0]
        key = _lookup(self.backend, bucket_name, key_name, version)
        if key is not None and _sse_c_check(key, headers):
            # A HEAD has no body: S3 answers a bare 400.
            return 400, {}, ""
        status, answer, body = method(self, bucket_name, query, key_name, headers)
        if key is not None:
            _echo_sse_c(answer, key)
        return status, answer, body

    return patched


def _copy_source(headers):  # type: ignore[no-untyped-def]
    from urllib.parse import unquote, urlparse, parse_qs as _pq

    source = _header(headers, "x-amz-copy-source") or ""
    parsed = urlparse(source)
    path = unquote(parsed.path).lstrip("/")
    bucket, _, key = path.partition("/")
    return bucket, key, (_pq(parsed.query).get("versionId") or [None])[0]


def _sse_c_write(method):  # type: ignore[no-untyped-def]
    def patched(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        copying = _header(self.headers, "x-amz-copy-source")
        if copying:
            bucket, name, version = _copy_source(self.headers)
            source = _lookup(self.backend, bucket, name, version)
            if source is not None and (
                refused := _sse_c_check(source, self.headers, _COPY_SSE_C_MD5)
            ):
                return 400, {}, refused
        status, headers, body = method(self, *args, **kwargs)
        if status == 200 and "uploadId" not in self.querystring:
            written = _lookup(self.backend, self.bucket_name, self.parse_key_name(), None)
            if written is not None:
                md5 = _header(self.headers, _SSE_C_MD5) if _header(self.headers, _SSE_C_ALG) else None
                written._warroom_sse_c_md5 = md5
                if md5:
                    # S3's ETag of an SSE-C object is not the MD5 of its
                    # bytes: the same bytes under a customer key differ.
                    import hashlib

                    written._etag = hashlib.md5(written.value + md5.encode()).hexdigest()
                    for h in list(headers):
                        if h.lower() == "etag":
                            headers[h] = written.etag
                _echo_sse_c(headers, written)
        return status, headers, body

    return patched


_s3r.S3Response.get_object = _sse_c_get(_s3r.S3Response.get_object)
_s3r.S3Response.head_object = _sse_c_head(_s3r.S3Response.head_object)
_s3r.S3Response.put_object = _sse_c_write(_s3r.S3Response.put_object)
_s3r.S3Response.copy_object = _sse_c_write(_s3r.S3Response.copy_object)

# S3 enables Object Lock on an existing bucket once its versioning is on
# (PutObjectLockConfiguration, since November 2023); moto still refuses a
# bucket that holds objects (BucketNeedsToBeNew). Do as S3 does; the other
# checks stay moto's.
import moto.s3.models as _s3m  # noqa: E402
from moto.s3.exceptions import InvalidBucketState as _InvalidBucketState  # noqa: E402


def _lock_existing(self, bucket_name, lock_enabled, mode=None, days=None, years=None):  # type: ignore[no-untyped-def]
    bucket = self.get_bucket(bucket_name)
    if not bucket.is_versioned:
        raise _InvalidBucketState(
            "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"
        )
    if lock_enabled:
        bucket.object_lock_enabled = True
        bucket.versioning_status = "Enabled"
    bucket.default_lock_mode = mode
    bucket.default_lock_days = days
    bucket.default_lock_years = years


_s3m.S3Backend.put_object_lock_configuration = _lock_existing

# RestoreObject: moto restores the current version whatever versionId
# names, and finishes at once. Restore the version asked for, as S3 does,
# and refuse a second request while one is in progress
# (RestoreAlreadyInProgress). WARROOM_RESTORE_SECS=N (a test hook) keeps
# each restore in progress for N seconds, as Glacier's hours do, using
# moto's own state machine for it.
import datetime as _dt  # noqa: E402

import xmltodict as _xmltodict  # noqa: E402
from moto.moto_api import state_manager as _state_manager  # noqa: E402
from moto.s3.exceptions import (  # noqa: E402
    InvalidObjectState as _InvalidObjectState,
    MissingKey as _MissingKey,
    MissingVersion as _MissingVersion,
)

_restore_secs = float(os.environ.get("WARROOM_RESTORE_SECS", "0") or 0)
if _restore_secs > 0:
    _state_manager.set_transition(
        model_name="s3::keyrestore",
        transition={"progression": "time", "seconds": _restore_secs},
    )
_key_post = _s3r.S3Response._key_response_post


def _restore_version(self, request, body, bucket_name, query, key_name):  # type: ignore[no-untyped-def]
    if "restore" not in query:
        return _key_post(self, request, body, bucket_name, query, key_name)
    self._set_action("KEY", "POST", query)
    self._authenticate_and_authorize_s3_action(bucket_name=bucket_name, key_name=key_name)
    version = query.get("versionId", [None])[0]
    key = self.backend.get_object(bucket_name, key_name, version_id=version)
    if key is None:
        raise _MissingVersion() if version else _MissingKey(key=key_name)
    if key.storage_class not in _s3m.ARCHIVE_STORAGE_CLASSES:
        raise _InvalidObjectState(storage_class=key.storage_class)
    if key._expiry is not None and key.status == "IN_PROGRESS":
        return 409, {}, (
            "<Error><Code>RestoreAlreadyInProgress</Code><Message>Object restore "
            "is already in progress</Message></Error>"
        )
    params = _xmltodict.parse(body)["RestoreRequest"]
    again = key._expiry is not None
    key.restore(int(params.get("Days") or 1))
    # In progress from now (moto's clock for the transition).
    key._status = "IN_PROGRESS"
    key._time_progressed = _dt.datetime.now()
    return (200 if again else 202), {}, ""


_s3r.S3Response._key_response_post = _restore_version

# moto's ListObjectVersions deep-copies every version of the bucket on
# every page (a temporary file per version, to set `is_latest` on the
# copy): a page costs time in proportion to the whole bucket, where S3's
# costs one page. List through light read-only views instead; the paging
# below is moto's own, unchanged.
import itertools as _itertools  # noqa: E402


class _Listed:
    """A version as listed: the stored one, with its own `is_latest`."""

    __slots__ = ("_key", "is_latest")

    def __init__(self, key):  # type: ignore[no-untyped-def]
        self._key = key
        self.is_latest = False

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self._key, name)


def _list_object_versions(self, bucket_name, delimiter=None, key_marker=None,  # type: ignore[no-untyped-def]
                          max_keys=1000, prefix="", version_id_marker=None):
    bucket = self.get_bucket(bucket_name)
    common_prefixes = set()
    requested_versions = []
    delete_markers = []
    next_key_marker = None
    next_version_id_marker = None
    all_versions = [
        _Listed(v) for v in _itertools.chain(*(vk for _, vk in bucket.keys.iterlists()))
    ]
    all_versions.sort(key=lambda r: (r.name, -_s3m.unix_time_millis(r.last_modified)))
    last_name = None
    skip_versions = True
    last_item_added = None
    for version in all_versions:
        name = version.name
        version.is_latest = name != last_name
        if version.is_latest:
            last_name = name
        if skip_versions:
            if key_marker is None:
                skip_versions = False
            elif not version_id_marker:
                skip_versions = version.name < key_marker
                continue
            elif version.name == key_marker and version.version_id == version_id_marker:
                skip_versions = False
                continue
            else:
                continue
        if not name.startswith(prefix):
            continue
        is_common_prefix = False
        if delimiter and delimiter in name[len(prefix):]:
            end_of_delimiter = len(prefix) + name[len(prefix):].index(delimiter) + len(delimiter)
            prefix_including_delimiter = name[0:end_of_delimiter]
            if prefix_including_delimiter == key_marker:
                continue
            common_prefixes.add(prefix_including_delimiter)
            name = prefix_including_delimiter
            is_common_prefix = True
        elif last_item_added:
            name = last_item_added.name
        if (
            max_keys is not None
            and len(requested_versions) + len(delete_markers) + len(common_prefixes) >= max_keys
        ):
            next_key_marker = name
            if is_common_prefix:
                next_version_id_marker = None
            elif last_item_added is not None:
                next_version_id_marker = last_item_added.version_id
            else:
                next_version_id_marker = None
            break
        if not is_common_prefix:
            last_item_added = version
            if not isinstance(version._key, _s3m.FakeKey):
                delete_markers.append(version)
            else:
                requested_versions.append(version)
    return (requested_versions, sorted(common_prefixes), delete_markers,
            next_key_marker, next_version_id_marker)


_s3m.S3Backend.list_object_versions = _list_object_versions

moto.server.main(sys.argv[1:])
