#!/usr/bin/env python3
"""Fake Cloudflare, Huawei Cloud CES and ZITADEL upstreams for scripts/e2e.sh.

One stdlib-only process on 127.0.0.1 serving every provider's routes:

  Cloudflare  GET /client/v4/accounts/{id}/dex/commands/quota
              GET /client/v4/accounts/{id}/builds/account/limits
              GET /client/v4/accounts/{id}/ai-gateway/billing/spending-limit
              Needs "Authorization: Bearer <--cloudflare-token>"; otherwise
              HTTP 403 with Cloudflare's code 10000 envelope. The seed account
              (SEED_ACCOUNT) gets the seed examples verbatim (scripts/fixtures/);
              LIVE_ACCOUNT gets the same documents with plausible, not yet
              exhausted values that a control call can drive to exhaustion.
              Any other account: HTTP 404 with code 7003.
              An account starting with HANG_PREFIX never gets an answer (the
              request is held for 10 minutes): a provider that hangs.
              The token --cloudflare-limited-token is over its budget: every
              call with it gets HTTP 429 with Cloudflare's code 10100 body and
              "Retry-After: --cloudflare-retry-after" (seconds).
  Huawei CES  GET /V1.0/{project_id}/quotas: the seed example verbatim.
              Checks that the request is SDK-HMAC-SHA256 signed with
              --huawei-ak and carries X-Sdk-Date, but does NOT verify the
              signature: the Swift tests (Tests/QuotaHuaweiCESTests) and
              scripts/huawei_sign.py do that against Huawei's algorithm.
  ZITADEL     PUT|POST /system/v1/instances/{id}/quotas (SetQuota/AddQuota):
              needs a Bearer JWT (three base64url parts; the RS256 signature
              is verified by the Swift tests, not here), records the body and
              answers with ZITADEL's {"details": ...}. Like ZITADEL
              (internal/command/quota_model.go), a notification list equal to
              the stored one (sorted by percent, callUrl, repeat) keeps its
              notification ids; a different one gets new ids (a "renewal");
              two equal notifications are refused.
              Notifications are delivered the way ZITADEL's quota notifier
              projection does (internal/notification/handlers/quota_notifier.go
              on eventstore/handler/v2): one due event per notification of the
              quota (so one per callUrl), delivered in order per instance; a
              non-2xx answer or a failed connection (5 s timeout) stops the
              instance's queue and is retried after RetryFailedAfter (1 s),
              until MaxFailureCount (10, ZITADEL's NotificationsQuotas
              default) failures, when the event is skipped for good.

Control routes (for the test script, not part of any real API):

  POST /_control/cloudflare/{account}/exhaust   DEX remaining -> 0, builds limit reached
  GET  /_control/cloudflare/calls               {"limited": calls with the limited token,
                                                 "hanging": calls held for a hanging account}
  POST /_control/huawei/fail                    CES answers 500 from now on
  GET  /_control/zitadel/quotas                 the quota bodies the exporter provisioned
  POST /_control/zitadel/notify                 body {"instance", "unit", "usage"}: acts as
       ZITADEL and queues a usage notification for every provisioned callUrl; answers
       once each was tried, with the receivers' first status codes (0: no answer)
       in "receiver_statuses" ("receiver_status": the first of them).
  GET  /_control/zitadel/deliveries             every queued notification: callUrl host,
       usage, attempts, statuses, state (pending, delivered, skipped)
  GET  /_control/zitadel/renewals               {"<instance>/<unit>": times the list was renewed}

Notifications to an https callUrl verify the receiver's certificate against
--ca-file (the e2e run's test CA) as ZITADEL would against its trust store;
without it, against the system's CAs.

Usage: fake_upstreams.py --port-file FILE [--cloudflare-token T] [--cloudflare-limited-token T]
                         [--cloudflare-retry-after S] [--huawei-ak AK]
                         [--zitadel-retry-after S] [--zitadel-max-failures N] [--ca-file PEM]
"""

import argparse
import copy
import datetime
import http.server
import json
import os
import re
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
SEED_ACCOUNT = "01a7362d577a6c3019a474fd6f485823"
LIVE_ACCOUNT = "0123456789abcdef0123456789abcdef"
HANG_PREFIX = "aaaaaaaa"
HANG_SECONDS = 600

CF_PATHS = {
    "dex/commands/quota": "cloudflare-dex-commands-quota.json",
    "builds/account/limits": "cloudflare-builds-account-limits.json",
    "ai-gateway/billing/spending-limit": "cloudflare-ai-gateway-spending-limit.json",
}
UNIT_NUMBERS = {"UNIT_REQUESTS_ALL_AUTHENTICATED": 1, "UNIT_ACTIONS_ALL_RUN_SECONDS": 2}
# ZITADEL's defaults (cmd/defaults.yaml): Projections.RetryFailedAfter and
# Projections.Customizations.NotificationsQuotas.MaxFailureCount.
RETRY_FAILED_AFTER = 1.0
MAX_FAILURE_COUNT = 10


def fixture_bytes(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def rfc3339(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_rfc3339(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class State:
    def __init__(self):
        self.lock = threading.Lock()
        tomorrow = rfc3339(time.time() + 86400)
        dex = json.loads(fixture_bytes(CF_PATHS["dex/commands/quota"]))
        dex["result"].update(quota=750, quota_usage=250, reset_time=tomorrow)
        builds = json.loads(fixture_bytes(CF_PATHS["builds/account/limits"]))
        builds["result"].update(build_minutes_refresh_on=tomorrow, has_reached_build_minutes_limit=False)
        spending = json.loads(fixture_bytes(CF_PATHS["ai-gateway/billing/spending-limit"]))
        spending["result"]["config"].update(amount=5000, duration="monthly", strategy="fixed")
        self.live = {"dex/commands/quota": dex, "builds/account/limits": builds,
                     "ai-gateway/billing/spending-limit": spending}
        self.huawei_failing = False
        self.cloudflare_calls = {"limited": 0, "hanging": 0}
        self.zitadel_quotas = {}  # (instance, unit) -> last body, notifications with "_id"
        self.zitadel_calls = []
        self.zitadel_renewals = {}  # "instance/unit" -> how often the notification list was replaced
        self.next_id = 231848297847800000
        self.deliveries = threading.Condition(self.lock)
        self.queues = {}  # instance -> [event], delivered in order
        self.events = []  # every event ever queued, for /_control/zitadel/deliveries

    def exhaust(self):
        with self.lock:
            dex = self.live["dex/commands/quota"]["result"]
            dex["quota_usage"] = dex["quota"] + dex["quota_usage"]
            dex["quota"] = 0
            self.live["builds/account/limits"]["result"]["has_reached_build_minutes_limit"] = True


STATE = State()
# The TLS context notifications to an https callUrl are verified with (main).
RECEIVER_TLS = None


def notification_keys(quota):
    """ZITADEL's comparison of two notification lists: sorted, ids aside."""
    return sorted((int(rule.get("percent", 0)), rule.get("callUrl", ""), bool(rule.get("repeat", False)))
                  for rule in quota.get("notifications", []))


def post_notification(notification):
    """One delivery attempt as ZITADEL's webhook channel makes it: POST, JSON,
    5 s timeout; the HTTP status, or 0 when nothing answered."""
    post = urllib.request.Request(notification["callURL"], data=json.dumps(notification).encode(),
                                  headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(post, timeout=5, context=RECEIVER_TLS) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def deliver(instance):
    """The quota notifier of one instance: the head of the queue blocks the
    rest until it is delivered or has failed MAX_FAILURE_COUNT times."""
    queue = STATE.queues[instance]
    while True:
        with STATE.deliveries:
            while not queue:
                STATE.deliveries.wait()
            event = queue[0]
        status = post_notification(event["notification"])
        with STATE.deliveries:
            event["attempts"] += 1
            event["statuses"].append(status)
            done = 200 <= status < 300
            if done:
                event["state"] = "delivered"
            elif event["attempts"] >= MAX_FAILURE_COUNT:
                event["state"] = "skipped"
                done = True
            if done:
                queue.pop(0)
            STATE.deliveries.notify_all()
        if not done:
            time.sleep(RETRY_FAILED_AFTER)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-upstreams/1"

    def log_message(self, fmt, *args):  # one line per request on stderr, without headers
        print("%s %s" % (self.command, self.path), flush=True)

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    # Cloudflare -----------------------------------------------------------
    def cloudflare(self, account, rest):
        if self.headers.get("Authorization") == "Bearer " + self.server.cloudflare_limited_token:
            with STATE.lock:
                STATE.cloudflare_calls["limited"] += 1
            data = json.dumps({"success": False, "errors": [{"code": 10100, "message": "More than 1200 requests per 300 seconds reached. Please wait and consider throttling your request speed"}],
                               "messages": [], "result": None}).encode()
            self.send_response(429)
            self.send_header("Content-Type", "application/json")
            self.send_header("Retry-After", str(self.server.cloudflare_retry_after))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None
        if self.headers.get("Authorization") != "Bearer " + self.server.cloudflare_token:
            return self.reply(403, {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}],
                                    "messages": [], "result": None})
        if rest not in CF_PATHS:
            return self.reply(404, {"success": False, "errors": [{"code": 7003, "message": "Could not route to /" + rest + ", perhaps your object identifier is invalid?"}], "messages": [], "result": None})
        if account.startswith(HANG_PREFIX):
            with STATE.lock:
                STATE.cloudflare_calls["hanging"] += 1
            time.sleep(HANG_SECONDS)  # daemon thread: gone with the process
            return None
        if account == SEED_ACCOUNT:
            return self.reply(200, fixture_bytes(CF_PATHS[rest]))
        if account == LIVE_ACCOUNT:
            with STATE.lock:
                return self.reply(200, copy.deepcopy(STATE.live[rest]))
        return self.reply(404, {"success": False, "errors": [{"code": 7003, "message": "Could not route to /accounts/" + account + "/" + rest + ", perhaps your object identifier is invalid?"}], "messages": [], "result": None})

    # Huawei ---------------------------------------------------------------
    def huawei(self, project):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("SDK-HMAC-SHA256 Access=" + self.server.huawei_ak + ",") or not self.headers.get("X-Sdk-Date"):
            return self.reply(401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: verify aksk signature fail"})
        if STATE.huawei_failing:
            return self.reply(500, {"error_code": "ces.0500", "error_msg": "Internal Server Error (fake upstream told to fail)"})
        return self.reply(200, fixture_bytes("huaweicloud-ces-quotas.json"))

    # ZITADEL --------------------------------------------------------------
    def zitadel(self, instance):
        auth = self.headers.get("Authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        if len(token.split(".")) != 3:
            return self.reply(401, {"code": 16, "message": "Errors.Token.Invalid (AUTH-7fs1e)", "details": []})
        try:
            quota = json.loads(self.body())
            unit = quota["unit"]
            assert unit in UNIT_NUMBERS and quota["notifications"][0]["callUrl"]
        except Exception as error:  # noqa: BLE001 - any malformed body is a 400
            return self.reply(400, {"code": 3, "message": "Errors.Quota.Invalid: %s" % error, "details": []})
        keys = notification_keys(quota)
        if len(set(keys)) != len(keys):
            return self.reply(500, {"code": 13, "message": "Errors.Quota.Notifications.Duplicate", "details": []})
        with STATE.lock:
            stored = STATE.zitadel_quotas.get((instance, unit))
            if self.command == "POST" and stored is not None:
                return self.reply(409, {"code": 6, "message": "Errors.Quota.AlreadyExists", "details": []})
            if stored is not None and notification_keys(stored) == keys:
                quota["notifications"] = stored["notifications"]  # unchanged: ZITADEL keeps the ids
            else:
                for rule in quota["notifications"]:
                    STATE.next_id += 1
                    rule["_id"] = str(STATE.next_id)
                name = instance + "/" + unit
                STATE.zitadel_renewals[name] = STATE.zitadel_renewals.get(name, 0) + 1
            STATE.zitadel_quotas[(instance, unit)] = quota
            STATE.zitadel_calls.append({"method": self.command, "instance": instance, "unit": unit})
        now = rfc3339(time.time())
        return self.reply(200, {"details": {"sequence": "1", "changeDate": now, "resourceOwner": instance}})

    def zitadel_notify(self):
        request = json.loads(self.body())
        instance, unit = request["instance"], request["unit"]
        with STATE.lock:
            quota = STATE.zitadel_quotas.get((instance, unit))
            if quota is None:
                return self.reply(409, {"error": "quota not provisioned (yet)"})
            quota = copy.deepcopy(quota)
        start = parse_rfc3339(quota["from"])
        interval = int(quota["resetInterval"].rstrip("s"))
        now = time.time()
        period_start = start + max(0, int((now - start) // interval)) * interval
        queued = []
        for rule in quota["notifications"]:
            notification = {
                "unit": UNIT_NUMBERS[unit],
                # ZITADEL's id names the notification rule, the same for every
                # threshold and period; events differ by threshold and periodStart.
                "id": rule["_id"],
                "callURL": rule["callUrl"],
                "periodStart": rfc3339(period_start).replace(".000Z", "Z"),
                "threshold": int(request["usage"] * 100 // int(quota["amount"])),
                "usage": int(request["usage"]),
            }
            queued.append({"instance": instance, "notification": notification, "attempts": 0,
                           "statuses": [], "state": "pending"})
        with STATE.deliveries:
            if instance not in STATE.queues:
                STATE.queues[instance] = []
                threading.Thread(target=deliver, args=(instance,), daemon=True).start()
            STATE.queues[instance].extend(queued)
            STATE.events.extend(queued)
            STATE.deliveries.notify_all()
            deadline = time.time() + 60
            while any(event["attempts"] == 0 for event in queued) and time.time() < deadline:
                STATE.deliveries.wait(deadline - time.time())
            statuses = [event["statuses"][0] if event["statuses"] else 0 for event in queued]
        return self.reply(200, {"receiver_status": statuses[0], "receiver_statuses": statuses})

    # Routing --------------------------------------------------------------
    def route(self):
        path = self.path.split("?", 1)[0]
        m = re.fullmatch(r"/client/v4/accounts/([^/]+)/(.+)", path)
        if m and self.command == "GET":
            return self.cloudflare(m.group(1), m.group(2))
        m = re.fullmatch(r"/V1\.0/([^/]+)/quotas", path)
        if m and self.command == "GET":
            return self.huawei(m.group(1))
        m = re.fullmatch(r"/system/v1/instances/([^/]+)/quotas", path)
        if m and self.command in ("PUT", "POST"):
            return self.zitadel(m.group(1))
        m = re.fullmatch(r"/_control/cloudflare/([^/]+)/exhaust", path)
        if m and self.command == "POST":
            STATE.exhaust()
            return self.reply(200, {"exhausted": m.group(1)})
        if path == "/_control/cloudflare/calls" and self.command == "GET":
            with STATE.lock:
                return self.reply(200, dict(STATE.cloudflare_calls))
        if path == "/_control/huawei/fail" and self.command == "POST":
            STATE.huawei_failing = True
            return self.reply(200, {"huawei": "failing"})
        if path == "/_control/zitadel/quotas" and self.command == "GET":
            with STATE.lock:
                return self.reply(200, {"quotas": list(STATE.zitadel_quotas.values()), "calls": STATE.zitadel_calls})
        if path == "/_control/zitadel/notify" and self.command == "POST":
            return self.zitadel_notify()
        if path == "/_control/zitadel/deliveries" and self.command == "GET":
            with STATE.lock:
                return self.reply(200, {"deliveries": [{
                    "instance": event["instance"], "host": urllib.parse.urlsplit(event["notification"]["callURL"]).netloc,
                    "usage": event["notification"]["usage"], "attempts": event["attempts"],
                    "statuses": event["statuses"], "state": event["state"],
                } for event in STATE.events]})
        if path == "/_control/zitadel/renewals" and self.command == "GET":
            with STATE.lock:
                return self.reply(200, STATE.zitadel_renewals)
        return self.reply(404, {"error": "no route for %s %s" % (self.command, path)})

    do_GET = do_PUT = do_POST = route


def main():
    global RETRY_FAILED_AFTER, MAX_FAILURE_COUNT, RECEIVER_TLS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-file", required=True, help="write the bound port here once listening")
    parser.add_argument("--cloudflare-token", default="e2e-cloudflare-token")
    parser.add_argument("--cloudflare-limited-token", default="e2e-limited-token")
    parser.add_argument("--cloudflare-retry-after", type=int, default=4)
    parser.add_argument("--huawei-ak", default="E2EACCESSKEY")
    parser.add_argument("--zitadel-retry-after", type=float, default=RETRY_FAILED_AFTER)
    parser.add_argument("--zitadel-max-failures", type=int, default=MAX_FAILURE_COUNT)
    parser.add_argument("--ca-file", help="CA bundle that https receivers' certificates are verified against")
    args = parser.parse_args()
    # Verifying (hostname and chain) like any default context; only the trust store differs.
    RECEIVER_TLS = ssl.create_default_context(cafile=args.ca_file)
    RETRY_FAILED_AFTER, MAX_FAILURE_COUNT = args.zitadel_retry_after, args.zitadel_max_failures
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.cloudflare_token = args.cloudflare_token
    server.cloudflare_limited_token = args.cloudflare_limited_token
    server.cloudflare_retry_after = args.cloudflare_retry_after
    server.huawei_ak = args.huawei_ak
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
