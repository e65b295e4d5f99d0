#!/usr/bin/env python3
"""Static checks of deploy/, dashboards/ and the runbook (run by .ci/run).

- Every YAML file under deploy/ parses (yaml.safe_load_all); every JSON file
  under dashboards/ and deploy/ parses.
- deploy/kubernetes/prometheusrule.yaml holds exactly the groups of
  deploy/prometheus/quota-exporter.rules.yml (`--write` regenerates it).
- Every alert: CamelCase name, severity warning|critical, summary,
  description, and a runbook_url whose anchor is a heading of docs/runbook.md;
  the unit tests have a firing and a not-firing case for it.
- `kubectl kustomize deploy/kubernetes` renders (kubectl is required), and
  the checks below read what it rendered: every object in one namespace.
- The StatefulSet (two replicas, deploy/README.md#two-replicas) runs as
  non-root with a read-only root filesystem, has requests and limits, probes
  /-/healthy and /-/ready on the Service's port, passes --cluster.replicas
  equal to its replicas, keeps --storage.path on a ReadWriteOnce claim per
  replica (volumeClaimTemplates); its serviceName is a headless Service that
  selects its pods; the ServiceMonitor selects that Service and names its
  port; the PodDisruptionBudget covers the pods and lets at most one go; the
  NetworkPolicy covers the pods, admits Ingress on the container port only,
  from Prometheus' pods and the ZITADEL namespace; the ConfigMap's ZITADEL
  entries list one receiver URL per replica, by the pods' stable names, and
  a shared receiver_secret_file.
- With --binary BIN: the ConfigMap's config passes `BIN --config.check`
  with the StatefulSet's --cluster.replicas (secret files replaced by
  generated stand-ins).

Usage: scripts/check_deploy.py [--write] [--binary BIN]
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(ROOT, "deploy/prometheus/quota-exporter.rules.yml")
TESTS = os.path.join(ROOT, "deploy/prometheus/quota-exporter.rules.test.yml")
PROMETHEUS_RULE = os.path.join(ROOT, "deploy/kubernetes/prometheusrule.yaml")
RUNBOOK = os.path.join(ROOT, "docs/runbook.md")
K8S = os.path.join(ROOT, "deploy/kubernetes")

problems = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        problems.append(message)


def load_yaml(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


class LiteralDumper(yaml.SafeDumper):
    """Writes multi-line strings (the expressions) as `|` blocks."""


LiteralDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def prometheus_rule_text(groups):
    header = ("# Generated from deploy/prometheus/quota-exporter.rules.yml by\n"
              "# `scripts/check_deploy.py --write`; edit that file, not this one.\n"
              "# For prometheus-operator: set the labels your Prometheus' ruleSelector\n"
              "# wants (kube-prometheus-stack: `release: <release name>`).\n")
    resource = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "quota-exporter", "labels": {"app.kubernetes.io/name": "quota-exporter"}},
        "spec": {"groups": groups},
    }
    return header + yaml.dump(resource, Dumper=LiteralDumper, sort_keys=False, width=200)


def github_anchor(heading):
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def main():
    args = sys.argv[1:]
    write = "--write" in args
    binary = args[args.index("--binary") + 1] if "--binary" in args else None

    # Parse everything.
    yaml_files = sorted(glob.glob(os.path.join(ROOT, "deploy/**/*.y*ml"), recursive=True))
    for path in yaml_files:
        try:
            docs = load_yaml(path)
            check(bool(docs), "%s parses (%d documents)" % (os.path.relpath(path, ROOT), len(docs)))
        except yaml.YAMLError as error:
            check(False, "%s parses: %s" % (os.path.relpath(path, ROOT), error))
    for path in sorted(glob.glob(os.path.join(ROOT, "dashboards/*.json")) + glob.glob(os.path.join(ROOT, "deploy/**/*.json"), recursive=True)):
        try:
            with open(path) as f:
                json.load(f)
            check(True, "%s parses" % os.path.relpath(path, ROOT))
        except ValueError as error:
            check(False, "%s parses: %s" % (os.path.relpath(path, ROOT), error))

    # Rules and the PrometheusRule.
    groups = load_yaml(RULES)[0]["groups"]
    if write:
        with open(PROMETHEUS_RULE, "w") as f:
            f.write(prometheus_rule_text(groups))
        print("wrote " + os.path.relpath(PROMETHEUS_RULE, ROOT))
    check(load_yaml(PROMETHEUS_RULE)[0]["spec"]["groups"] == groups,
          "prometheusrule.yaml has the groups of quota-exporter.rules.yml (fix: scripts/check_deploy.py --write)")

    with open(RUNBOOK) as f:
        anchors = {github_anchor(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", f.read(), re.M)}
    tests = load_yaml(TESTS)[0]["tests"]
    cases = {}
    for test in tests:
        for case in test.get("alert_rule_test", []):
            cases.setdefault(case["alertname"], set()).add(bool(case.get("exp_alerts")))
    for group in groups:
        for rule in group["rules"]:
            if "alert" not in rule:
                check(":" in rule["record"], "recording rule %s follows level:metric:operations" % rule["record"])
                continue
            name, labels, notes = rule["alert"], rule.get("labels", {}), rule.get("annotations", {})
            check(re.fullmatch(r"(?:[A-Z][a-z0-9]+)+", name) is not None, "%s is CamelCase" % name)
            check(labels.get("severity") in ("warning", "critical"), "%s has severity warning or critical" % name)
            check(bool(notes.get("summary")) and bool(notes.get("description")), "%s has summary and description" % name)
            url = notes.get("runbook_url", "")
            anchor = url.split("#", 1)[1] if "#" in url else ""
            check("docs/runbook.md#" in url and anchor in anchors, "%s runbook_url points at a section of docs/runbook.md (#%s)" % (name, anchor))
            check(cases.get(name) == {True, False}, "%s is unit-tested firing and not firing" % name)

    # Kubernetes: what kustomize renders.
    try:
        rendered = subprocess.run(["kubectl", "kustomize", K8S], capture_output=True, text=True)
        check(rendered.returncode == 0, "kubectl kustomize deploy/kubernetes renders " + rendered.stderr.strip())
        documents = [d for d in yaml.safe_load_all(rendered.stdout) if d] if rendered.returncode == 0 else []
    except FileNotFoundError:
        check(False, "kubectl kustomize deploy/kubernetes renders (kubectl is not installed)")
        documents = []
    kinds = sorted(d["kind"] for d in documents)
    expected_kinds = sorted(["ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "PrometheusRule", "Service", "ServiceMonitor", "StatefulSet"])
    check(kinds == expected_kinds, "kustomize renders one each of %s: %s" % (", ".join(expected_kinds), kinds))
    if kinds != expected_kinds:
        documents = []
        for path in glob.glob(os.path.join(K8S, "*.yaml")):
            documents += [d for d in load_yaml(path) if d["kind"] != "Secret" and d["kind"] != "Kustomization"]
    resources = {d["kind"]: d for d in documents}
    namespaces = {d["metadata"].get("namespace") for d in documents}
    check(len(namespaces) == 1 and None not in namespaces, "every rendered object is in one namespace: %s" % sorted(map(str, namespaces)))
    namespace = next(iter(namespaces)) if len(namespaces) == 1 else "monitoring"
    statefulset, service, monitor = resources.get("StatefulSet", {}), resources.get("Service", {}), resources.get("ServiceMonitor", {})
    pdb, policy = resources.get("PodDisruptionBudget", {}), resources.get("NetworkPolicy", {})
    spec = statefulset.get("spec", {})
    pod = spec["template"]["spec"]
    container = pod["containers"][0]
    check(pod["securityContext"].get("runAsNonRoot") is True, "StatefulSet runAsNonRoot")
    check(container["securityContext"].get("readOnlyRootFilesystem") is True, "StatefulSet readOnlyRootFilesystem")
    check(container["securityContext"].get("allowPrivilegeEscalation") is False, "StatefulSet forbids privilege escalation")
    resources_ = container.get("resources", {})
    check(all(resources_.get(kind, {}).get(r) for kind in ("requests", "limits") for r in ("cpu", "memory")), "StatefulSet has cpu/memory requests and limits")
    port_names = {p["name"]: p["containerPort"] for p in container["ports"]}
    check(port_names.get("http-metrics") == 8795, "container port http-metrics is 8795 (the default port)")
    check(container["livenessProbe"]["httpGet"]["path"] == "/-/healthy", "liveness probe on /-/healthy")
    check(container["readinessProbe"]["httpGet"]["path"] == "/-/ready", "readiness probe on /-/ready")
    check(all(container[p]["httpGet"]["port"] in port_names for p in ("livenessProbe", "readinessProbe", "startupProbe")), "probes use a named container port")
    replicas = spec.get("replicas", 1)
    check(replicas == 2, "StatefulSet runs two replicas (the documented HA setup)")
    check("--cluster.replicas=%d" % replicas in container["args"], "--cluster.replicas equals the StatefulSet's replicas (%d)" % replicas)
    template_labels = spec["template"]["metadata"]["labels"]
    selects_pods = lambda selector: bool(selector) and all(template_labels.get(k) == v for k, v in selector.items())
    check(selects_pods(spec["selector"]["matchLabels"]), "StatefulSet selects its own pods")
    check(spec.get("serviceName") == service.get("metadata", {}).get("name") and service.get("spec", {}).get("clusterIP") == "None",
          "StatefulSet's serviceName is the headless Service (stable pod names for ZITADEL)")
    check(selects_pods(service["spec"]["selector"]), "Service selects the StatefulSet's pods")
    service_ports = {p["name"]: p for p in service["spec"]["ports"]}
    check(all(p["targetPort"] in port_names for p in service_ports.values()), "Service targets a named container port")
    check(all(service["metadata"]["labels"].get(k) == v for k, v in monitor["spec"]["selector"]["matchLabels"].items()), "ServiceMonitor selects the Service")
    check(all(e["port"] in service_ports for e in monitor["spec"]["endpoints"]), "ServiceMonitor names a Service port")
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    check(any(a == "--storage.path=" + mounts.get("state", "?") for a in container["args"]), "--storage.path is the state volume")
    claims = {c["metadata"]["name"]: c for c in spec.get("volumeClaimTemplates", [])}
    check("state" in claims and "ReadWriteOnce" in claims["state"]["spec"]["accessModes"] and not any(v["name"] == "state" for v in pod.get("volumes", [])),
          "the state volume is a ReadWriteOnce claim per replica (volumeClaimTemplates)")
    check(selects_pods(pdb.get("spec", {}).get("selector", {}).get("matchLabels")) and pdb["spec"].get("maxUnavailable") == 1,
          "PodDisruptionBudget covers the pods and lets at most one go")
    pspec = policy.get("spec", {})
    check(selects_pods(pspec.get("podSelector", {}).get("matchLabels")) and pspec.get("policyTypes") == ["Ingress"],
          "NetworkPolicy covers the pods' Ingress")
    rules = pspec.get("ingress", [])
    check(len(rules) == 2 and all(r.get("ports") and all(p["port"] in port_names or p["port"] in port_names.values() for p in r["ports"]) for r in rules),
          "NetworkPolicy admits only the container port, in two rules")
    sources = [r.get("from", []) for r in rules]
    prometheus = [f for f in sum(sources, []) if f.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") == "prometheus" and "namespaceSelector" in f]
    zitadel = [f for f in sum(sources, []) if "podSelector" not in f and f.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")]
    check(len(prometheus) == 1 and len(zitadel) == 1 and all(len(f) == 1 for f in sources),
          "NetworkPolicy admits Prometheus' pods and the ZITADEL namespace, nothing else")
    config = yaml.safe_load(resources["ConfigMap"]["data"]["config.yaml"])
    pod_urls = ["http://%s-%d.%s.%s.svc:8795" % (statefulset["metadata"]["name"], i, spec.get("serviceName"), namespace) for i in range(replicas)]
    for index, entry in enumerate(config.get("zitadel", [])):
        check(entry.get("receiver_urls") == pod_urls and entry.get("receiver_secret_file"),
              "zitadel[%d] lists one receiver URL per replica (%s) and a shared receiver_secret_file" % (index, ", ".join(pod_urls)))
    kustomization = load_yaml(os.path.join(K8S, "kustomization.yaml"))[0]
    listed = set(kustomization["resources"])
    on_disk = {os.path.basename(p) for p in glob.glob(os.path.join(K8S, "*.yaml"))} - {"kustomization.yaml", "secret.example.yaml"}
    check(listed == on_disk and all(os.path.exists(os.path.join(K8S, r)) for r in listed),
          "kustomization.yaml lists every manifest (but the Secret example): %s" % sorted(listed ^ on_disk))

    # docker-compose: every bind-mounted path exists (relative to deploy/).
    compose = load_yaml(os.path.join(ROOT, "deploy/docker-compose.yml"))[0]
    for name, svc in compose["services"].items():
        for volume in svc.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                check(os.path.exists(os.path.join(ROOT, "deploy", source)), "compose %s mounts an existing %s" % (name, source))
            else:
                check(source in compose.get("volumes", {}), "compose %s uses declared volume %s" % (name, source))
        if "build" in svc:
            build = svc["build"]
            check(os.path.exists(os.path.join(ROOT, "deploy", build["context"], build["dockerfile"])), "compose %s builds an existing Dockerfile" % name)

    # Dockerfile basics.
    with open(os.path.join(ROOT, "deploy/Dockerfile")) as f:
        dockerfile = f.read()
    check("--static-swift-stdlib" in dockerfile and "EXPOSE 8795" in dockerfile and "USER 65534" in dockerfile,
          "Dockerfile: static stdlib build, EXPOSE 8795, USER 65534")
    # The image CI tests (--target prebuilt, scripts/container-test.sh) is the
    # image users build but for where the binary comes from: both stages are
    # the one runtime stage plus the binary, and the default is the last.
    froms = re.findall(r"^FROM\s+(.+)$", dockerfile, re.M)
    check(froms[-1].strip() == "runtime" and "runtime AS prebuilt" in froms
          and sum(f.endswith("AS runtime") for f in froms) == 1,
          "Dockerfile: the default image and --target prebuilt are both the runtime stage plus the binary")
    check(re.search(r"apt-get install -y --no-install-recommends libcurl4 libssl3 ca-certificates tzdata\s", dockerfile) is not None,
          "Dockerfile: runtime packages are libcurl4 libssl3 ca-certificates tzdata")
    with open(os.path.join(ROOT, "deploy/Dockerfile.dockerignore")) as f:
        ignore = f.read().split()
    check("!deploy/prebuilt/quota_exporter" in ignore, "Dockerfile.dockerignore lets the prebuilt binary in")

    # The ConfigMap's configuration, through the real binary.
    if binary:
        config = resources["ConfigMap"]["data"]["config.yaml"]
        with tempfile.TemporaryDirectory() as tmp:
            secrets = os.path.join(tmp, "secrets")
            os.mkdir(secrets)
            for name in re.findall(r"/etc/quota-exporter/secrets/([\w.-]+)", config):
                path = os.path.join(secrets, name)
                if name.endswith(".pem"):
                    subprocess.run(["openssl", "genrsa", "-out", path, "2048"], check=True, capture_output=True)
                else:
                    with open(path, "w") as f:
                        f.write("stand-in-secret-0123456789")
            config_path = os.path.join(tmp, "config.yaml")
            with open(config_path, "w") as f:
                f.write(config.replace("/etc/quota-exporter/secrets", secrets))
            os.mkdir(os.path.join(tmp, "state"))
            result = subprocess.run([binary, "--config.file=" + config_path, "--storage.path=" + os.path.join(tmp, "state"),
                                     "--cluster.replicas=%d" % replicas, "--config.check"],
                                    capture_output=True, text=True)
            output = (result.stdout + result.stderr).strip()
            check(result.returncode == 0, "ConfigMap config passes --config.check: " + output.splitlines()[-1] if output else "")

    if problems:
        print("\n%d problem(s)" % len(problems))
        sys.exit(1)


if __name__ == "__main__":
    main()
