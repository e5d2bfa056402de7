/* sim_household.c: the in-memory household of zs-simulate: symbol names,
 * growable arrays over zs_buf_t, and Guangxi wall-clock timestamps. */
#include "sim_household.h"

#include "zs_period.h"

#include <stdio.h>
#include <string.h>

/* No household comes near this; it only bounds a runaway generator. */
#define ARRAY_MAX ((size_t)256 << 20)

const char *sim_category_name(sim_category_t c)
{
    static const char *const names[] = {"STABLE", "UNSTABLE", "MARGINAL", "HARDSHIP"};
    return names[c];
}

const char *sim_relation_name(sim_relation_t r)
{
    static const char *const names[] = {"HEAD", "SPOUSE", "CHILD", "PARENT", "GRANDCHILD", "OTHER"};
    return names[r];
}

const char *sim_labor_name(sim_labor_t l)
{
    static const char *const names[] = {"SKILLED", "ORDINARY", "WEAK", "LOST", "NONE"};
    return names[l];
}

const char *sim_component_name(sim_component_t c)
{
    static const char *const names[] = {"WAGE", "OPERATING", "PROPERTY", "TRANSFER", "EXPENSE"};
    return names[c];
}

const char *sim_status_name(sim_status_t s)
{
    static const char *const names[] = {"MIGRANT_OUT_PROVINCE",
                                        "MIGRANT_IN_PROVINCE",
                                        "LOCAL",
                                        "PUBLIC_WELFARE_JOB",
                                        "WORKSHOP",
                                        "SELF_EMPLOYED",
                                        "UNEMPLOYED",
                                        "NOT_IN_LABOR_FORCE"};
    return names[s];
}

const char *sim_program_name(sim_program_t p)
{
    static const char *const names[] = {"DIBAO",     "TEKUN",           "TEMP_RELIEF", "DISABILITY",
                                        "PENSION",   "FARMLAND",        "FOREST",      "YULU",
                                        "TRANSPORT", "INDUSTRY_REWARD", "OTHER"};
    return names[p];
}

const char *sim_cost_kind_name(sim_cost_kind_t k)
{
    static const char *const names[] = {"MEDICAL", "DISASTER", "ACCIDENT", "EDUCATION", "OTHER"};
    return names[k];
}

bool sim_status_employed(sim_status_t s)
{
    return s != SIM_UNEMPLOYED && s != SIM_NOT_IN_LABOR_FORCE;
}

bool sim_status_migrant(sim_status_t s)
{
    return s == SIM_MIGRANT_OUT_PROVINCE || s == SIM_MIGRANT_IN_PROVINCE;
}

void sim_household_init(sim_household_t *hh)
{
    memset(hh, 0, sizeof(*hh));
    zs_buf_init(&hh->members, ARRAY_MAX);
    zs_buf_init(&hh->incomes, ARRAY_MAX);
    zs_buf_init(&hh->jobs, ARRAY_MAX);
    zs_buf_init(&hh->subsidies, ARRAY_MAX);
    zs_buf_init(&hh->costs, ARRAY_MAX);
    zs_buf_init(&hh->bad_rows, ARRAY_MAX);
}

void sim_household_reset(sim_household_t *hh)
{
    hh->household_id[0] = hh->county_code[0] = hh->township[0] = hh->village[0] = '\0';
    hh->category = SIM_STABLE;
    hh->updated_ms = 0;
    zs_buf_reset(&hh->members);
    zs_buf_reset(&hh->incomes);
    zs_buf_reset(&hh->jobs);
    zs_buf_reset(&hh->subsidies);
    zs_buf_reset(&hh->costs);
    zs_buf_reset(&hh->bad_rows);
}

void sim_household_free(sim_household_t *hh)
{
    if (hh == NULL)
        return;
    zs_buf_free(&hh->members);
    zs_buf_free(&hh->incomes);
    zs_buf_free(&hh->jobs);
    zs_buf_free(&hh->subsidies);
    zs_buf_free(&hh->costs);
    zs_buf_free(&hh->bad_rows);
}

zs_err_t sim_household_add_member(sim_household_t *hh, const sim_member_t *m)
{
    return zs_buf_add(&hh->members, m, sizeof(*m));
}

zs_err_t sim_household_add_income(sim_household_t *hh, const sim_income_t *x)
{
    return zs_buf_add(&hh->incomes, x, sizeof(*x));
}

zs_err_t sim_household_add_job(sim_household_t *hh, const sim_job_t *x)
{
    return zs_buf_add(&hh->jobs, x, sizeof(*x));
}

zs_err_t sim_household_add_subsidy(sim_household_t *hh, const sim_subsidy_t *x)
{
    return zs_buf_add(&hh->subsidies, x, sizeof(*x));
}

zs_err_t sim_household_add_cost(sim_household_t *hh, const sim_cost_t *x)
{
    return zs_buf_add(&hh->costs, x, sizeof(*x));
}

zs_err_t sim_household_add_bad_row(sim_household_t *hh, const sim_bad_row_t *x)
{
    return zs_buf_add(&hh->bad_rows, x, sizeof(*x));
}

sim_member_t *sim_members(const sim_household_t *hh, size_t *n)
{
    *n = hh->members.len / sizeof(sim_member_t);
    return (sim_member_t *)(void *)hh->members.data;
}

sim_income_t *sim_incomes(const sim_household_t *hh, size_t *n)
{
    *n = hh->incomes.len / sizeof(sim_income_t);
    return (sim_income_t *)(void *)hh->incomes.data;
}

sim_job_t *sim_jobs(const sim_household_t *hh, size_t *n)
{
    *n = hh->jobs.len / sizeof(sim_job_t);
    return (sim_job_t *)(void *)hh->jobs.data;
}

sim_subsidy_t *sim_subsidies(const sim_household_t *hh, size_t *n)
{
    *n = hh->subsidies.len / sizeof(sim_subsidy_t);
    return (sim_subsidy_t *)(void *)hh->subsidies.data;
}

sim_cost_t *sim_costs(const sim_household_t *hh, size_t *n)
{
    *n = hh->costs.len / sizeof(sim_cost_t);
    return (sim_cost_t *)(void *)hh->costs.data;
}

sim_bad_row_t *sim_bad_rows(const sim_household_t *hh, size_t *n)
{
    *n = hh->bad_rows.len / sizeof(sim_bad_row_t);
    return (sim_bad_row_t *)(void *)hh->bad_rows.data;
}

void sim_array_remove(zs_buf_t *array, size_t elem, size_t i)
{
    size_t n = array->len / elem;
    if (i >= n)
        return;
    memmove(array->data + i * elem, array->data + (i + 1) * elem, (n - i - 1) * elem);
    array->len -= elem;
}

#define OFFSET_S (8 * 3600)

int64_t sim_time_make(int year, int month, int day, int hour, int minute, int second)
{
    int64_t days = zs_days_from_civil(year, (unsigned)month, (unsigned)day);
    return (days * 86400 + hour * 3600 + minute * 60 + second - OFFSET_S) * 1000;
}

int64_t sim_month_start_ms(zs_month_t m)
{
    return sim_time_make(zs_month_year(m), zs_month_month(m), 1, 0, 0, 0);
}

/* Two decimal digits. */
static char *put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

void sim_time_format(int64_t ms, char *out)
{
    int64_t s = ms / 1000 + OFFSET_S;
    int64_t days = s / 86400, rem = s % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    unsigned m, d;
    zs_civil_from_days(days, &y, &m, &d);
    char *p = out;
    p = put2(p, (unsigned)(y / 100));
    p = put2(p, (unsigned)(y % 100));
    *p++ = '-';
    p = put2(p, m);
    *p++ = '-';
    p = put2(p, d);
    *p++ = 'T';
    p = put2(p, (unsigned)(rem / 3600));
    *p++ = ':';
    p = put2(p, (unsigned)(rem / 60 % 60));
    *p++ = ':';
    p = put2(p, (unsigned)(rem % 60));
    memcpy(p, "+08:00", 7);
}
