#!/usr/bin/env python3
"""Regenerates the seed corpora under Fuzz/corpus/ from what the project
already holds: the JSON examples of the seed API pages (--seeds, default
/work/shared/seeds; skipped when absent), the string literals of the tests
(JSON documents, HTTP requests, Accept headers, timestamps, durations),
scripts/fixtures/ and examples/.

Seeds only need to be small and varied; the fuzzer finds the rest. Each file
is named by the hash of its content, so re-running adds nothing twice.
Files written by hand (FuzzRSAKey's keys, the HTTP edge cases) are kept.
"""
import argparse
import hashlib
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "Fuzz" / "corpus"
MAX_SEED_BYTES = 4096


def swift_unescape(text):
    """Resolves the escapes Swift string literals in the tests use."""
    def replace(match):
        escape = match.group(1)
        if escape.startswith("u{"):
            return chr(int(escape[2:-1], 16))
        return {"r": "\r", "n": "\n", "t": "\t", '"': '"', "\\": "\\", "0": "\0", "'": "'"}[escape]
    return re.sub(r"\\(u\{[0-9a-fA-F]+\}|[rnt\"\\0'])", replace, text)


def swift_literals(source):
    """Multi-line and one-line string literals without interpolation."""
    for match in re.finditer(r'(#?)"""\n(.*?)\n([ \t]*)"""\1', source, re.S):
        raw, body, indent = match.group(1), match.group(2), match.group(3)
        lines = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in body.split("\n")]
        text = "\n".join(lines)
        if "\\(" in text or "\\#(" in text:
            continue
        yield text if raw else swift_unescape(text)
    for match in re.finditer(r'#"(.*?)"#', source):
        if "\\#(" not in match.group(1):
            yield match.group(1)
    for match in re.finditer(r'(?<![#\\])"((?:[^"\\\n]|\\.)*)"', source):
        text = match.group(1)
        if "\\(" not in text:
            yield swift_unescape(text)


def json_documents(text):
    """Balanced {...} regions of a page that parse as JSON."""
    start = text.find("{")
    while start != -1:
        depth, index, in_string, escaped = 0, start, False, False
        while index < len(text):
            char = text[index]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    break
            index += 1
        candidate = text[start:index + 1]
        try:
            json.loads(candidate)
            yield candidate
            start = text.find("{", index + 1)
        except ValueError:
            start = text.find("{", start + 1)


def harnesses_for_json(text):
    try:
        value = json.loads(text)
    except ValueError:
        return []
    targets = ["FuzzJSON"]
    if not isinstance(value, dict):
        return targets
    keys = set(value)
    if keys & {"success", "errors", "messages", "result"}:
        targets.append("FuzzCloudflare")
    if "quotas" in keys or keys & {"error_code", "error_msg", "error"}:
        targets.append("FuzzHuaweiCES")
    if "token" in keys or "error" in keys:
        targets.append("FuzzIAMToken")
    if keys & {"unit", "periodStart", "callURL", "instances", "code", "message"}:
        targets.append("FuzzZitadel")
    if keys & {"global", "static", "cloudflare", "huaweicloud_ces", "zitadel"}:
        targets.append("FuzzConfig")
    return targets


class Corpus:
    def __init__(self):
        self.written = {}

    def add(self, harness, data):
        if isinstance(data, str):
            data = data.encode()
        if not data or len(data) > MAX_SEED_BYTES:
            return
        directory = CORPUS / harness
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / ("seed-" + hashlib.sha1(data).hexdigest()[:16])
        if not path.exists():
            path.write_bytes(data)
            self.written[harness] = self.written.get(harness, 0) + 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="/work/shared/seeds")
    args = parser.parse_args()
    corpus = Corpus()
    texts = []

    seeds = pathlib.Path(args.seeds)
    if seeds.is_dir():
        for page in sorted(seeds.glob("*.txt")):
            texts.extend(json_documents(page.read_text(errors="replace")))
    for path in sorted((ROOT / "scripts" / "fixtures").glob("*.json")) + sorted((ROOT / "examples").glob("*.json")):
        texts.append(path.read_text())
    for path in sorted((ROOT / "Tests").rglob("*.swift")):
        texts.extend(swift_literals(path.read_text()))

    timestamp = re.compile(r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)?")
    for text in texts:
        for harness in harnesses_for_json(text):
            corpus.add(harness, text)
        if re.match(r"^[A-Z]+ \S+ HTTP/1\.[01]\r?\n", text) or text.startswith("\r\n"):
            corpus.add("FuzzHTTPRequest", text)
            head, _, body = text.replace("\r\n", "\n").partition("\n\n")
            corpus.add("FuzzHTTPHead", text.split("\r\n\r\n")[0] if "\r\n\r\n" in text else head)
            if "chunked" in text.lower():
                corpus.add("FuzzChunkedBody", text.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in text else body)
        if re.fullmatch(r"[a-z*]+/[a-z0-9.*+-]+(\s*;[^,]*)?(\s*,\s*[a-z*]+/[a-z0-9.*+-]+(\s*;[^,]*)?)*", text.strip()):
            corpus.add("FuzzAccept", text)
        if re.fullmatch(r"[A-Za-z0-9*.-]+(\s*;\s*[qQ]=[0-9.]*)?(\s*,\s*[A-Za-z0-9*.-]+(\s*;\s*[qQ]=[0-9.]*)?)*", text.strip()) and any(
            word in text.lower() for word in ("gzip", "identity", "*", "br", "deflate")
        ):
            corpus.add("FuzzAcceptEncoding", text)
        for stamp in timestamp.findall(text):
            corpus.add("FuzzRFC3339", stamp)
        if re.fullmatch(r"(\d+(y|w|d|h|ms|m|s))+|0", text):
            corpus.add("FuzzDuration", text)
        if re.fullmatch(r"\d{1,6}|[A-Z][a-z]{2,8}, \d\d[ -][A-Z][a-z]{2}[ -]\d{2,4} \d\d:\d\d:\d\d GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d \d{4}", text):
            corpus.add("FuzzRetryAfter", text)
    # YAML: the examples, the ConfigMap's configuration, the YAML tests' literals.
    yaml_texts = [path.read_text() for path in sorted((ROOT / "examples").glob("*.yaml"))]
    configmap = (ROOT / "deploy" / "kubernetes" / "configmap.yaml").read_text()
    yaml_texts.append(configmap)
    for path in sorted((ROOT / "Tests" / "QuotaYAMLTests").glob("*.swift")):
        yaml_texts.extend(text for text in swift_literals(path.read_text()) if ":" in text or "-" in text)
    for text in yaml_texts:
        corpus.add("FuzzYAML", text)
        if re.search(r"^(global|static|cloudflare|huaweicloud_ces|zitadel):", text, re.M):
            corpus.add("FuzzConfig", text)
    # The web config: the example, the web tests' literals that look like one;
    # Authorization headers: the schemes and base64 shapes the parser decides on.
    web_texts = [(ROOT / "examples" / "web-config.yml").read_text()]
    for path in sorted((ROOT / "Tests" / "QuotaWebTests").glob("*.swift")):
        web_texts.extend(text for text in swift_literals(path.read_text())
                         if re.search(r"^(tls_server_config|http_server_config|basic_auth_users):", text, re.M))
    for text in web_texts:
        corpus.add("FuzzWebConfig", text)
    for header in ["Basic dTpw", "basic dTpw", "Basic cHJvbWV0aGV1czpzM2NyZXQ=", "Basic Og==", "Basic YTpiOmM=",
                   "Basic dXNlcg==", "Basic dTpw=", "Basic  dTpw", "Bearer abc", "Basic ====", "Basic w6k6w6k="]:
        corpus.add("FuzzBasicAuth", header)
    for harness, count in sorted(corpus.written.items()):
        print(f"{harness}: {count} new seeds")


if __name__ == "__main__":
    main()
