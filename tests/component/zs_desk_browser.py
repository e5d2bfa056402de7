#!/usr/bin/env python3
"""zs-desk in Chromium via Selenium (called by zs_desk_browser.sh).

usage: zs_desk_browser.py URL COUNTY OTHER_COUNTY WARNINGS_JSONL ARTIFACTS PROFILE_DIR

Checks, each as a user would meet it: an officer logs in and sees exactly
the county's open warnings; acknowledges one and records a measure and sees
both in the history; an officer of another county gets 404 for it; a form
posted without its CSRF token is refused; a wrong password is refused and
repeated ones throttled. A screenshot of each page goes to ARTIFACTS."""
import collections
import csv
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

url, county, other, warnings_file, artifacts, profile = sys.argv[1:7]
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


latest = {}
for line in open(warnings_file, encoding="utf-8"):
    w = json.loads(line)
    latest[w["warning_id"]] = w
open_mine = {i for i, w in latest.items() if w["county_code"] == county and w["status"] != "CLEARED"}
# Where each household lives, from the simulator's export (zs-push took
# every row of it: the test fails otherwise).
homes = {r["household_id"]: r for r in csv.DictReader(open("a/households.csv", encoding="utf-8"))}
others = {i for i, w in latest.items() if w["county_code"] != county}


def browser(name):
    o = Options()
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              "--window-size=1280,1600", "--user-data-dir=%s-%s" % (profile, name)):
        o.add_argument(a)
    o.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def shot(d, name):
    d.save_screenshot(os.path.join(artifacts, name + ".png"))


def submit(d, button):
    """Clicks a button and waits for the page it leads to: the old page's
    root gone (Chromium reports a node of a replaced document either as
    stale or as not belonging to the document), the new one loaded."""
    old = d.find_element(By.TAG_NAME, "html")
    d.find_element(By.ID, button).click()

    def gone(_):
        try:
            old.is_enabled()
            return False
        except WebDriverException:  # StaleElementReferenceException is one
            return True

    WebDriverWait(d, 30).until(gone)
    WebDriverWait(d, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def login(d, user, pw):
    d.get(url + "/login")
    d.find_element(By.ID, "login").send_keys(user)
    d.find_element(By.ID, "password").send_keys(pw)
    submit(d, "submit")


def wait_inbox(d, n):
    # The feed may still be reading: reload until the inbox has every warning.
    import time
    for _ in range(60):
        d.get(url + "/inbox")
        rows = d.find_elements(By.CSS_SELECTOR, "tr.warning")
        if len(rows) >= n:
            return rows
        time.sleep(0.5)
    return d.find_elements(By.CSS_SELECTOR, "tr.warning")


d = browser("officer1")
try:
    d.get(url + "/inbox")
    check(d.current_url.endswith("/login"), "without a session /inbox leads to the login page")
    shot(d, "login")
    # Wrong password: the uniform error.
    login(d, "officer1", "wrong password!")
    err = WebDriverWait(d, 10).until(EC.presence_of_element_located((By.ID, "error")))
    check("用户名或密码错误" in err.text, "a wrong password is refused with the uniform message")
    shot(d, "login-refused")
    first_error = err.text
    login(d, "nobody", "wrong password!")
    err = WebDriverWait(d, 10).until(EC.presence_of_element_located((By.ID, "error")))
    check(err.text == first_error, "an unknown user gets the very same message")
    login(d, "officer1", "correct horse 1")
    rows = wait_inbox(d, len(open_mine))
    shown = {r.get_attribute("data-warning") for r in rows}
    check(shown == open_mine, "the inbox shows exactly the county's %d open warnings (shown %d)" % (len(open_mine), len(shown)))
    check(not (shown & others), "no warning of another county in the inbox")
    check(d.find_element(By.ID, "count-open").text == str(len(open_mine)), "the open count at the top")
    page = d.page_source
    check("<script" not in page, "no script in the page")
    check(re.search(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])", page) is None, "no ID number shape in the inbox")
    sev = [int(r.find_element(By.CSS_SELECTOR, "td").get_attribute("class")[3:]) for r in rows]
    check(sev == sorted(sev, reverse=True), "most severe first")
    shot(d, "inbox")
    wid = rows[0].get_attribute("data-warning")
    # Filter by rule: only that rule's warnings stay.
    rule = latest[next(iter(open_mine))]["rule"]
    Select(d.find_element(By.ID, "f-rule")).select_by_index(1 + ["INCOME_FALL", "SLOW_GROWTH", "LOW_INCOME", "POVERTY_RISK", "NO_WORK", "SHORT_WORK", "WEAK_LABOR", "LARGE_EXPENSE", "SUBSIDY_MISSING", "SUBSIDY_SHORT", "SUBSIDY_DUPLICATE", "NOT_ENROLLED"].index(rule))
    submit(d, "f-go")
    filtered = {r.get_attribute("data-warning") for r in d.find_elements(By.CSS_SELECTOR, "tr.warning")}
    want = {i for i in open_mine if latest[i]["rule"] == rule}
    check(filtered == want, "the rule filter keeps exactly the %s warnings (%d)" % (rule, len(want)))
    # Township and village filters: the county's open warnings of households
    # living there, by the simulator's households file.
    towns = collections.Counter(homes[latest[i]["household_id"]]["township"] for i in open_mine)
    town = towns.most_common(1)[0][0]
    d.get(url + "/inbox?township=" + urllib.parse.quote(town))
    filtered = {r.get_attribute("data-warning") for r in d.find_elements(By.CSS_SELECTOR, "tr.warning")}
    want = {i for i in open_mine if homes[latest[i]["household_id"]]["township"] == town}
    check(filtered == want and d.find_element(By.ID, "f-township").get_attribute("value") == town,
          "the township filter keeps exactly the warnings of %s's households (%d)" % (town, len(want)))
    village = homes[latest[next(iter(want))]["household_id"]]["village"]
    d.get(url + "/inbox?township=" + urllib.parse.quote(town) + "&village=" + urllib.parse.quote(village))
    filtered = {r.get_attribute("data-warning") for r in d.find_elements(By.CSS_SELECTOR, "tr.warning")}
    want = {i for i in want if homes[latest[i]["household_id"]]["village"] == village}
    check(filtered == want and d.find_element(By.ID, "count-open").text == str(len(want)),
          "and the village filter those of %s (%d)" % (village, len(want)))

    # Act on the most urgent warning.
    d.get(url + "/warning/" + urllib.parse.quote(wid, safe=""))
    check(d.find_element(By.ID, "warning-id").text == wid, "the warning page opens")
    check(len(d.find_elements(By.CSS_SELECTOR, "#evidence dd")) > 0, "its evidence is shown")
    shot(d, "warning")
    submit(d, "do-ACK")
    check("ACK" in d.current_url and d.find_element(By.ID, "notice").is_displayed(), "ACK recorded after Kafka acknowledged it")
    Select(d.find_element(By.ID, "measure")).select_by_value("EMPLOYMENT")
    d.find_element(By.ID, "note-MEASURE").send_keys("联系就业 110105194912310021 <b>x</b>")
    submit(d, "do-MEASURE")
    kinds = [e.get_attribute("data-kind") for e in d.find_elements(By.CSS_SELECTOR, "tr.event")]
    check("ACK" in kinds and "MEASURE" in kinds, "the history shows the ACK and the MEASURE (%s)" % kinds)
    page = d.page_source
    check("110105194912310021" not in page and "**************0021" in page, "the note's ID number is masked")
    check("<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page, "the note is escaped")
    check("就业帮扶" in page, "the measure is named")
    shot(d, "warning-acted")
    # The same ACK again (a double submit): the same event id, one event.
    submit(d, "do-ACK")
    kinds = [e.get_attribute("data-kind") for e in d.find_elements(By.CSS_SELECTOR, "tr.event")]
    check(kinds.count("ACK") == 1, "a second identical ACK is the same event (%s)" % kinds)
    open(os.path.join(artifacts, "acted.txt"), "w").write(wid + "\n")
    hh = latest[wid]["household_id"]
    d.get(url + "/household/" + urllib.parse.quote(hh, safe=""))
    check(wid in d.page_source, "the household page lists the warning")
    shot(d, "household")
    # A village that is markup (zs_desk_browser.sh wrote it into the export):
    # shown as text, no element made of it, no alert.
    crafted = sorted(latest[i]["household_id"] for i in open_mine
                     if homes[latest[i]["household_id"]]["village"].startswith("<img"))
    check(len(crafted) > 0, "a household of the county with a markup village has an open warning")
    markup = homes[crafted[0]]["village"]
    for page in ("/household/" + urllib.parse.quote(crafted[0], safe=""),
                 "/inbox?village=" + urllib.parse.quote(markup)):
        d.get(url + page)
        check(d.find_elements(By.CSS_SELECTOR, "img, [onerror], script") == [],
              "no element injected by a village's markup on " + page.split("?")[0])
    # The inbox filtered by it: the text in the filter box, exactly those households.
    check(d.find_element(By.ID, "f-village").get_attribute("value") == markup,
          "the markup village is the filter box's text")
    filtered = {r.get_attribute("data-warning") for r in d.find_elements(By.CSS_SELECTOR, "tr.warning")}
    want = {i for i in open_mine if homes[latest[i]["household_id"]]["village"] == markup}
    check(filtered == want, "filtering by the markup village keeps exactly its %d warnings" % len(want))
    alert = None
    try:
        alert = d.switch_to.alert.text
    except Exception:  # no alert open
        pass
    check(alert is None, "no alert opened: no script from data ran")
    shot(d, "markup-village")
    # Another county's warning, by URL: 404.
    theirs = sorted(others)[0]
    d.get(url + "/warning/" + urllib.parse.quote(theirs, safe=""))
    check(d.find_element(By.ID, "status").text == "404", "an officer gets 404 for another county's warning")
    d.get(url + "/overview")
    check(d.find_element(By.ID, "status").text == "403", "an officer may not open the supervision overview")
    # English per user setting.
    d.get(url + "/inbox")
    submit(d, "lang")
    check("Inbox" in d.page_source and d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "English on request")
    submit(d, "lang")
    cookies = {c["name"]: c for c in d.get_cookies()}
    session = cookies.get("zs_session")
    check(session is not None and session["httpOnly"] and session.get("sameSite") == "Strict", "the session cookie is HttpOnly and SameSite=Strict")
    submit(d, "logout")
    d.get(url + "/inbox")
    check(d.current_url.endswith("/login"), "logout ends the session")
finally:
    d.quit()

# A POST without the CSRF token, with a valid session: refused (403), and
# nothing recorded.
def post(path, fields, cookie):
    req = urllib.request.Request(url + path, data=urllib.parse.urlencode(fields).encode(),
                                 headers={"Cookie": cookie}, method="POST")
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()

d = browser("officer2")
try:
    login(d, "officer2", "correct horse 2")
    tok = {c["name"]: c["value"] for c in d.get_cookies()}["zs_session"]
    status, _ = post("/warning/%s/action" % urllib.parse.quote(wid, safe=""), {"action": "RESOLVED"}, "zs_session=" + tok)
    check(status == 403, "a POST without its CSRF token is refused (%d)" % status)
    status, _ = post("/warning/%s/action" % urllib.parse.quote(wid, safe=""), {"action": "RESOLVED", "csrf": "0" * 64}, "zs_session=" + tok)
    check(status == 403, "a POST with a wrong CSRF token is refused (%d)" % status)
    # With officer2's own valid form token, an action on officer1's warning: 404, nothing recorded.
    d.get(url + "/inbox")
    own = d.find_element(By.NAME, "csrf").get_attribute("value")
    status, _ = post("/warning/%s/action" % urllib.parse.quote(wid, safe=""),
                     {"action": "RESOLVED", "csrf": own}, "zs_session=" + tok)
    check(status == 404, "another county's officer acting with a valid token gets 404 (%d)" % status)
    d.get(url + "/warning/" + urllib.parse.quote(wid, safe=""))
    check(d.find_element(By.ID, "status").text == "404", "the other county's officer gets 404 for the warning")
    shot(d, "not-found")
    d.get(url + "/household/" + urllib.parse.quote(latest[wid]["household_id"], safe=""))
    check(d.find_element(By.ID, "status").text == "404", "and 404 for its household")
finally:
    d.quit()

d = browser("prov")
try:
    # Repeated wrong passwords: the account is throttled, even the right one then refused.
    for _ in range(5):
        login(d, "officer2", "not the password")
    login(d, "officer2", "correct horse 2")
    WebDriverWait(d, 10).until(EC.presence_of_element_located((By.ID, "error")))
    check(d.current_url.endswith("/login"), "after 5 wrong passwords the right one is refused too (throttled)")
    login(d, "prov", "correct horse 3")
    d.get(url + "/overview")
    check(len(d.find_elements(By.CSS_SELECTOR, "#stats tbody tr")) > 0, "the province sees the overview per county and quarter")
    shot(d, "overview")
    # The figures per county and quarter, computed here from the records
    # zs-monitor wrote (not by zs-desk's SQL): each warning counts in the
    # quarter it opened; open unless its latest record cleared it; the only
    # follow-ups are officer1's ACK and MEASURE of wid, made just now, so
    # well within 15 and 30 days of its opening.
    sim_followups = list(csv.reader(open("a/followup.csv", encoding="utf-8")))[1:]
    check(not sim_followups, "the simulated region has no follow-ups of its own (else count them here)")
    want_stats = collections.defaultdict(lambda: [0, 0, 0, 0])
    for w in latest.values():
        key = (w["county_code"], "%04dQ%d" % (w["opened_year"], (w["opened_month"] + 2) // 3))
        want_stats[key][0] += 1
        want_stats[key][1] += w["status"] != "CLEARED"
        want_stats[key][2] += w["warning_id"] == wid
        want_stats[key][3] += w["warning_id"] == wid

    def pct(part, whole):
        return "%.1f%%" % (100.0 * part / whole) if whole else "-"
    got_stats = {}
    for tr in d.find_elements(By.CSS_SELECTOR, "#stats tbody tr"):
        cells = [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        code = re.search(r"\b(45\d{4})\b", cells[0]).group(1)
        got_stats[(code, cells[1])] = cells[2:8]
    per_county = collections.Counter(h["county_code"] for h in homes.values())

    def per_1000(n, h):
        return "%.1f" % (1000.0 * n / h) if h else "-"
    want_cells = {k: [str(v[0]), str(v[1]), pct(v[2], v[0]), pct(v[3], v[0]), str(per_county[k[0]]),
                      per_1000(v[1], per_county[k[0]])] for k, v in want_stats.items()}
    check(got_stats == want_cells, "the overview's figures per county and quarter equal those computed from the "
          "warning records (%d rows; differing: %s)" % (len(want_cells), sorted(
              k for k in set(got_stats) | set(want_cells) if got_stats.get(k) != want_cells.get(k))[:5]))
    # Key assistance counties against the rest, from data/ and the same records.
    key_codes = {r["county_code"] for r in csv.DictReader(open(os.environ["ZS_DATA_DIR"] + "/guangxi-counties.csv",
                                                               encoding="utf-8")) if r["key_assistance_county"] == "Y"}
    groups = [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
    for (code, _), v in want_stats.items():
        g = groups[0 if code in key_codes else 1]
        for i in range(4):
            g[i] += v[i]
    for code in {c for c, _ in want_stats}:
        groups[0 if code in key_codes else 1][4] += per_county[code]
    got_groups = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                  for tr in d.find_elements(By.CSS_SELECTOR, "#groups tbody tr")]
    want_groups = [[str(g[0]), str(g[1]), pct(g[2], g[0]), pct(g[3], g[0]), str(g[4]), per_1000(g[1], g[4])]
                   for g in groups]
    check(got_groups == want_groups, "key assistance counties against the rest: %s, computed %s" % (got_groups, want_groups))
    # The income targets at each quarter's close, from the same records:
    # a LOW_INCOME warning holds from the quarter it opened to the one whose
    # record cleared it; INCOME_FALL and SLOW_GROWTH are income that fell or
    # grew below the region's rate. Quarters: the first opened to the last
    # closed; households: every household of the province.
    def qi(y, m):
        return y * 4 + (m - 1) // 3
    first = min(qi(w["opened_year"], w["opened_month"]) for w in latest.values())
    last = max(qi(w["year"], w["month"]) for w in latest.values())
    counties = set(per_county) | {w["county_code"] for w in latest.values()}
    hh = [sum(per_county[c] for c in counties if c in key_codes), sum(per_county[c] for c in counties if c not in key_codes)]
    low = collections.defaultdict(lambda: [0, 0])
    below = collections.defaultdict(lambda: [0, 0])
    for w in latest.values():
        if w["rule"] not in ("LOW_INCOME", "INCOME_FALL", "SLOW_GROWTH"):
            continue
        to = qi(w["year"], w["month"]) if w["status"] == "CLEARED" else last + 1
        for q in range(max(first, qi(w["opened_year"], w["opened_month"])), min(to, last + 1)):
            (low if w["rule"] == "LOW_INCOME" else below)[q][0 if w["county_code"] in key_codes else 1] += 1
    want_targets = [["%04dQ%d" % (q // 4, q % 4 + 1), str(hh[0] + hh[1]), str(sum(low[q])),
                     per_1000(low[q][0], hh[0]), per_1000(low[q][1], hh[1]), str(sum(below[q])),
                     per_1000(below[q][0], hh[0]), per_1000(below[q][1], hh[1])] for q in range(first, last + 1)]
    got_targets = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                   for tr in d.find_elements(By.CSS_SELECTOR, "#targets tbody tr")]
    check(got_targets == want_targets and any(sum(low[q]) for q in low),
          "the income targets per quarter equal those computed from the records: %s" % got_targets[-1:])
    bars = [int(b.get_attribute("data-value")) for b in d.find_elements(By.CSS_SELECTOR, "#chart-low-income rect")]
    check(bars == [sum(low[q]) for q in range(first, last + 1)], "the chart of households under 10,000 yuan: %s" % bars)
    tok = {c["name"]: c["value"] for c in d.get_cookies()}["zs_session"]
    req = urllib.request.Request(url + "/overview.csv", headers={"Cookie": "zs_session=" + tok})
    with urllib.request.urlopen(req) as r:
        csv_text = r.read().decode()
        ctype = r.headers["Content-Type"]
    rows = csv_text.splitlines()
    check(ctype.startswith("text/csv") and rows[0].startswith("county_code,county_name,key_assistance_county,quarter")
          and len(rows) == 1 + len(d.find_elements(By.CSS_SELECTOR, "#stats tbody tr")),
          "the overview's CSV has a row per table row")
    # Every table has its CSV, with a row per table row.
    for table, selector in (("stats", "#stats"), ("groups", "#groups"), ("targets", "#targets"),
                            ("targets-county", None)):
        req = urllib.request.Request(url + "/overview.csv?table=" + table, headers={"Cookie": "zs_session=" + tok})
        with urllib.request.urlopen(req) as r:
            lines = r.read().decode().splitlines()
        n = len(d.find_elements(By.CSS_SELECTOR, selector + " tbody tr")) if selector else len(counties) * (last - first + 1)
        check(len(lines) == 1 + n, "the CSV of table %s has %d rows (%d)" % (table, n, len(lines) - 1))
    status = 0
    try:
        urllib.request.urlopen(urllib.request.Request(url + "/overview.csv?table=users",
                                                      headers={"Cookie": "zs_session=" + tok}))
    except urllib.error.HTTPError as e:
        status = e.code
    check(status == 400, "an unknown table is refused with 400 (%d)" % status)
    csp = urllib.request.urlopen(urllib.request.Request(url + "/login")).headers["Content-Security-Policy"]
    check(csp.startswith("default-src 'none'") and "script-src" not in csp, "a strict Content-Security-Policy")
    d.get(url + "/warning/" + urllib.parse.quote(wid, safe=""))
    check(not d.find_elements(By.ID, "do-ACK"), "the province sees a warning without action forms")
finally:
    d.quit()

if failures:
    print("%d failed" % len(failures), file=sys.stderr)
    sys.exit(1)
