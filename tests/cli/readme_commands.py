#!/usr/bin/env python3
"""Runs every command of the README's ```sh blocks, in order, as written,
against an embedded broker (zs-broker): the only change is the broker's
address, which replaces 127.0.0.1:9092. The files the commands name
(households.csv, income.csv, subsidy.jsonl, routes.conf, in.jsonl...) are
made first from a small simulated region.

A command passes when it exits 0 (3 for zs-push, which means "some rows
rejected": the region plants bad rows on purpose) and logs no ERROR.
Commands that serve until stopped (zs-monitor, zs-notify, zs-audit archive,
zs-cat on a topic without -e) pass when they are still running without an
ERROR after a while; they are then stopped with SIGTERM and must exit 0.
deploy/quickstart.sh and tests/run.sh have tests of their own (quickstart,
and CI itself) and are only checked to exist.

    readme_commands.py BUILD_DIR README.md
"""
import csv
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

build, readme = sys.argv[1], sys.argv[2]
top = os.path.dirname(os.path.abspath(readme))
programs = {
    "zs-push": "producers/zs-push", "zs-simulate": "producers/zs-simulate",
    "zs-monitor": "consumers/zs-monitor", "zs-cat": "consumers/zs-cat",
    "zs-notify": "consumers/zs-notify", "zs-audit": "consumers/zs-audit",
    "zs-topics": "deploy/zs-topics", "zs-broker": "deploy/zs-broker",
    "zs-desk": "consumers/zs-desk",
}
work = tempfile.mkdtemp(prefix="readme-")
env = dict(os.environ, ZS_SCHEMA_DIR=os.path.join(top, "schemas"), ZS_DATA_DIR=os.path.join(top, "data"))
env["PATH"] = ":".join(sorted({os.path.dirname(os.path.join(build, p)) for p in programs.values()})) + ":" + env["PATH"]
failed = []


def fail(what):
    failed.append(what)
    print("FAIL:", what, flush=True)


# The commands, in order.
commands, inside = [], False
for line in open(readme, encoding="utf-8"):
    if line.startswith("```"):
        inside = line.strip() == "```sh"
        continue
    if inside and line.strip():
        commands.append(line.strip())
assert len(commands) >= 15, commands

broker = subprocess.Popen([os.path.join(build, programs["zs-broker"]), "--partitions", "4",
                           "--bootstrap-file", os.path.join(work, "bootstrap")],
                          stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "broker.log"), "w"))
try:
    for _ in range(100):
        if os.path.exists(os.path.join(work, "bootstrap")) and os.path.getsize(os.path.join(work, "bootstrap")):
            break
        time.sleep(0.1)
    bs = open(os.path.join(work, "bootstrap")).read().strip()

    # The files the README's commands name.
    subprocess.run(["zs-simulate", "--out", "region", "--households", "1000", "--from", "2024Q1",
                    "--quarters", "4", "--quiet"], cwd=work, env=env, check=True)
    for f in ("households.csv", "members.csv", "income.csv"):
        os.link(os.path.join(work, "region", f), os.path.join(work, f))
    with open(os.path.join(work, "subsidy.jsonl"), "w") as out:
        for row in csv.DictReader(open(os.path.join(work, "region", "subsidy.csv"))):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.mkdir(os.path.join(work, "outbox"))
    with open(os.path.join(work, "routes.conf"), "w") as f:
        f.write("# every county to one outbox\n* outbox %s\n" % os.path.join(work, "outbox"))
    with open(os.path.join(work, "in.jsonl"), "w") as f:
        f.write(json.dumps({"event_id": "E1", "household_id": "H001", "year": 2024, "month": 5,
                            "component": "WAGE", "amount_fen": 123456, "source": "hrss",
                            "reported_at": 1714700000000}) + "\n")

    for cmd in commands:
        words = shlex.split(cmd.replace("127.0.0.1:9092", bs), comments=True)
        if words[0] in ("deploy/quickstart.sh", "tests/run.sh"):
            ok = os.access(os.path.join(top, words[0]), os.X_OK)
            print(("ok  " if ok else "FAIL"), cmd, "(exists; run by its own test)", flush=True)
            if not ok:
                fail(cmd)
            continue
        if words[0] not in programs:
            fail("%s: not one of our programs" % cmd)
            continue
        # Redirections as the shell would do them.
        stdin = stdout = None
        if "<" in words:
            i = words.index("<")
            stdin = open(os.path.join(work, words[i + 1]), "rb")
            del words[i:i + 2]
        if ">" in words:
            i = words.index(">")
            stdout = open(os.path.join(work, words[i + 1]), "wb")
            del words[i:i + 2]
        # zs-desk user add asks for the password: typed here on its stdin.
        if words[0] == "zs-desk" and words[1:3] == ["user", "add"] and stdin is None:
            stdin = subprocess.PIPE
        serves = (words[0] in ("zs-monitor",) or
                  (words[0] == "zs-desk" and words[1] == "serve") or
                  (words[0] == "zs-notify" and "--check-routes" not in words and words[1] != "report") or
                  (words[0] == "zs-audit" and words[1] == "archive" and "--once" not in words) or
                  (words[0] == "zs-cat" and "-t" in words and "-e" not in words))
        log = open(os.path.join(work, "cmd.log"), "w+")
        p = subprocess.Popen(words, cwd=work, env=env, stdin=stdin, stdout=stdout or subprocess.DEVNULL,
                             stderr=log)
        if stdin == subprocess.PIPE:
            p.stdin.write(b"a long passphrase\n")
            p.stdin.close()
        if serves:
            try:
                rc = p.wait(timeout=12)
                why = "ended by itself (exit %d) instead of serving" % rc
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGTERM)
                rc = p.wait(timeout=60)
                why = None if rc == 0 else "exit %d after SIGTERM" % rc
        else:
            rc = p.wait(timeout=300)
            allowed = (0, 3) if words[0] == "zs-push" else (0,)
            why = None if rc in allowed else "exit %d" % rc
        log.seek(0)
        text = log.read()
        if why is None and " ERROR " in text:
            why = "logged an ERROR: " + [l for l in text.splitlines() if " ERROR " in l][0][:200]
        print(("FAIL" if why else "ok  "), cmd, ("— " + why) if why else "", flush=True)
        if why:
            fail("%s: %s\n%s" % (cmd, why, text[-1500:]))
finally:
    broker.terminate()
    broker.wait()

if failed:
    print("%d of %d README commands failed" % (len(failed), len(commands)))
    sys.exit(1)
print("all %d README commands work as written (work dir %s)" % (len(commands), work))
subprocess.run(["rm", "-rf", work])
