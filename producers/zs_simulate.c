/* zs_simulate.c: zs-simulate writes a synthetic Guangxi region as registry
 * exports (the CSV files zs-push reads) and the ground truth a correct
 * zs-monitor must reproduce: every warning episode opened, every
 * data-quality finding, and the cases injected on purpose. One household at
 * a time: memory does not grow with their number. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim_gen.h"
#include "sim_live.h"
#include "sim_truth.h"
#include "sim_write.h"
#include "zs_config.h"
#include "zs_county.h"
#include "zs_log.h"

static const char usage[] =
    "usage: zs-simulate --out DIR [options]\n"
    "\n"
    "Writes a synthetic region's registry exports into DIR (households.csv,\n"
    "members.csv, income.csv, employment.csv, subsidy.csv, hardship.csv,\n"
    "followup.csv), ready for zs-push, and the ground truth: expected-warnings.csv\n"
    "(every warning episode a correct zs-monitor opens), expected-findings.csv\n"
    "(data-quality findings), injected.csv (the cases injected on purpose) and\n"
    "README.txt. The same options and seed give the same bytes.\n"
    "\n"
    "  --out DIR             where the files go (created if missing)\n"
    "  --households N        how many households (default 20000; 1000..1500000)\n"
    "  --seed S              random seed (default 1)\n"
    "  --from YYYYQN         first simulated quarter (default 2023Q1); income starts\n"
    "                        7 quarters earlier so year-on-year figures are covered\n"
    "  --quarters Q          simulated quarters (default 8; 1..40)\n"
    "  --inject-share F      share of households with an injected case (default 0.05)\n"
    "  --live                deliver the region as a monthly feed instead: DIR/live/\n"
    "                        holds one directory of exports per monthly push and\n"
    "                        schedule.txt, the pushes and close markers in order;\n"
    "                        late corrections and payments, snapshots pushed again;\n"
    "                        the ground truth follows that order of arrival\n"
    "  --quiet               no progress line\n"
    "  -X KEY=VALUE          a zs.* property (zs.data.dir, zs.region, zs.log.level...)\n"
    "  -F FILE               read properties from a key=value file\n"
    "\n"
    "Exit status: 0 written; 1 a file could not be written; 2 bad usage.\n";

#define MIN_HOUSEHOLDS 1000
/* --live: the share of background households given a late record. */
#define LIVE_LATE_SHARE 0.1
#define MAX_HOUSEHOLDS  1500000

typedef struct options {
    const char *out;
    uint64_t households, seed;
    zs_quarter_t from;
    int quarters;
    double inject_share;
    bool quiet, live;
} options_t;

/* Counts for the summary and README.txt. */
typedef struct stats {
    uint64_t opened[SIM_RULE__COUNT];
    uint64_t findings[SIM_FINDING__COUNT];
    uint64_t injected[SIM_CASE__COUNT];
    uint64_t unverified[SIM_CASE__COUNT];
    uint64_t episodes, found, cases, unconfirmed;
} stats_t;

/* One run's output besides the exports. */
typedef struct run {
    const options_t *opt;
    FILE *warnings, *findings, *injected;
    char warnings_path[4096], findings_path[4096], injected_path[4096];
    zs_buf_t lines;   /* this household's truth lines */
    zs_buf_t offsets; /* size_t offsets of the lines in `lines` */
    zs_buf_t ptrs;    /* const char * to the lines, for sorting */
    stats_t stats;
} run_t;

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    if (s[0] < '0' || s[0] > '9')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static int parse_args(int argc, char **argv, options_t *opt, zs_config_t *cfg)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},      {"households", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},     {"from", required_argument, NULL, 'f'},
        {"quarters", required_argument, NULL, 'Q'}, {"inject-share", required_argument, NULL, 'i'},
        {"quiet", no_argument, NULL, 'q'},          {"live", no_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    char errstr[512];
    uint64_t v;
    int c;
    while ((c = getopt_long(argc, argv, ZS_CONFIG_OPTIONS "qh", longopts, NULL)) != -1) {
        zs_err_t err = zs_config_option(cfg, c, optarg, errstr, sizeof(errstr));
        if (err != ZS_ERR_NOT_FOUND) {
            if (err == ZS_OK)
                continue;
            zs_log(ZS_LOG_ERROR, "%s", errstr);
            return 2;
        }
        switch (c) {
        case 'o':
            opt->out = optarg;
            break;
        case 'n':
            if (!parse_u64(optarg, MIN_HOUSEHOLDS, MAX_HOUSEHOLDS, &opt->households)) {
                zs_log(ZS_LOG_ERROR, "--households %s: give %d to %d", optarg, MIN_HOUSEHOLDS,
                       MAX_HOUSEHOLDS);
                return 2;
            }
            break;
        case 's':
            if (!parse_u64(optarg, 0, UINT64_MAX, &opt->seed)) {
                zs_log(ZS_LOG_ERROR, "--seed %s: give a number from 0", optarg);
                return 2;
            }
            break;
        case 'f':
            if (zs_quarter_parse(optarg, strlen(optarg), &opt->from, errstr, sizeof(errstr)) !=
                ZS_OK) {
                zs_log(ZS_LOG_ERROR, "--from %s: %s", optarg, errstr);
                return 2;
            }
            break;
        case 'Q':
            if (!parse_u64(optarg, 1, SIM_GEN_MAX_QUARTERS, &v)) {
                zs_log(ZS_LOG_ERROR, "--quarters %s: give 1 to %d", optarg, SIM_GEN_MAX_QUARTERS);
                return 2;
            }
            opt->quarters = (int)v;
            break;
        case 'i': {
            char *end = NULL;
            errno = 0;
            double share = strtod(optarg, &end);
            if (errno != 0 || end == optarg || *end != '\0' || !(share >= 0 && share <= 1)) {
                zs_log(ZS_LOG_ERROR, "--inject-share %s: give a number from 0 to 1", optarg);
                return 2;
            }
            opt->inject_share = share;
            break;
        }
        case 'q':
            opt->quiet = true;
            break;
        case 'L':
            opt->live = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind != argc || opt->out == NULL) {
        fputs(usage, stderr);
        return 2;
    }
    return 0;
}

/* Writes s as one RFC 4180 field, quoted when it needs to be. */
static void csv_field(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static zs_err_t add_line(run_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds one truth line (without its line end) for this household. */
static zs_err_t add_line(run_t *r, const char *fmt, ...)
{
    size_t off = r->lines.len;
    zs_err_t err = zs_buf_add(&r->offsets, &off, sizeof(off));
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (err == ZS_OK && (n < 0 || (size_t)n >= sizeof(line)))
        err = ZS_ERR_OVERFLOW;
    if (err == ZS_OK)
        err = zs_buf_add(&r->lines, line, (size_t)n + 1); /* keep the NUL */
    return err;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Writes the lines added so far, sorted (byte order), and forgets them.
 * Household ids have a fixed width, so sorting within each household sorts
 * the whole file. */
static zs_err_t write_sorted(run_t *r, FILE *fp)
{
    size_t n = r->offsets.len / sizeof(size_t);
    const size_t *off = (const size_t *)(const void *)r->offsets.data;
    zs_buf_reset(&r->ptrs);
    zs_err_t err = zs_buf_reserve(&r->ptrs, n * sizeof(char *) + 1);
    const char **ptrs = (const char **)(void *)r->ptrs.data;
    for (size_t i = 0; i < n && err == ZS_OK; i++)
        ptrs[i] = r->lines.data + off[i];
    if (err == ZS_OK && n > 0) {
        qsort(ptrs, n, sizeof(ptrs[0]), cmp_str);
        for (size_t i = 0; i < n; i++) {
            fputs(ptrs[i], fp);
            fputc('\n', fp);
        }
    }
    zs_buf_reset(&r->lines);
    zs_buf_reset(&r->offsets);
    return err;
}

/* The ground truth of one household: its opened episodes, its findings and
 * what was injected. */
static zs_err_t write_truth(run_t *r, const sim_household_t *hh, const sim_truth_t *truth,
                            const sim_injection_t *inj)
{
    char month[ZS_PERIOD_STR_SIZE];
    size_t n;
    const sim_transition_t *o = sim_truth_opened(truth, &n);
    zs_err_t err = ZS_OK;
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        zs_month_format(o[i].opened, month, sizeof(month));
        err = add_line(r, "%s,%s,%s,%s", hh->household_id, sim_rule_name(o[i].rule), o[i].subject,
                       month);
        r->stats.opened[o[i].rule]++;
        r->stats.episodes++;
    }
    if (err == ZS_OK)
        err = write_sorted(r, r->warnings);
    const sim_found_t *f = sim_truth_findings(truth, &n);
    for (size_t i = 0; i < n && err == ZS_OK; i++) {
        zs_month_format(f[i].period, month, sizeof(month));
        err = add_line(r, "%s,%s,%s", hh->household_id, sim_finding_name(f[i].finding), month);
        r->stats.findings[f[i].finding]++;
        r->stats.found++;
    }
    if (err == ZS_OK)
        err = write_sorted(r, r->findings);
    if (inj->kase != SIM_CASE_NONE) {
        r->stats.cases++;
        r->stats.injected[inj->kase]++;
        if (!inj->verified) {
            r->stats.unverified[inj->kase]++;
            r->stats.unconfirmed++;
            zs_log(ZS_LOG_WARN, "%s: injected %s not confirmed by the truth: %s", hh->household_id,
                   sim_case_name(inj->kase), inj->detail);
        }
        fprintf(r->injected, "%s,%s,", hh->household_id, sim_case_name(inj->kase));
        csv_field(r->injected, inj->detail);
        fputc('\n', r->injected);
    }
    return err;
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t size,
                      const char *header)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (fp != NULL && header != NULL)
        fputs(header, fp);
    return fp;
}

static zs_err_t close_out(FILE **fp, const char *path, char *errstr, size_t errstr_size)
{
    if (*fp == NULL)
        return ZS_OK;
    bool bad = ferror(*fp) != 0;
    bad |= fclose(*fp) != 0;
    *fp = NULL;
    return bad ? zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: write failed", path) : ZS_OK;
}

/* Megabytes of exports written so far. */
static double megabytes(const sim_writer_t *w, const sim_live_t *live)
{
    return (double)(w != NULL ? sim_writer_bytes(w) : sim_live_bytes(live)) / 1e6;
}

static void progress(const options_t *opt, uint64_t done, const struct timespec *started,
                     struct timespec *last, const sim_writer_t *w, const sim_live_t *live,
                     bool final)
{
    if (opt->quiet || !isatty(2))
        return;
    if (!final && seconds_since(last) < 0.25)
        return;
    clock_gettime(CLOCK_MONOTONIC, last);
    double secs = seconds_since(started), rate = secs > 0 ? (double)done / secs : 0;
    double eta = rate > 0 ? (double)(opt->households - done) / rate : 0;
    fprintf(stderr, "\r%10" PRIu64 "/%" PRIu64 " households %8.0f/s %8.1f MB  ETA %d:%02d", done,
            opt->households, rate, megabytes(w, live), (int)eta / 60, (int)eta % 60);
    fputs(final ? "\n" : "  ", stderr);
}

/* README.txt: what the directory holds, how it was made, what it contains. */
static zs_err_t write_readme(const options_t *opt, const stats_t *s, const sim_writer_t *w,
                             const sim_live_t *live, const sim_gen_t *gen, char *errstr,
                             size_t errstr_size)
{
    char path[4096], from[ZS_PERIOD_STR_SIZE], to[ZS_PERIOD_STR_SIZE], hist[ZS_PERIOD_STR_SIZE];
    FILE *fp = open_out(opt->out, "README.txt", path, sizeof(path), NULL);
    if (fp == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path, strerror(errno));
    zs_quarter_format(opt->from, from, sizeof(from));
    zs_quarter_format(opt->from + opt->quarters - 1, to, sizeof(to));
    zs_quarter_format(opt->from - SIM_GEN_HISTORY_QUARTERS, hist, sizeof(hist));
    fprintf(fp,
            "zs-simulate: a synthetic Guangxi region\n"
            "=======================================\n"
            "\n"
            "Made by: zs-simulate --households %" PRIu64 " --seed %" PRIu64
            " --from %s --quarters %d --inject-share %g\n"
            "The same command gives the same bytes.\n"
            "\n"
            "Simulated span: %s to %s (the quarters whose closes the ground truth\n"
            "evaluates). Income statements start at %s, 7 quarters earlier, so that\n"
            "T12M and the year-ago T12M are covered from the first quarter on;\n"
            "employment statements start 4 quarters before the span; subsidies and\n"
            "hardship costs lie within the span.\n"
            "\n"
            "Registry exports (the contract of docs/CONTRACT.md, exactly the columns of\n"
            "common/zs_input.c; push households first, with --members):\n",
            opt->households, opt->seed, from, opt->quarters, opt->inject_share, from, to, hist);
    if (live != NULL) {
        const sim_live_stats_t *ls = sim_live_stats(live);
        fprintf(fp,
                "  a monthly feed (--live): live/YYYY-MM/ holds the exports of one push\n"
                "  (what the registries reported in the month before), live/schedule.txt\n"
                "  the %" PRIu64 " pushes and %" PRIu64 " close markers in the order they\n"
                "  happen. Each topic closes a quarter in the second or third month after\n"
                "  it, right after its own file of that push. %" PRIu64 " late corrections,\n"
                "  %" PRIu64 " late payments (each in a household without an injected case),\n"
                "  %" PRIu64 " snapshots pushed again mid-quarter (%" PRIu64 " with a member\n"
                "  moved out); %" PRIu64 " records in all arrive after the close of a\n"
                "  quarter they change.\n"
                "\n"
                "The ground truth below follows that order of arrival: quarter Q is judged\n"
                "on the records before each topic's close of Q, and a record arriving after\n"
                "the close of a quarter it can change runs the rules again at the newest\n"
                "closed quarter (consumers/RULES.md \"When rules run\").\n"
                "\n",
                ls->pushes, ls->closes, ls->late_corrections, ls->late_payments,
                ls->snapshots_again, ls->members_left, ls->late_records);
    } else {
        for (int f = 0; f < SIM_FILE__COUNT; f++)
            fprintf(fp, "  %-16s %12" PRIu64 " rows\n", sim_file_name((sim_file_t)f),
                    sim_writer_rows(w, (sim_file_t)f));
        fprintf(fp, "\n"
                    "  zs-push households --members members.csv households.csv -b BROKERS\n"
                    "  zs-push income income.csv -b BROKERS   (and employment, subsidy, hardship)\n"
                    "  zs-push close --topic T --period Q -b BROKERS   for each topic and each\n"
                    "      quarter of the span, after all the files\n"
                    "\n");
    }
    fprintf(fp,
            "Ground truth (RULES.md, consumers/RULES.md \"Ground truth\"):\n"
            "  expected-warnings.csv  household_id,rule,subject,opened: one row per\n"
            "      episode opened at a close of the span, for every household; a header\n"
            "      line, then the rows sorted in byte order (LC_ALL=C sort). subject is\n"
            "      '-' for household rules, a person_id, or person_id/PROGRAM ('-/PROGRAM'\n"
            "      for a household-level programme); opened is YYYY-MM.\n"
            "  expected-findings.csv  household_id,finding,period: data-quality findings\n"
            "      (to zs.audit), one per (household, finding, period), sorted likewise;\n"
            "      period is a quarter's last month, or the month for\n"
            "      MIGRANT_WITHOUT_LABOR or CLOSED_QUARTER_REWRITTEN (a statement\n"
            "      arriving after its quarter's close with another figure: --live only).\n"
            "  injected.csv  household_id,case,detail: one row per household with an\n"
            "      injected case. detail starts with what the truth must show:\n"
            "      'expect RULE SUBJECT YYYY-MM:' (that episode opens then),\n"
            "      'absent RULE SUBJECT:' (a boundary case: no such episode),\n"
            "      'finding NAME YYYY-MM:', or 'reject FILE EVENT_ID:' (a bad row\n"
            "      zs-push must reject; it is in no other file's truth).\n"
            "\n"
            "Without --live the truth assumes every file is pushed before the close\n"
            "markers, so each close sees all of a household's data. Statements: the latest\n"
            "reported_at stands (tie: greater event_id); a repeated event_id counts\n"
            "once; a payment counts whenever it was reported (MISSING: no PAID at all;\n"
            "SHORT: paid on time and in all less than due).\n"
            "\n"
            "Episodes opened, by rule (%" PRIu64 " in all):\n",
            s->episodes);
    for (int r = 0; r < SIM_RULE__COUNT; r++)
        fprintf(fp, "  %-18s %10" PRIu64 "\n", sim_rule_name((sim_rule_t)r), s->opened[r]);
    fprintf(fp, "\nData-quality findings (%" PRIu64 " in all):\n", s->found);
    for (int f = 0; f < SIM_FINDING__COUNT; f++)
        fprintf(fp, "  %-22s %10" PRIu64 "\n", sim_finding_name((sim_finding_t)f), s->findings[f]);
    fprintf(fp, "\nInjected cases (%" PRIu64 " households; %" PRIu64 " not confirmed):\n", s->cases,
            s->unconfirmed);
    const sim_case_t *cases;
    size_t ncases = sim_gen_cases(gen, &cases);
    for (size_t i = 0; i < ncases; i++)
        fprintf(fp, "  %-24s %8" PRIu64 "%s\n", sim_case_name(cases[i]), s->injected[cases[i]],
                s->unverified[cases[i]] ? "  (some not confirmed)" : "");
    fprintf(fp, "\nThe region: households over Guangxi's 111 counties, the 20 national key\n"
                "assistance counties weighted 3x; synthetic township and village names;\n"
                "per-capita net income log-normal around the published levels (12,550 yuan\n"
                "in 2021, 14,342 in 2022, then +8-10%% a year), wages ~70%%, transfers\n"
                "~20%%, net operating ~8%%, property ~2%%; migrants ~40%% of workers;\n"
                "pensions from 60, disability subsidies, DIBAO, farmland and Yulu subsidies\n"
                "paid on time and in full unless a case says otherwise.\n");
    return close_out(&fp, path, errstr, errstr_size);
}

int main(int argc, char **argv)
{
    options_t opt = {.households = 20000, .seed = 1, .quarters = 8, .inject_share = 0.05};
    zs_config_t *cfg = NULL;
    zs_county_table_t *counties = NULL;
    sim_gen_t *gen = NULL;
    sim_truth_t *truth = NULL;
    sim_writer_t *writer = NULL;
    sim_live_t *live = NULL;
    sim_household_t hh;
    run_t run = {.opt = &opt};
    char errstr[1024];
    int rc = 2;
    zs_log_init("zs-simulate", ZS_LOG_INFO, ZS_LOG_TEXT);
    if (zs_config_describe_if_asked(argc, argv, NULL, stdout))
        return 0;
    sim_household_init(&hh);
    zs_buf_init(&run.lines, (size_t)1 << 20);
    zs_buf_init(&run.offsets, (size_t)1 << 20);
    zs_buf_init(&run.ptrs, (size_t)1 << 20);
    zs_quarter_make(2023, 1, &opt.from, NULL, 0);
    if (zs_config_new(&cfg, NULL, errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    int parsed = parse_args(argc, argv, &opt, cfg);
    if (parsed != 0) {
        rc = parsed < 0 ? 0 : parsed;
        goto done;
    }
    if (zs_config_apply_logging(cfg, "zs-simulate", errstr, sizeof(errstr)) != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    const char *data_dir, *region;
    zs_err_t err = zs_config_get_str(cfg, "zs.data.dir", &data_dir, errstr, sizeof(errstr));
    if (err == ZS_OK)
        err = zs_config_get_str(cfg, "zs.region", &region, errstr, sizeof(errstr));
    if (err == ZS_OK) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s-counties.csv", data_dir, region);
        err = zs_county_load(path, &counties, errstr, sizeof(errstr));
    }
    sim_gen_opts_t gopt = {.seed = opt.seed,
                           .from = opt.from,
                           .quarters = opt.quarters,
                           .inject_share = opt.inject_share};
    if (err == ZS_OK)
        err = sim_gen_new(counties, &gopt, &gen, errstr, sizeof(errstr));
    if (err != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    rc = 1;
    if (mkdir(opt.out, 0777) != 0 && errno != EEXIST) {
        zs_log(ZS_LOG_ERROR, "%s: %s", opt.out, strerror(errno));
        goto done;
    }
    err = sim_truth_new(&truth);
    if (err == ZS_OK && !opt.live)
        err = sim_writer_open(opt.out, &writer, errstr, sizeof(errstr));
    if (err == ZS_OK && opt.live)
        err = sim_live_open(opt.out, opt.seed, opt.from, opt.quarters, LIVE_LATE_SHARE, &live,
                            errstr, sizeof(errstr));
    if (err != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", err == ZS_ERR_NOMEM ? "out of memory" : errstr);
        goto done;
    }
    run.warnings = open_out(opt.out, "expected-warnings.csv", run.warnings_path,
                            sizeof(run.warnings_path), "household_id,rule,subject,opened\n");
    run.findings = open_out(opt.out, "expected-findings.csv", run.findings_path,
                            sizeof(run.findings_path), "household_id,finding,period\n");
    run.injected = open_out(opt.out, "injected.csv", run.injected_path, sizeof(run.injected_path),
                            "household_id,case,detail\n");
    if (run.warnings == NULL || run.findings == NULL || run.injected == NULL) {
        zs_log(ZS_LOG_ERROR, "%s: %s", opt.out, strerror(errno));
        goto done;
    }
    sim_rules_t rules;
    sim_rules_default(&rules);
    struct timespec started, last = {0};
    clock_gettime(CLOCK_MONOTONIC, &started);
    for (uint64_t i = 0; i < opt.households && err == ZS_OK; i++) {
        sim_injection_t inj;
        err = sim_gen_household(gen, i, &hh, &inj, errstr, sizeof(errstr));
        if (err == ZS_OK && live != NULL)
            err =
                sim_live_household(live, i, &hh, inj.kase == SIM_CASE_NONE, errstr, sizeof(errstr));
        if (err == ZS_OK)
            err = sim_truth_evaluate(truth, &hh, &rules, opt.from, opt.quarters, errstr,
                                     sizeof(errstr));
        if (err == ZS_OK && live == NULL)
            err = sim_writer_household(writer, &hh, errstr, sizeof(errstr));
        if (err == ZS_OK && write_truth(&run, &hh, truth, &inj) != ZS_OK)
            err = zs_fail(errstr, sizeof(errstr), ZS_ERR_OVERFLOW, "%s: truth lines too long",
                          hh.household_id);
        progress(&opt, i + 1, &started, &last, writer, live, i + 1 == opt.households);
    }
    if (err == ZS_OK && writer != NULL)
        err = sim_writer_close(writer, errstr, sizeof(errstr));
    if (err == ZS_OK && live != NULL)
        err = sim_live_close(live, errstr, sizeof(errstr));
    if (err == ZS_OK)
        err = close_out(&run.warnings, run.warnings_path, errstr, sizeof(errstr));
    if (err == ZS_OK)
        err = close_out(&run.findings, run.findings_path, errstr, sizeof(errstr));
    if (err == ZS_OK)
        err = close_out(&run.injected, run.injected_path, errstr, sizeof(errstr));
    double secs = seconds_since(&started);
    if (err == ZS_OK)
        err = write_readme(&opt, &run.stats, writer, live, gen, errstr, sizeof(errstr));
    if (err != ZS_OK) {
        zs_log(ZS_LOG_ERROR, "%s", errstr);
        goto done;
    }
    fprintf(stderr,
            "zs-simulate: %" PRIu64 " households in %.1f s (%.0f households/s), %.1f MB in %s; "
            "%" PRIu64 " episodes, %" PRIu64 " findings, %" PRIu64 " injected cases (%" PRIu64
            " not confirmed)\n",
            opt.households, secs, secs > 0 ? (double)opt.households / secs : 0,
            megabytes(writer, live), opt.out, run.stats.episodes, run.stats.found, run.stats.cases,
            run.stats.unconfirmed);
    rc = 0;
done:
    if (run.warnings != NULL)
        fclose(run.warnings);
    if (run.findings != NULL)
        fclose(run.findings);
    if (run.injected != NULL)
        fclose(run.injected);
    sim_writer_free(writer);
    sim_live_free(live);
    sim_truth_free(truth);
    sim_gen_free(gen);
    sim_household_free(&hh);
    zs_buf_free(&run.lines);
    zs_buf_free(&run.offsets);
    zs_buf_free(&run.ptrs);
    zs_county_table_free(counties);
    zs_config_destroy(cfg);
    return rc;
}
