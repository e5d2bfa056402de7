#!/usr/bin/env bash
# zs-notify's per-county reports in a real browser: a small simulated region
# through zs-push and zs-monitor on the embedded broker, then
# `zs-notify report --county all`; Debian's chromium (headless) renders
# pages, and the DOM it renders must show exactly that county's warnings
# (compared with the warnings zs-cat reads), none of another county, the
# plan's Chinese rule names, each page in one language (no English word on
# a Chinese page but codes and ids, no Chinese on an English one but place
# names), and no resident ID number. Also: --lang en, a
# county not in the region (exit 2), and the daemon's periodic reports.
#   notify_report_browser.sh ZS_BROKER ZS_SIMULATE ZS_PUSH ZS_MONITOR ZS_CAT ZS_NOTIFY
# (ZS_SCHEMA_DIR, ZS_DATA_DIR set; ZS_KEEP_WORK=1 keeps the pages and screenshots)
set -euo pipefail
broker_bin=$1 sim=$2 push=$3 monitor=$4 cat_bin=$5 notify=$6
here="$(cd "$(dirname "$0")" && pwd -P)"
. "$here/lib.sh"
command -v chromium >/dev/null 2>&1 || fail "chromium is not installed (deploy/install-deps.sh --dev)"
cd "$tmp"

start_broker "$broker_bin" 8
bs=$b prefix="zs."
. "$here/../integration/monitor_lib.sh"
"$sim" --out a --households 1000 --from 2023Q1 --quarters 6 --seed 11 --quiet 2>sim.log ||
    fail "zs-simulate: $(cat sim.log)"
push_region a 2023Q1 2024Q2
run_monitor m --exit-idle 2000 -X zs.monitor.static_membership=false ||
    fail "zs-monitor: $(tail -5 monitor-m.log)"
"$cat_bin" -b "$b" -t zs.warnings -e >warnings.jsonl 2>cat.log || fail "zs-cat: $(cat cat.log)"
[ -s warnings.jsonl ] || fail "the monitor wrote no warnings"
ok "pipeline: $(wc -l <warnings.jsonl) warning records"

"$notify" report --county all --out reports -b "$b" 2>report.log || fail "zs-notify report: $(cat report.log)"
[ -s reports/index.html ] || fail "no index.html"
# The counties to open: the two with the most warnings and the one with the fewest.
counties=$(python3 - <<'PY'
import collections, json
n = collections.Counter(json.loads(l)["county_code"] for l in open("warnings.jsonl"))
c = [k for k, _ in n.most_common()]
print(" ".join(sorted(set(c[:2] + c[-1:]))))
PY
)
python3 - "$counties" <<'PY' || fail "report files"
import collections, json, os, sys
n = {json.loads(l)["county_code"] for l in open("warnings.jsonl")}
files = {f[:-5] for f in os.listdir("reports") if f.endswith(".html") and f != "index.html"}
if files != n:
    print("report files %s, counties with warnings %s" % (sorted(files), sorted(n)), file=sys.stderr)
    sys.exit(1)
PY
ok "one report per county with warnings ($(ls reports | wc -l) files with index.html)"

# render FILE: the DOM chromium renders (FILE.dom) and a screenshot (FILE.png).
render() {
    local page=$1 name
    name=$(basename "$page" .html)
    timeout 90 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/chromium" \
        --dump-dom "file://$page" >"$name.dom" 2>chromium.log ||
        fail "chromium --dump-dom $page: $(tail -5 chromium.log)"
    timeout 90 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/chromium" \
        --window-size=1280,2400 --screenshot="$tmp/$name.png" "file://$page" >/dev/null 2>chromium.log ||
        fail "chromium --screenshot $page: $(tail -5 chromium.log)"
    [ "$(head -c 8 "$name.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
        fail "$name.png is not a PNG"
}

# check DOM COUNTY LANG: the rendered page against the warnings zs-cat read.
check() {
    python3 - "$@" <<'PY'
import csv, html, json, os, re, sys
dom_file, county, lang = sys.argv[1:4]
dom = open(dom_file, encoding="utf-8").read()
zh = {"INCOME_FALL": "收入不增反降", "SLOW_GROWTH": "增速缓慢", "LOW_INCOME": "年人均收入低于1万元",
      "POVERTY_RISK": "有返贫风险", "NO_WORK": "有务工需求但没有务工",
      "SHORT_WORK": "务工时间未达到6个月", "WEAK_LABOR": "劳动力不足", "LARGE_EXPENSE": "大额支出",
      "SUBSIDY_MISSING": "补贴未及时发放", "SUBSIDY_SHORT": "补贴未足额发放",
      "SUBSIDY_DUPLICATE": "补贴重复发放", "NOT_ENROLLED": "应发尽发"}
en = {"INCOME_FALL": "Income fell", "LOW_INCOME": "Annual per-capita income below 10,000 yuan",
      "NO_WORK": "Wants work but not working", "WEAK_LABOR": "Insufficient labour"}
latest = {}
for line in open("warnings.jsonl"):
    w = json.loads(line)
    latest[w["warning_id"]] = w
mine = {i: w for i, w in latest.items() if w["county_code"] == county}
others = {i for i, w in latest.items() if w["county_code"] != county}
errors = []
def err(msg):
    errors.append(msg)
# Chromium serialises the DOM it built: the page rendered and has its parts.
if not re.search(r"<html[^>]* lang=\"%s\"" % ("zh-CN" if lang == "zh" else "en"), dom):
    err("no <html lang> for %s" % lang)
for part in ("<svg", "<polyline", "id=\"open-warnings\"", "id=\"rule-counts\""):
    if part not in dom and not (part == "id=\"open-warnings\"" and
                                all(w["status"] == "CLEARED" for w in mine.values())):
        err("missing %s" % part)
if "<script" in dom:
    err("a script in the page")
shown = {html.unescape(m) for m in re.findall(r'<td class="wid">([^<]*)</td>', dom)}
if shown != set(mine):
    err("warning ids shown %d, the county's %d; missing %s, extra %s" % (
        len(shown), len(mine), sorted(set(mine) - shown)[:3], sorted(shown - set(mine))[:3]))
leaked = [i for i in others if i in dom]
if leaked:
    err("other counties' warnings shown: %s" % leaked[:3])
n_open = sum(1 for w in mine.values() if w["status"] != "CLEARED")
if not re.search(r'id="open-count"><b>%d</b>' % n_open, dom):
    err("open count is not %d" % n_open)
names = zh if lang == "zh" else en
for rule in {w["rule"] for w in mine.values()}:
    if rule in names and names[rule] not in dom:
        err("rule %s not named %s" % (rule, names[rule]))
if lang == "en" and "收入不增反降" in dom:
    err("a Chinese rule name on the English page")
# One language: the visible text (no <head>, no tags) of a Chinese page has
# no Latin word but the codes and ids of the warnings (warning, household and
# person ids, the rule set's version); an English page has no Chinese
# character or full-width punctuation outside place names (marked
# lang="zh-CN": proper names, not translated).
body = re.sub(r"(?s)^.*?<body[^>]*>", "", dom)
if lang == "en":
    body = re.sub(r'(?s)<span lang="zh-CN"[^>]*>.*?</span>', " ", body)
text = html.unescape(re.sub(r"<[^>]+>", " ", body))
codes = set()
for w in latest.values():
    person = w.get("person_id") or {}  # Avro JSON: null or {"string": id}
    codes.update(x for x in (w["warning_id"], w["household_id"], person.get("string"),
                             w["ruleset_version"]) if x)
if lang == "zh":
    words = set(re.findall(r"[A-Za-z][0-9A-Za-z_.~-]*", text))
    words = {x for x in words if not any(x in c for c in codes)}
    if words:
        err("Latin words on the Chinese page: %s" % sorted(words)[:10])
else:
    han = re.findall(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+", text)
    if han:
        err("Chinese on the English page: %s" % sorted(set(han))[:10])
if re.search(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])", dom):
    err("an 18-character ID number shape in the page")
region = {r["county_code"]: r for r in csv.DictReader(open(os.environ["ZS_DATA_DIR"] + "/guangxi-counties.csv"))}
title = re.search(r"<title>([^<]*)</title>", dom)
c = region[county]
if not title or c["county_name"] not in title.group(1) or c["city_name"] not in title.group(1):
    err("title %r without %s %s" % (title and title.group(1), c["city_name"], c["county_name"]))
if errors:
    print("%s (%s): %s" % (county, lang, "; ".join(errors)), file=sys.stderr)
    sys.exit(1)
print("%s %s%s (%s): %d warnings (%d open), none of %d others" % (
    county, c["city_name"], c["county_name"], lang, len(mine), n_open, len(others)))
PY
}

for county in $counties; do
    render "$tmp/reports/$county.html"
    out=$(check "$county.dom" "$county" zh) || fail "the rendered report of $county"
    ok "$out"
done
render "$tmp/reports/index.html"
python3 - <<'PY' || fail "index.html"
import json, re, sys
dom = open("index.dom", encoding="utf-8").read()
want = {json.loads(l)["county_code"] for l in open("warnings.jsonl")}
got = set(re.findall(r'<a href="(\d{6})\.html">', dom))
sys.exit(0 if got == want else 1)
PY
ok "index.html links every county with warnings"

first=${counties%% *}
"$notify" report --county "$first" --lang en --out en -b "$b" 2>report.log || fail "report --lang en: $(cat report.log)"
[ "$(ls en)" = "$first.html" ] || fail "--county $first wrote $(ls en)"
mv en/"$first.html" en/"$first-en.html"
render "$tmp/en/$first-en.html"
out=$(check "$first-en.dom" "$first" en) || fail "the English report of $first"
ok "$out"

rc=0
"$notify" report --county 459999 --out bad -b "$b" 2>bad.log || rc=$?
[ $rc -eq 2 ] || fail "a county not in the region: exit $rc, want 2"
grep -q "459999 is not one of the region's" bad.log || fail "no reason given: $(cat bad.log)"
rc=0
"$notify" report --county "$first" --lang fr -b "$b" 2>bad.log || rc=$?
[ $rc -eq 2 ] || fail "--lang fr: exit $rc, want 2"
ok "a county not in the region and an unknown language: exit 2"

# The daemon: delivers to an outbox and writes the reports of the counties
# it delivered to (at the interval, and once more when --exit-idle stops it).
mkdir outbox
echo "* outbox $tmp/outbox" >routes
"$notify" -b "$b" --routes routes --exit-idle 2000 -X zs.notify.report.dir="$tmp/daemon" \
    -X zs.notify.report.interval=1s 2>notify.log || fail "zs-notify: $(tail -5 notify.log)"
for f in reports/*.html; do
    [ "$(basename "$f")" = index.html ] && continue
    [ -s "daemon/$(basename "$f")" ] || fail "the daemon wrote no $(basename "$f"): $(grep reports: notify.log | tail -3)"
    # The same page but for the time it was generated.
    diff <(grep -v '生成时间' "$f") <(grep -v '生成时间' "daemon/$(basename "$f")") >/dev/null ||
        fail "the daemon's $(basename "$f") differs from zs-notify report's"
done
ok "the daemon wrote the reports of the counties it delivered to ($(ls daemon | wc -l) files)"
echo "notify_report_browser: $passed passed, 0 failed"
