#!/usr/bin/env python3
"""Checks scripts/e2e.sh runs against a real Prometheus, the dashboard, the
rules and the status page. Standard library only (plus PyYAML for the rules).

  e2e_checks.py test-rules SRC DST
      Writes the test-only copy of the rules that the e2e Prometheus loads:
      every `for:` becomes 0s, the 6h trend windows 1m, and the staleness
      threshold 10 s, so that alerts fire within seconds. The expressions are
      otherwise the shipped ones.
  e2e_checks.py dashboard PROM_URL DASHBOARD.json
      Runs every panel query (template variables substituted: $provider etc.
      -> .*, $__rate_interval -> 1m) through /api/v1/query and every variable
      query through /api/v1/series; each must succeed and return data.
  e2e_checks.py rules PROM_URL RULES.yml
      Every rule loaded with health "ok"; every recording rule's series exists.
  e2e_checks.py wait-alert PROM_URL ALERTNAME [label=value ...] [--timeout S] [--absent]
      Waits until /api/v1/alerts lists the alert firing with those labels
      (with --absent: checks that it is not firing now).
  e2e_checks.py fired-all PROM_URL RULES.yml
      Every alert of the rules file (and each severity of it) fired during the run.
  e2e_checks.py alert-count PROM_URL ALERTNAME COUNT [label=value ...]
      Exactly COUNT alerts of that name with those labels are firing now (two
      replicas must not make one quota's alert fire twice).
  e2e_checks.py ha-provisioned FAKES_URL INSTANCE RECEIVER_URL...
      The fake ZITADEL holds, for the instance's quota, one notification per
      receiver (each with that receiver's callUrl), set more than once by
      SetQuota and renewed only once: the replicas agree on one list.
  e2e_checks.py usage INSTANCE VALUE EXPORTER_URL...
      Every exporter shows quota_usage VALUE for the instance's ZITADEL quota.
  e2e_checks.py delivered FAKES_URL INSTANCE HOST STATE USAGE [--retried]
      The fake ZITADEL's last notification of USAGE to HOST reached STATE
      (delivered, skipped); with --retried: after more than one attempt.
  e2e_checks.py isolation METRICS.prom HANG_PREFIX SKIP_ACCOUNT
      The first scrape of an exporter with hanging Cloudflare accounts (ids
      starting with HANG_PREFIX): every other target (SKIP_ACCOUNT aside) is
      already collected and up, and no hanging one is.
  e2e_checks.py rate-limit LOG METRICS.prom ACCOUNT CALLS
      For a token that only ever gets 429 with Retry-After: one warn line per
      pause (with its end and pause_from=Retry-After), an info line when a
      pause ends, no more calls than one per collector per pause (CALLS: what
      the fake counted), and the refused attempts still counted in
      quota_exporter_collector_errors_total{reason="rate_limited"}.
  e2e_checks.py status-page DOM.html METRICS.prom
      The status page has a row for every (provider, account, quota) in /metrics.
  e2e_checks.py png-nonblank FILE.png
      A screenshot that decodes and is not one flat colour.
  e2e_checks.py encoding-proxy PORT UPSTREAM LOG.jsonl [CA.pem]
      Serves 127.0.0.1:PORT, passes each GET to UPSTREAM (the exporter) with
      the scraper's headers, returns the answer byte for byte (still gzip),
      and logs the request's Accept-Encoding and the answer's
      Content-Encoding, so the run can show what Prometheus was sent.
  e2e_checks.py encoding-log LOG.jsonl
      Prometheus asked for gzip and every such scrape was answered with a
      gzip body that decompresses.
"""

import html.parser
import json
import re
import struct
import sys
import time
import urllib.parse
import urllib.request
import zlib

import yaml


def fail(message):
    print(message)
    sys.exit(1)


def api(prom, path, params):
    url = prom + path + "?" + urllib.parse.urlencode(params, doseq=True)
    with urllib.request.urlopen(url, timeout=30) as answer:
        body = json.load(answer)
    if body.get("status") != "success":
        raise RuntimeError("%s: %s" % (path, body))
    return body["data"]


# test-rules ------------------------------------------------------------------
def test_rules(src, dst):
    with open(src) as f:
        rules = yaml.safe_load(f)
    for group in rules["groups"]:
        group["interval"] = "1s"
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = "0s"
            rule["expr"] = rule["expr"].replace("[6h]", "[1m]")
            if rule.get("alert") == "QuotaExporterValuesStale":
                rule["expr"] = rule["expr"].replace("> 900", "> 10")
    with open(dst, "w") as f:
        yaml.safe_dump(rules, f, sort_keys=False)


# dashboard -------------------------------------------------------------------
SUBSTITUTIONS = {
    "$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h",
    "${datasource}": "", "$provider": ".*", "$account": ".*", "$quota": ".*",
}


def substitute(expr):
    for key in sorted(SUBSTITUTIONS, key=len, reverse=True):
        expr = expr.replace(key, SUBSTITUTIONS[key])
    if "$" in expr:
        raise ValueError("unsubstituted variable in: " + expr)
    return expr


def panel_targets(panels):
    for panel in panels:
        yield from ((panel, t) for t in panel.get("targets", []))
        yield from panel_targets(panel.get("panels", []))


def dashboard(prom, path):
    with open(path) as f:
        board = json.load(f)
    problems, count = [], 0
    for panel, target in panel_targets(board["panels"]):
        count += 1
        expr = substitute(target["expr"])
        try:
            result = api(prom, "/api/v1/query", {"query": expr})["result"]
        except Exception as error:  # noqa: BLE001
            problems.append("panel %r query %s failed: %s" % (panel["title"], target["refId"], error))
            continue
        status = "ok  " if result else "FAIL"
        print("%s %-32s %s: %d series" % (status, panel["title"][:32], target["refId"], len(result)))
        if not result:
            problems.append("panel %r query %s returned no data:\n%s" % (panel["title"], target["refId"], expr))
    for variable in board["templating"]["list"]:
        if variable["type"] != "query":
            continue
        query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
        m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", query, re.S)
        if not m:
            problems.append("variable %s: unsupported query %s" % (variable["name"], query))
            continue
        count += 1
        selector, label = substitute(m.group(1)), m.group(2)
        series = api(prom, "/api/v1/series", {"match[]": selector})
        values = sorted({s[label] for s in series if label in s})
        print("%s variable %-23s %s" % ("ok  " if values else "FAIL", variable["name"], values))
        if not values:
            problems.append("variable %s has no values: %s" % (variable["name"], query))
    print("%d dashboard queries" % count)
    if problems:
        fail("\n".join(problems))


# rules -----------------------------------------------------------------------
def rules(prom, path):
    with open(path) as f:
        expected = yaml.safe_load(f)
    loaded = {}
    for group in api(prom, "/api/v1/rules", {})["groups"]:
        for rule in group["rules"]:
            loaded.setdefault(rule["name"], []).append(rule)
    problems = []
    for group in expected["groups"]:
        for rule in group["rules"]:
            name = rule.get("record") or rule["alert"]
            found = loaded.get(name)
            if not found:
                problems.append("rule %s is not loaded" % name)
                continue
            for r in found:
                if r.get("health") != "ok":
                    problems.append("rule %s: health %s: %s" % (name, r.get("health"), r.get("lastError")))
            if "record" in rule:
                n = len(api(prom, "/api/v1/query", {"query": name})["result"])
                print("%s recording rule %s: %d series" % ("ok  " if n else "FAIL", name, n))
                if not n:
                    problems.append("recording rule %s has no series" % name)
            else:
                print("ok   alert rule %s loaded, health ok" % name)
    if problems:
        fail("\n".join(problems))


# alerts ----------------------------------------------------------------------
def matching_alerts(prom, name, labels):
    alerts = api(prom, "/api/v1/alerts", {})["alerts"]
    return [a for a in alerts if a["labels"].get("alertname") == name and a["state"] == "firing"
            and all(a["labels"].get(k) == v for k, v in labels.items())]


def wait_alert(prom, args):
    timeout, absent, labels = 60.0, False, {}
    name = args[0]
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        if arg == "--timeout":
            timeout = float(rest.pop(0))
        elif arg == "--absent":
            absent = True
        else:
            key, value = arg.split("=", 1)
            labels[key] = value
    if absent:
        found = matching_alerts(prom, name, labels)
        if found:
            fail("%s %s is firing: %s" % (name, labels, found))
        return
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = matching_alerts(prom, name, labels)
        if found:
            print(json.dumps(found[0]["labels"], sort_keys=True))
            print(found[0]["annotations"].get("description", ""))
            return
        time.sleep(0.5)
    alerts = api(prom, "/api/v1/alerts", {})["alerts"]
    fail("%s %s did not fire within %.0fs; alerts now:\n%s" % (name, labels, timeout, json.dumps(alerts, indent=1)[:3000]))


def alert_count(prom, name, count, *pairs):
    labels = dict(pair.split("=", 1) for pair in pairs)
    found = matching_alerts(prom, name, labels)
    for alert in found:
        print(json.dumps(alert["labels"], sort_keys=True))
    if len(found) != int(count):
        fail("%d %s alerts firing for %s, expected %s" % (len(found), name, labels, count))


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.load(answer)


# two replicas ----------------------------------------------------------------
def ha_provisioned(fakes, instance, *receivers):
    state = get_json(fakes + "/_control/zitadel/quotas")
    puts = [c for c in state["calls"] if c["instance"] == instance and c["method"] == "PUT"]
    quotas = [q for q in state["quotas"] if any("/%s/" % instance in n["callUrl"] for n in q["notifications"])]
    if len(quotas) != 1:
        fail("expected one quota for %s, found %d" % (instance, len(quotas)))
    bases = sorted(n["callUrl"].split("/zitadel/notifications/")[0] for n in quotas[0]["notifications"])
    if bases != sorted(receivers):
        fail("callUrls point at %s, expected %s" % (bases, sorted(receivers)))
    renewals = get_json(fakes + "/_control/zitadel/renewals")
    renewed = renewals.get(instance + "/" + quotas[0]["unit"])
    print("SetQuota calls %d, notification list renewed %s time(s)" % (len(puts), renewed))
    if len(puts) < len(receivers) or renewed != 1:
        fail("every replica must have called SetQuota with the same list (renewed once)")


def usage(instance, value, *exporters):
    pattern = re.compile(r'^quota_usage\{provider="zitadel",account="%s",[^}]*\} (\S+)$' % re.escape(instance), re.M)
    seen = {}
    for exporter in exporters:
        with urllib.request.urlopen(exporter + "/metrics", timeout=10) as answer:
            text = answer.read().decode()
        found = pattern.findall(text)
        seen[exporter] = found[0] if len(found) == 1 else found
    print(json.dumps(seen))
    if any(v != value for v in seen.values()):
        fail("expected quota_usage %s on every exporter" % value)


def delivered(fakes, instance, host, state, usage_value, *flags):
    events = [d for d in get_json(fakes + "/_control/zitadel/deliveries")["deliveries"]
              if d["instance"] == instance and d["host"] == host and d["usage"] == int(usage_value)]
    if not events:
        fail("no notification of usage %s to %s" % (usage_value, host))
    event = events[-1]
    print(json.dumps(event))
    if event["state"] != state:
        fail("state %s, expected %s" % (event["state"], state))
    if "--retried" in flags and event["attempts"] < 2:
        fail("delivered at the first attempt; expected ZITADEL's retries")


def fired_all(prom, path):
    with open(path) as f:
        expected = yaml.safe_load(f)
    wanted = {(r["alert"], r["labels"]["severity"]) for g in expected["groups"] for r in g["rules"] if "alert" in r}
    result = api(prom, "/api/v1/query", {"query": 'group by (alertname, severity) (max_over_time(ALERTS{alertstate="firing"}[30m]))'})["result"]
    fired = {(s["metric"]["alertname"], s["metric"].get("severity")) for s in result}
    for alert in sorted(wanted):
        print("%s %s (%s)" % ("ok  " if alert in fired else "FAIL", *alert))
    missing = wanted - fired
    if missing:
        fail("never fired: %s" % sorted(missing))


# status page -----------------------------------------------------------------
class QuotaRows(html.parser.HTMLParser):
    """Collects every table row on the page: its cell texts and the text of
    its first <strong> (the status page shows the quota name in bold)."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell = [], None, None
        self.strong, self.in_strong = None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.row, self.strong = [], None
        elif tag == "td" and self.row is not None:
            self.cell = ""
        elif tag == "strong" and self.cell is not None and self.strong is None:
            self.strong, self.in_strong = "", True

    def handle_endtag(self, tag):
        if tag == "strong":
            self.in_strong = False
        elif tag == "td" and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append((self.row, self.strong))
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.in_strong:
            self.strong += data


SAMPLE = re.compile(r'^(quota_[a-z_]+)\{(.*)\} \S+$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
SAMPLE_VALUE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$')


def samples(metrics_path, name):
    """(labels, value) of every sample of NAME in a text-format file."""
    found = []
    for line in open(metrics_path, encoding="utf-8"):
        m = SAMPLE_VALUE.match(line.rstrip("\n"))
        if m and m.group(1) == name:
            found.append((dict(LABEL.findall(m.group(2))), float(m.group(3))))
    return found


def isolation(metrics_path, hang_prefix, skip_account):
    up = samples(metrics_path, "quota_exporter_collector_up")
    healthy = [(labels, value) for labels, value in up
               if not labels["account"].startswith(hang_prefix) and labels["account"] != skip_account]
    hanging_up = [labels for labels, value in up if labels["account"].startswith(hang_prefix) and value == 1]
    down = [labels for labels, value in healthy if value != 1]
    providers = {labels["provider"] for labels, _ in healthy}
    print("healthy targets up at the first scrape: %d; providers %s" % (len(healthy) - len(down), sorted(providers)))
    if down:
        fail("healthy targets not up at the first scrape: %s" % down)
    if not {"static", "cloudflare", "huaweicloud_ces"} <= providers:
        fail("the first scrape lacks a healthy provider's targets: has %s" % sorted(providers))
    if hanging_up:
        fail("a hanging account's collector is up: %s" % hanging_up)


def rate_limit(log_path, metrics_path, account, calls):
    lines = open(log_path, encoding="utf-8").read().splitlines()
    # "collection failed; pausing ..." or, when the collection still succeeded, "rate limited; pausing ...".
    starts = [l for l in lines if 'pausing calls with this credential"' in l and "account=" + account in l.split()]
    ends = [l for l in lines if 'msg="rate limit pause over; calling again"' in l]
    errors = sum(value for labels, value in samples(metrics_path, "quota_exporter_collector_errors_total")
                 if labels.get("account") == account and labels.get("reason") == "rate_limited")
    collectors = len({labels["collector"] for labels, _ in samples(metrics_path, "quota_exporter_collector_up")
                      if labels["account"] == account})
    calls = int(calls)
    print("pauses started %d, ended %d; calls %d from %d collectors; rate_limited errors %d"
          % (len(starts), len(ends), calls, collectors, errors))
    for line in starts[:2]:
        print("  " + line)
    if not starts:
        fail("no warn line for the 429")
    if not all("level=warn" in l.split() for l in starts):
        fail("a pause line is not at warn level")
    if not all("pause_from=Retry-After" in l and "paused_until=" in l for l in starts):
        fail("a pause line does not say its end and that it came from Retry-After")
    if not ends:
        fail("no line when a pause ended")
    if len(starts) > len(ends) + 1:
        fail("more pause lines (%d) than pauses (%d ended, one may be running): refused attempts log again" % (len(starts), len(ends)))
    if calls > collectors * len(starts):
        fail("%d calls for %d pauses of %d collectors: calls went out during a pause" % (calls, len(starts), collectors))
    if errors <= calls:
        fail("rate_limited errors (%d) do not count the refused attempts beside the %d calls" % (errors, calls))


def status_page(dom_path, metrics_path):
    quotas = set()
    with open(metrics_path) as f:
        for line in f:
            m = SAMPLE.match(line.strip())
            if m and not m.group(1).startswith("quota_exporter_"):
                labels = dict(LABEL.findall(m.group(2)))
                quotas.add((labels["provider"], labels["account"], labels["quota"]))
    if not quotas:
        fail("no quota series in " + metrics_path)
    parser = QuotaRows()
    with open(dom_path) as f:
        parser.feed(f.read())
    # Quota rows: provider, account, then the quota cell (name, then its labels).
    shown = {(cells[0], cells[1], strong) for cells, strong in parser.rows if len(cells) >= 10 and strong}
    for quota in sorted(quotas):
        print("%s %s / %s / %s" % ("ok  " if quota in shown else "FAIL", *quota))
    missing = quotas - shown
    if missing:
        fail("status page lacks %s" % sorted(missing))


# screenshot ------------------------------------------------------------------
def png_pixels(path):
    """Decodes an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("%s is not a PNG" % path)
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in (2, 6) or interlace:
        fail("unsupported PNG format %s" % (header,))
    bpp = 3 if color == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, previous, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = previous[x], previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, bpp, rows


def png_nonblank(path):
    width, height, bpp, rows = png_pixels(path)
    colours = set()
    for row in rows[::4]:
        for x in range(0, len(row), bpp * 4):
            colours.add(row[x:x + 3])
    print("%dx%d, %d distinct colours in a 1/16 sample" % (width, height, len(colours)))
    if width < 800 or height < 600 or len(colours) < 8:
        fail("screenshot looks blank")


# web config ------------------------------------------------------------------
def bcrypt_hash(password):
    """A bcrypt hash (cost 10) for basic_auth_users: Python's bcrypt package
    when installed, else the crypt module of Python <= 3.12."""
    try:
        import bcrypt
        print(bcrypt.hashpw(password.encode(), bcrypt.gensalt(10)).decode())
    except ImportError:
        import warnings
        warnings.simplefilter("ignore")
        import crypt
        print(crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10)))


def target_error(prom, job, expected):
    """The job's active target is down with an error containing `expected`."""
    targets = api(prom, "/api/v1/targets", {"state": "active"})["activeTargets"]
    mine = [t for t in targets if t["labels"].get("job") == job]
    if not mine:
        fail("no active target for job " + job)
    for target in mine:
        print(target["health"], target.get("lastError", ""))
        if target["health"] != "down" or expected not in target.get("lastError", ""):
            fail("target of %s: health %s, last error %r" % (job, target["health"], target.get("lastError")))
def encoding_proxy(port, upstream, log_path, ca_file=None):
    import http.server
    import ssl

    context = ssl.create_default_context(cafile=ca_file) if ca_file else None

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            forwarded = {k: v for k, v in self.headers.items()
                         if k.lower() in ("accept", "accept-encoding", "authorization", "user-agent", "x-prometheus-scrape-timeout-seconds")}
            request = urllib.request.Request(upstream + self.path, headers=forwarded)
            with urllib.request.urlopen(request, timeout=10, context=context) as answer:
                body = answer.read()
                status, headers = answer.status, answer.headers
            entry = {"user_agent": self.headers.get("User-Agent", ""),
                     "accept_encoding": self.headers.get("Accept-Encoding"),
                     "content_encoding": headers.get("Content-Encoding"), "vary": headers.get("Vary"),
                     "bytes": len(body)}
            if entry["content_encoding"] == "gzip":
                entry["decompressed"] = len(zlib.decompress(body, 31))
            with open(log_path, "a") as log:
                log.write(json.dumps(entry) + "\n")
            self.send_response(status)
            for name in ("Content-Type", "Content-Encoding", "Vary"):
                if headers.get(name):
                    self.send_header(name, headers[name])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()


def encoding_log(log_path):
    entries = [json.loads(line) for line in open(log_path)]
    scrapes = [e for e in entries if e["user_agent"].startswith("Prometheus/")]
    if not scrapes:
        fail("no scrape from Prometheus went through the proxy")
    asked = [e for e in scrapes if "gzip" in (e["accept_encoding"] or "")]
    if not asked:
        fail("Prometheus did not send Accept-Encoding: gzip: " + repr(scrapes[-1]))
    for entry in asked:
        if entry["content_encoding"] != "gzip" or entry["vary"] != "Accept-Encoding" or entry.get("decompressed", 0) <= entry["bytes"]:
            fail("a Prometheus scrape was not answered with gzip: " + repr(entry))
    last = asked[-1]
    print(f"{len(asked)} Prometheus scrapes with Accept-Encoding: {last['accept_encoding']!r} answered gzip "
          f"({last['bytes']} bytes for {last['decompressed']})")


def main():
    command, args = sys.argv[1], sys.argv[2:]
    if command == "bcrypt":
        bcrypt_hash(*args)
        return
    if command == "target-error":
        target_error(*args)
        return
    if command == "test-rules":
        test_rules(*args)
    elif command == "dashboard":
        dashboard(*args)
    elif command == "rules":
        rules(*args)
    elif command == "wait-alert":
        wait_alert(args[0], args[1:])
    elif command == "fired-all":
        fired_all(*args)
    elif command == "alert-count":
        alert_count(*args)
    elif command == "ha-provisioned":
        ha_provisioned(*args)
    elif command == "usage":
        usage(*args)
    elif command == "delivered":
        delivered(*args)
    elif command == "isolation":
        isolation(*args)
    elif command == "rate-limit":
        rate_limit(*args)
    elif command == "status-page":
        status_page(*args)
    elif command == "png-nonblank":
        png_nonblank(*args)
    elif command == "encoding-proxy":
        encoding_proxy(*args)
    elif command == "encoding-log":
        encoding_log(*args)
    else:
        fail("unknown command " + command)


if __name__ == "__main__":
    main()
