/* sim_write.c: the registry export files of zs-simulate, formatted by hand
 * into buffers (no printf per field): the writer must keep up with the
 * generator at a million households. */
#include "sim_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_input.h"

#define FLUSH_AT ((size_t)256 << 10)
#define BUF_MAX  ((size_t)64 << 20)

struct sim_writer {
    FILE *fp[SIM_FILE__COUNT];
    zs_buf_t buf[SIM_FILE__COUNT];
    char path[SIM_FILE__COUNT][4096];
    uint64_t rows[SIM_FILE__COUNT];
    uint64_t bytes;
    zs_err_t err; /* the first append error (memory), reported by the next call */
};

static const char *const file_names[SIM_FILE__COUNT] = {
    "households.csv", "members.csv",  "income.csv",  "employment.csv",
    "subsidy.csv",    "hardship.csv", "followup.csv"};

static const zs_input_kind_t file_kinds[SIM_FILE__COUNT] = {
    ZS_INPUT_HOUSEHOLDS, ZS_INPUT_MEMBERS,  ZS_INPUT_INCOME,  ZS_INPUT_EMPLOYMENT,
    ZS_INPUT_SUBSIDY,    ZS_INPUT_HARDSHIP, ZS_INPUT_FOLLOWUP};

const char *sim_file_name(sim_file_t f)
{
    return file_names[f];
}

/* ---- one row is formatted into a row_t, then appended to its file's buffer ---- */

/* Longer than any row we write (the longest field is a 224-byte bad row). */
#define ROW_MAX 1024

typedef struct row {
    char b[ROW_MAX];
    size_t n;
} row_t;

static void put(row_t *r, const char *s, size_t n)
{
    if (n > ROW_MAX - r->n)
        n = ROW_MAX - r->n;
    memcpy(r->b + r->n, s, n);
    r->n += n;
}

static void puts_(row_t *r, const char *s)
{
    put(r, s, strlen(s));
}

static void putc_(row_t *r, char c)
{
    if (r->n < ROW_MAX)
        r->b[r->n++] = c;
}

static void sep(row_t *r)
{
    putc_(r, ',');
}

static void put_int(row_t *r, int64_t v)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    put(r, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Yuan with two decimals, from fen (>= 0 in every export). */
static void put_money(row_t *r, int64_t fen)
{
    put_int(r, fen / 100);
    char dec[3] = {'.', (char)('0' + fen % 100 / 10), (char)('0' + fen % 10)};
    put(r, dec, 3);
}

static void put_time(row_t *r, int64_t ms)
{
    char t[32];
    sim_time_format(ms, t);
    put(r, t, 25);
}

static void put_month(row_t *r, zs_month_t m)
{
    put_int(r, zs_month_year(m));
    sep(r);
    put_int(r, zs_month_month(m));
}

/* Ends the row and appends it to file f's buffer. */
static void end_row(sim_writer_t *w, sim_file_t f, row_t *r)
{
    putc_(r, '\n');
    zs_err_t err = zs_buf_add(&w->buf[f], r->b, r->n);
    if (err != ZS_OK && w->err == ZS_OK)
        w->err = err;
    w->rows[f]++;
    r->n = 0;
}

static zs_err_t flush(sim_writer_t *w, sim_file_t f, bool force, char *errstr, size_t errstr_size)
{
    zs_buf_t *b = &w->buf[f];
    if (b->len == 0 || (!force && b->len < FLUSH_AT))
        return ZS_OK;
    if (fwrite(b->data, 1, b->len, w->fp[f]) != b->len)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", w->path[f], strerror(errno));
    w->bytes += b->len;
    zs_buf_reset(b);
    return ZS_OK;
}

zs_err_t sim_writer_open(const char *dir, sim_writer_t **out, char *errstr, size_t errstr_size)
{
    sim_writer_t *w = calloc(1, sizeof(*w));
    *out = w;
    if (w == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_NOMEM, "out of memory");
    for (int f = 0; f < SIM_FILE__COUNT; f++)
        zs_buf_init(&w->buf[f], BUF_MAX);
    for (int f = 0; f < SIM_FILE__COUNT; f++) {
        snprintf(w->path[f], sizeof(w->path[f]), "%s/%s", dir, file_names[f]);
        w->fp[f] = fopen(w->path[f], "wb");
        if (w->fp[f] == NULL)
            return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", w->path[f], strerror(errno));
        /* The header: the contract's columns, in its order. */
        size_t n;
        const zs_col_t *cols = zs_input_cols(file_kinds[f], &n);
        row_t r = {.n = 0};
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                sep(&r);
            puts_(&r, cols[i].name);
        }
        end_row(w, (sim_file_t)f, &r);
        w->rows[f] = 0; /* the header is not a row */
    }
    return w->err;
}

static const char *subsidy_source(sim_program_t p)
{
    switch (p) {
    case SIM_PENSION:
        return "hrss";
    case SIM_DISABILITY:
        return "dpf";
    case SIM_DIBAO:
    case SIM_TEKUN:
    case SIM_TEMP_RELIEF:
        return "civil";
    case SIM_FARMLAND:
    case SIM_FOREST:
        return "agri";
    case SIM_YULU:
        return "rural";
    default:
        return "finance";
    }
}

static void household_rows(sim_writer_t *w, const sim_household_t *hh)
{
    row_t r = {.n = 0};
    puts_(&r, hh->household_id);
    sep(&r);
    puts_(&r, hh->county_code);
    sep(&r);
    puts_(&r, hh->township);
    sep(&r);
    puts_(&r, hh->village);
    sep(&r);
    puts_(&r, sim_category_name(hh->category));
    sep(&r);
    put_time(&r, hh->updated_ms);
    end_row(w, SIM_FILE_HOUSEHOLDS, &r);

    size_t n;
    const sim_member_t *m = sim_members(hh, &n);
    for (size_t i = 0; i < n; i++) {
        puts_(&r, hh->household_id);
        sep(&r);
        puts_(&r, m[i].person_id);
        sep(&r);
        puts_(&r, m[i].id_number);
        sep(&r);
        puts_(&r, sim_relation_name(m[i].relation));
        sep(&r);
        put_int(&r, m[i].birth_year);
        sep(&r);
        putc_(&r, m[i].sex);
        sep(&r);
        puts_(&r, sim_labor_name(m[i].labor));
        sep(&r);
        put_int(&r, m[i].disability);
        sep(&r);
        putc_(&r, m[i].in_school ? 'Y' : 'N');
        sep(&r);
        putc_(&r, m[i].active ? 'Y' : 'N');
        sep(&r);
        put_time(&r, hh->updated_ms);
        end_row(w, SIM_FILE_MEMBERS, &r);
    }
}

static void event_rows(sim_writer_t *w, const sim_household_t *hh)
{
    size_t n, nm;
    const sim_member_t *mem = sim_members(hh, &nm);
    const sim_income_t *inc = sim_incomes(hh, &n);
    row_t r = {.n = 0};
    for (size_t i = 0; i < n; i++) {
        puts_(&r, inc[i].event_id);
        sep(&r);
        puts_(&r, hh->household_id);
        sep(&r);
        put_month(&r, inc[i].month);
        sep(&r);
        puts_(&r, sim_component_name(inc[i].component));
        sep(&r);
        put_money(&r, inc[i].fen);
        sep(&r);
        puts_(&r, inc[i].source);
        sep(&r);
        put_time(&r, inc[i].reported_ms);
        end_row(w, SIM_FILE_INCOME, &r);
    }

    const sim_job_t *job = sim_jobs(hh, &n);
    for (size_t i = 0; i < n; i++) {
        puts_(&r, job[i].event_id);
        sep(&r);
        puts_(&r, hh->household_id);
        sep(&r);
        puts_(&r, mem[job[i].member].person_id);
        sep(&r);
        put_month(&r, job[i].month);
        sep(&r);
        puts_(&r, sim_status_name(job[i].status));
        sep(&r);
        putc_(&r, job[i].wants_work ? 'Y' : 'N');
        puts_(&r, ",hrss,");
        put_time(&r, job[i].reported_ms);
        end_row(w, SIM_FILE_EMPLOYMENT, &r);
    }

    const sim_subsidy_t *sub = sim_subsidies(hh, &n);
    for (size_t i = 0; i < n; i++) {
        puts_(&r, sub[i].event_id);
        sep(&r);
        puts_(&r, hh->household_id);
        sep(&r);
        if (sub[i].member >= 0)
            puts_(&r, mem[sub[i].member].person_id);
        sep(&r);
        puts_(&r, sim_program_name(sub[i].program));
        puts_(&r, sub[i].paid ? ",PAID," : ",DUE,");
        put_month(&r, sub[i].month);
        sep(&r);
        put_money(&r, sub[i].fen);
        sep(&r);
        puts_(&r, subsidy_source(sub[i].program));
        sep(&r);
        put_time(&r, sub[i].reported_ms);
        end_row(w, SIM_FILE_SUBSIDY, &r);
    }

    static const char *const cost_sources[] = {"health", "emergency", "emergency", "edu", "civil"};
    const sim_cost_t *cost = sim_costs(hh, &n);
    for (size_t i = 0; i < n; i++) {
        puts_(&r, cost[i].event_id);
        sep(&r);
        puts_(&r, hh->household_id);
        sep(&r);
        put_month(&r, cost[i].month);
        sep(&r);
        puts_(&r, sim_cost_kind_name(cost[i].kind));
        sep(&r);
        put_money(&r, cost[i].fen);
        sep(&r);
        puts_(&r, cost_sources[cost[i].kind]);
        sep(&r);
        put_time(&r, cost[i].reported_ms);
        end_row(w, SIM_FILE_HARDSHIP, &r);
    }
}

static void bad_rows(sim_writer_t *w, const sim_household_t *hh)
{
    size_t n;
    const sim_bad_row_t *bad = sim_bad_rows(hh, &n);
    row_t r = {.n = 0};
    for (size_t i = 0; i < n; i++) {
        puts_(&r, bad[i].text);
        end_row(w, bad[i].file, &r);
    }
}

zs_err_t sim_writer_rows_of(sim_writer_t *w, const sim_household_t *hh, unsigned parts,
                            char *errstr, size_t errstr_size)
{
    if (parts & SIM_WRITE_SNAPSHOT)
        household_rows(w, hh);
    if (parts & SIM_WRITE_EVENTS)
        event_rows(w, hh);
    if (parts & SIM_WRITE_BAD)
        bad_rows(w, hh);
    if (w->err != ZS_OK)
        return zs_fail(errstr, errstr_size, w->err, "household %s: %s", hh->household_id,
                       zs_err2str(w->err));
    zs_err_t err = ZS_OK;
    for (int f = 0; f < SIM_FILE__COUNT && err == ZS_OK; f++)
        err = flush(w, (sim_file_t)f, false, errstr, errstr_size);
    return err;
}

zs_err_t sim_writer_household(sim_writer_t *w, const sim_household_t *hh, char *errstr,
                              size_t errstr_size)
{
    return sim_writer_rows_of(w, hh, SIM_WRITE_SNAPSHOT | SIM_WRITE_EVENTS | SIM_WRITE_BAD, errstr,
                              errstr_size);
}

zs_err_t sim_writer_close(sim_writer_t *w, char *errstr, size_t errstr_size)
{
    zs_err_t err = ZS_OK;
    for (int f = 0; f < SIM_FILE__COUNT; f++) {
        if (w->fp[f] == NULL)
            continue;
        zs_err_t e = flush(w, (sim_file_t)f, true, errstr, errstr_size);
        if (fclose(w->fp[f]) != 0 && e == ZS_OK)
            e = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", w->path[f], strerror(errno));
        w->fp[f] = NULL;
        if (err == ZS_OK)
            err = e;
    }
    return err;
}

void sim_writer_free(sim_writer_t *w)
{
    if (w == NULL)
        return;
    for (int f = 0; f < SIM_FILE__COUNT; f++) {
        if (w->fp[f] != NULL)
            fclose(w->fp[f]);
        zs_buf_free(&w->buf[f]);
    }
    free(w);
}

uint64_t sim_writer_rows(const sim_writer_t *w, sim_file_t f)
{
    return w->rows[f];
}

uint64_t sim_writer_bytes(const sim_writer_t *w)
{
    return w->bytes;
}
