"""check_deploy.py ZS_TOPICS DEPLOY_DIR: checks the files of deploy/ that are
not code. Run by check_deploy.sh with Debian's /usr/bin/python3 (python3-yaml).

  yaml       every *.yaml / *.yml parses
  compose    docker-compose parses compose/compose.yaml; monitors <= partitions
  topics     the KafkaTopics in k8s/ are exactly `zs-topics --wanted
             --replication 3 --partitions 12`, nothing more or less
  k8s        ACLs name existing topics and the configs' groups; pods log in
             as their own user; zs-monitor replicas <= partitions; the
             ConfigMap's files exist; no Secret is committed
  config     config/*.conf and *.conf.example are key=value lines; zs-topics
             accepts their zs.* keys; librdkafka accepts every other key and
             value (rd_kafka_conf_set); password-like values are placeholders
  systemd    units parse (our INI reading, and `systemd-analyze verify` where
             systemd is installed) and keep the rules of this deployment

Prints one line per check ("ok ..." or "FAIL ...: why") and then
"N passed, M failed"; exits 1 if any failed.
"""

import ctypes
import ctypes.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

PASSED = []
FAILED = []


def check(name, problems):
    """Records one check: problems is a list of strings, empty when it passed."""
    if problems:
        FAILED.append(name)
        print(f"FAIL {name}: " + "; ".join(p.strip().replace("\n", " | ") for p in problems))
    else:
        PASSED.append(name)
        print(f"ok   {name}")


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def wanted_topics(zs_topics, args):
    """Parses `zs-topics --wanted ARGS`: {name: (partitions, replication, {k: v})}."""
    out = run([zs_topics, "--wanted"] + args)
    if out.returncode != 0:
        raise RuntimeError(f"zs-topics --wanted {' '.join(args)}: exit {out.returncode}: "
                           f"{out.stderr.strip()}")
    topics = {}
    for line in out.stdout.splitlines():
        name, partitions, replication, *settings = line.split()
        topics[name] = (int(partitions), int(replication),
                        dict(s.split("=", 1) for s in settings))
    if not topics:
        raise RuntimeError("zs-topics --wanted printed no topic")
    return topics


def yaml_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


# --- yaml -------------------------------------------------------------------


def check_yaml(deploy):
    docs = {}
    for top, dirs, files in os.walk(deploy):
        dirs.sort()
        for f in sorted(files):
            if not f.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(top, f)
            rel = os.path.relpath(path, deploy)
            try:
                docs[rel] = yaml_docs(path)
                check(f"yaml {rel}", [])
            except (yaml.YAMLError, OSError, UnicodeDecodeError) as e:
                check(f"yaml {rel}", [str(e).replace("\n", " ")])
    return docs


def k8s_docs(docs, kind=None):
    """Every document of k8s/*.yaml (of one kind), with the file it is in."""
    for rel, ds in docs.items():
        if rel.startswith("k8s" + os.sep):
            for d in ds:
                if isinstance(d, dict) and (kind is None or d.get("kind") == kind):
                    yield rel, d


# --- compose ----------------------------------------------------------------


def check_compose(deploy, docs, local_partitions):
    path = os.path.join(deploy, "compose", "compose.yaml")
    exe = shutil.which("docker-compose")
    if exe is None:
        check("compose: docker-compose config", [
            "docker-compose is not installed; run deploy/install-deps.sh --dev "
            "(Debian package docker-compose)"])
    else:
        out = run([exe, "-f", path, "config", "-q"], cwd=os.path.dirname(path))
        check("compose: docker-compose config", [] if out.returncode == 0 else [
            f"exit {out.returncode}: {(out.stderr or out.stdout).strip()}"])
    compose = (docs.get(os.path.join("compose", "compose.yaml")) or [{}])[0]
    mon = (compose.get("services") or {}).get("zs-monitor")
    problems = []
    if mon is None:
        problems.append("no zs-monitor service")
    else:
        replicas = (mon.get("deploy") or {}).get("replicas", 1)
        if not isinstance(replicas, int) or not 1 <= replicas <= local_partitions:
            problems.append(f"zs-monitor replicas {replicas!r}: want 1..{local_partitions} "
                            "(the partitions zs-topics.conf asks for)")
    check("compose: zs-monitor replicas <= partitions", problems)


# --- topics -----------------------------------------------------------------


def check_topics(docs, wanted):
    problems, seen = [], set()
    for rel, d in k8s_docs(docs, "KafkaTopic"):
        meta, spec = d.get("metadata") or {}, d.get("spec") or {}
        name = spec.get("topicName") or meta.get("name")
        where = f"{rel}: KafkaTopic {meta.get('name')}"
        if name in seen:
            problems.append(f"{where}: topic {name} twice")
        seen.add(name)
        if name not in wanted:
            problems.append(f"{where}: topic {name} is not in zs-topics' table")
            continue
        partitions, replication, settings = wanted[name]
        if spec.get("partitions") != partitions:
            problems.append(f"{where}: partitions {spec.get('partitions')!r}, want {partitions}")
        if spec.get("replicas") != replication:
            problems.append(f"{where}: replicas {spec.get('replicas')!r}, want {replication}")
        config = spec.get("config") or {}
        have = {}
        for k, v in config.items():
            if isinstance(v, bool) or not isinstance(v, (int, str)):
                problems.append(f"{where}: config {k}: {v!r} is not a string or integer")
            have[k] = str(v)
        if have != settings:
            missing = {k: v for k, v in settings.items() if k not in have}
            extra = {k: v for k, v in have.items() if k not in settings}
            differ = {k: (have[k], v) for k, v in settings.items() if k in have and have[k] != v}
            problems.append(f"{where}: config differs: missing {missing}, extra {extra}, "
                            f"differing (have, want) {differ}")
    for name in sorted(set(wanted) - seen):
        problems.append(f"no KafkaTopic for {name}")
    if problems:
        problems.append("regenerate: deploy/k8s/gen-topics.sh ZS_TOPICS > deploy/k8s/topics.yaml")
    check("topics: KafkaTopics = zs-topics --wanted --replication 3 --partitions 12", problems)


# --- k8s --------------------------------------------------------------------


def read_conf(path):
    """key=value lines of a config file: ([(line, key, value)], [problems])."""
    entries, problems = [], []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, eq, value = line.partition("=")
            key, value = key.strip(), value.strip()
            if not eq or not key or any(c.isspace() for c in key):
                problems.append(f"line {n}: not key=value: {line!r}")
                continue
            if re.search(r"\s#", value):
                problems.append(f"line {n}: {key}: '#' inside the value (comments are "
                                "whole lines only)")
            entries.append((n, key, value))
    return entries, problems


def container_args(pod_spec):
    args = []
    for c in pod_spec.get("containers") or []:
        args += [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]
    return args


def x_settings(args):
    """The -X key=value settings of a command line."""
    out = {}
    for i, a in enumerate(args[:-1]):
        if a == "-X" and "=" in args[i + 1]:
            k, v = args[i + 1].split("=", 1)
            out[k] = v
    return out


def monitor_instance_problems(deploy, workloads):
    """zs-monitor's instance name (its transactional.id and group.instance.id)
    must survive a restart and differ between pods: a StatefulSet whose pods
    take it from their own name (ZS_MONITOR_INSTANCE from metadata.name),
    which the StatefulSet keeps; not a Deployment, whose pod names (and host
    names, the default instance name) change on every restart, and not one
    name for every pod (-X or the config file)."""
    problems = []
    for rel, d in workloads:
        if d["metadata"]["name"] != "zs-monitor":
            continue
        if d.get("kind") != "StatefulSet":
            problems.append(f"{rel}: zs-monitor is a {d.get('kind')}: its pods' names change on "
                            "every restart; want a StatefulSet")
        spec = d.get("spec") or {}
        pod = (spec.get("template") or {}).get("spec") or {}
        if pod.get("hostname") or pod.get("setHostnameAsFQDN"):
            problems.append(f"{rel}: zs-monitor sets its pods' host name: one name for all")
        sources = []
        for c in pod.get("containers") or []:
            for e in c.get("env") or []:
                if e.get("name") == "ZS_MONITOR_INSTANCE":
                    sources.append(e)
        field = [((e.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
                 for e in sources]
        if field != ["metadata.name"]:
            problems.append(f"{rel}: ZS_MONITOR_INSTANCE must come from the pod's name "
                            f"(valueFrom.fieldRef.fieldPath: metadata.name), got {sources!r}")
        if "zs.monitor.instance" in x_settings(container_args(pod)):
            problems.append(f"{rel}: -X zs.monitor.instance gives every pod the same name")
    conf = os.path.join(deploy, "config", "zs-monitor.conf")
    if os.path.exists(conf) and any(k == "zs.monitor.instance" for _, k, _ in read_conf(conf)[0]):
        problems.append("config/zs-monitor.conf sets zs.monitor.instance: one name for every pod")
    return problems


def check_k8s(deploy, docs, wanted):
    users = {d["metadata"]["name"]: d for _, d in k8s_docs(docs, "KafkaUser")}
    # ACLs: existing topics; groups as the programs' configs name them.
    problems = []
    for name, u in sorted(users.items()):
        groups = set()
        for acl in ((u.get("spec") or {}).get("authorization") or {}).get("acls") or []:
            res = acl.get("resource") or {}
            if res.get("type") == "topic" and res.get("patternType", "literal") == "literal" \
                    and res.get("name") not in wanted:
                problems.append(f"KafkaUser {name}: topic {res.get('name')} does not exist")
            if res.get("type") == "group":
                groups.add(res.get("name"))
        conf = os.path.join(deploy, "config", f"{name}.conf")
        if os.path.exists(conf):
            group_id = {k: v for _, k, v in read_conf(conf)[0]}.get("group.id")
            if (group_id or groups) and groups != {group_id}:
                problems.append(f"KafkaUser {name}: groups {sorted(groups)} but "
                                f"config/{name}.conf has group.id={group_id}")
    check("k8s: ACLs name existing topics and the configs' groups", problems)

    # Workloads: own Kafka user, its Secret; monitor replicas <= partitions.
    problems = []
    partitions = min(p for p, _, _ in wanted.values())
    workloads = [(rel, d) for rel, d in k8s_docs(docs)
                 if d.get("kind") in ("Deployment", "StatefulSet")]
    for rel, d in workloads:
        name = d["metadata"]["name"]
        spec = d.get("spec") or {}
        pod = (spec.get("template") or {}).get("spec") or {}
        user = x_settings(container_args(pod)).get("sasl.username")
        if user not in users:
            problems.append(f"{rel}: {name} logs in as {user!r}, not a KafkaUser")
        secrets = {(v.get("secret") or {}).get("secretName") for v in pod.get("volumes") or []}
        if user not in secrets:
            problems.append(f"{rel}: {name} does not mount the Secret {user} of its user")
        if name == "zs-monitor" and not 1 <= spec.get("replicas", 1) <= partitions:
            problems.append(f"{rel}: zs-monitor replicas {spec.get('replicas')} > "
                            f"{partitions} partitions: the extra pods would sit idle")
    if not any(d["metadata"]["name"] == "zs-monitor" for _, d in workloads):
        problems.append("no zs-monitor workload")
    check("k8s: pods use their own Kafka user; zs-monitor replicas <= partitions", problems)
    check("k8s: zs-monitor's instance name is its pod's, stable across restarts",
          monitor_instance_problems(deploy, workloads))

    # The ConfigMap's files exist; no Secret with content is committed.
    problems = []
    kust = os.path.join("k8s", "kustomization.yaml")
    for gen in ((docs.get(kust) or [{}])[0].get("configMapGenerator") or []):
        for f in gen.get("files") or []:
            f = f.split("=", 1)[-1]
            if not os.path.isfile(os.path.join(deploy, "k8s", f)):
                problems.append(f"{kust}: {f} does not exist")
    for rel, ds in docs.items():
        for d in ds:
            if isinstance(d, dict) and d.get("kind") == "Secret":
                problems.append(f"{rel}: a Secret is committed ({d['metadata'].get('name')})")
    check("k8s: ConfigMap files exist; no Secret committed", problems)


# --- config -----------------------------------------------------------------


class Rdkafka:
    """librdkafka's own check of a property: rd_kafka_conf_set."""

    def __init__(self):
        path = ctypes.util.find_library("rdkafka") or "librdkafka.so.1"
        self.lib = ctypes.CDLL(path)
        self.lib.rd_kafka_conf_new.restype = ctypes.c_void_p
        self.lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                               ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
        self.lib.rd_kafka_conf_set.restype = ctypes.c_int
        self.lib.rd_kafka_conf_destroy.argtypes = [ctypes.c_void_p]

    def error(self, key, value):
        conf = self.lib.rd_kafka_conf_new()
        err = ctypes.create_string_buffer(512)
        rc = self.lib.rd_kafka_conf_set(conf, key.encode(), value.encode(), err, len(err))
        self.lib.rd_kafka_conf_destroy(conf)
        return None if rc == 0 else err.value.decode(errors="replace")


SECRET_NAME = re.compile(r"password|secret|sasl\.oauthbearer\.config|ssl\.key\.pem|ssl_key",
                         re.IGNORECASE)


def check_config(zs_topics, deploy):
    cdir = os.path.join(deploy, "config")
    try:
        rdkafka = Rdkafka()
    except OSError as e:
        rdkafka = None
        check("config: load librdkafka", [f"{e} (install librdkafka1)"])
    names = sorted(os.listdir(cdir))
    check("config: only README.md, *.conf and *.conf.example",
          [f"unexpected file {f}" for f in names
           if f != "README.md" and not f.endswith((".conf", ".conf.example"))])
    for f in names:
        if not f.endswith((".conf", ".conf.example")):
            continue
        path = os.path.join(cdir, f)
        entries, problems = read_conf(path)
        if not entries:
            problems.append("no setting at all")
        seen = {}
        for n, key, value in entries:
            if key in seen:
                problems.append(f"line {n}: {key} already set on line {seen[key]}")
            seen[key] = n
            if key.startswith("zs.topics.") and f != "zs-topics.conf":
                problems.append(f"line {n}: {key} is a zs-topics setting")
            if not key.startswith("zs.") and rdkafka is not None:
                err = rdkafka.error(key, value)
                if err:
                    problems.append(f"line {n}: librdkafka refuses {key}: {err}")
            if SECRET_NAME.search(key) and value != "CHANGE-ME":
                problems.append(f"line {n}: {key} must be the placeholder CHANGE-ME here, "
                                "never a real secret")
        # zs-topics reads the file as every program does: it refuses unknown
        # or malformed zs.* keys (common ones and zs.topics.*).
        out = run([zs_topics, "-F", path, "--wanted"])
        if out.returncode != 0:
            problems.append(f"zs-topics -F {f} --wanted: exit {out.returncode}: "
                            f"{out.stderr.strip()}")
        check(f"config {f}", problems)


# --- systemd ----------------------------------------------------------------


def parse_unit(path):
    """A systemd unit file: ({section: [(key, value)]}, [problems])."""
    sections, problems, current, pending = {}, [], None, ""
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = pending + raw.strip()
            pending = ""
            if not line or line[0] in "#;":
                continue
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            m = re.fullmatch(r"\[([A-Za-z][A-Za-z0-9-]*)\]", line)
            if m:
                current = m.group(1)
                if current in sections:
                    problems.append(f"line {n}: section [{current}] twice")
                sections.setdefault(current, [])
                continue
            m = re.fullmatch(r"([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)", line)
            if not m:
                problems.append(f"line {n}: not Key=value: {line!r}")
            elif current is None:
                problems.append(f"line {n}: {m.group(1)} before any section")
            else:
                sections[current].append((m.group(1), m.group(2)))
    return sections, problems


def values(sections, section, key):
    return [v for k, v in sections.get(section, []) if k == key]


def check_unit_rules(name, sections, deploy, units):
    problems = []
    kind = name.rsplit(".", 1)[1]
    allowed = {"service": {"Unit", "Service", "Install"},
               "timer": {"Unit", "Timer", "Install"}}[kind]
    for s in sections:
        if s not in allowed:
            problems.append(f"section [{s}] does not belong in a .{kind}")
    if not values(sections, "Unit", "Description"):
        problems.append("no Description=")
    if kind == "timer":
        if not any(k.startswith("On") for k, _ in sections.get("Timer", [])):
            problems.append("no On...= trigger in [Timer]")
        if name.replace(".timer", ".service") not in units:
            problems.append(f"no {name.replace('.timer', '.service')} to start")
        return problems
    svc = lambda key: values(sections, "Service", key)  # noqa: E731
    if len(svc("ExecStart")) != 1:
        problems.append("want exactly one ExecStart=")
    for key, want in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                      ("PrivateTmp", "yes"), ("ProtectHome", "yes")):
        if svc(key) != [want]:
            problems.append(f"hardening: want {key}={want}")
    if svc("DynamicUser") != ["yes"] and not svc("User"):
        problems.append("hardening: want DynamicUser=yes or a User=")
    for cred in svc("LoadCredential"):
        src = cred.split(":", 1)[-1]
        base = os.path.basename(src)
        if "%" not in base and not os.path.exists(os.path.join(deploy, "config", base)):
            problems.append(f"LoadCredential names {src}, but config/{base} does not exist")
    if name == "zs-monitor@.service" and svc("Restart") != ["always"]:
        problems.append("zs-monitor must have Restart=always")
    if name == "zs-audit.service" and not svc("StateDirectory"):
        problems.append("zs-audit needs a StateDirectory= for its SQLite archive")
    if name.startswith("zs-push") and svc("Type") != ["oneshot"]:
        problems.append("zs-push is a batch: want Type=oneshot")
    return problems


def check_systemd(deploy):
    sdir = os.path.join(deploy, "systemd")
    units = sorted(f for f in os.listdir(sdir) if f.endswith((".service", ".timer")))
    if not units:
        check("systemd: units", ["no unit in deploy/systemd"])
        return
    for u in units:
        sections, problems = parse_unit(os.path.join(sdir, u))
        problems += check_unit_rules(u, sections, deploy, units)
        check(f"systemd {u}", problems)

    exe = shutil.which("systemd-analyze")
    if exe is None:
        print("note systemd-analyze not installed: units checked by reading them only")
        return
    # The programs are not installed here: point ExecStart at stand-ins, so
    # that verify checks everything else.
    with tempfile.TemporaryDirectory() as tmp:
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        files = []
        for u in units:
            with open(os.path.join(sdir, u), encoding="utf-8") as f:
                text = f.read()
            for prog in set(re.findall(r"/usr/local/bin/([\w.-]+)", text)):
                stub = os.path.join(bindir, prog)
                with open(stub, "w", encoding="utf-8") as s:
                    s.write("#!/bin/sh\n")
                os.chmod(stub, 0o755)
            with open(os.path.join(tmp, u), "w", encoding="utf-8") as f:
                f.write(text.replace("/usr/local/bin/", bindir + "/"))
            files.append(os.path.join(tmp, u))
        out = run([exe, "verify", "--man=no"] + files, cwd=tmp)
        # verify exits 0 on unknown keys and bad values, but says so.
        said = (out.stdout + out.stderr).strip().replace(tmp + "/", "")
        check("systemd: systemd-analyze verify",
              [] if out.returncode == 0 and not said else
              [f"exit {out.returncode}: {said}".replace("\n", " | ")])


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_deploy.py ZS_TOPICS_BINARY DEPLOY_DIR")
    zs_topics, deploy = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    try:
        wanted = wanted_topics(zs_topics, ["--replication", "3", "--partitions", "12"])
        local = wanted_topics(zs_topics, ["-F", os.path.join(deploy, "config", "zs-topics.conf")])
    except (RuntimeError, OSError, ValueError) as e:
        check("zs-topics --wanted", [str(e)])
        print(f"{len(PASSED)} passed, {len(FAILED)} failed")
        return 1
    docs = check_yaml(deploy)
    check_compose(deploy, docs, min(p for p, _, _ in local.values()))
    check_topics(docs, wanted)
    check_k8s(deploy, docs, wanted)
    check_config(zs_topics, deploy)
    check_systemd(deploy)
    print(f"{len(PASSED)} passed, {len(FAILED)} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
