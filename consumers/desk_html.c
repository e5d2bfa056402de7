/* desk_html.c: escaping for each output context, form decoding and ID
 * number masking (desk_html.h). */
#include "desk_html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_log.h"

/* Runs fn over a masked copy of s (stack for short text, heap otherwise). */
static zs_err_t with_masked(zs_buf_t *out, const char *s, zs_err_t (*fn)(zs_buf_t *, const char *))
{
    if (s == NULL)
        return ZS_OK;
    size_t len = strlen(s);
    char small[512], *copy = len < sizeof(small) ? small : malloc(len + 1);
    if (copy == NULL)
        return ZS_ERR_NOMEM;
    memcpy(copy, s, len + 1);
    zs_log_mask_idnumbers(copy, len);
    zs_err_t err = fn(out, copy);
    if (copy != small)
        free(copy);
    return err;
}

static zs_err_t html_raw(zs_buf_t *out, const char *s)
{
    zs_err_t err = ZS_OK;
    for (const char *p = s; err == ZS_OK && *p; p++) {
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '&':
            err = zs_buf_adds(out, "&amp;");
            break;
        case '<':
            err = zs_buf_adds(out, "&lt;");
            break;
        case '>':
            err = zs_buf_adds(out, "&gt;");
            break;
        case '"':
            err = zs_buf_adds(out, "&quot;");
            break;
        case '\'':
            err = zs_buf_adds(out, "&#39;");
            break;
        default:
            /* Control characters (DEL too) other than tab and newline: dropped. */
            if ((c >= 0x20 && c != 0x7f) || c == '\t' || c == '\n')
                err = zs_buf_addc(out, (char)c);
        }
    }
    return err;
}

zs_err_t desk_html(zs_buf_t *out, const char *s)
{
    return with_masked(out, s, html_raw);
}

zs_err_t desk_url(zs_buf_t *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    zs_err_t err = ZS_OK;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); err == ZS_OK && *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            err = zs_buf_addc(out, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            err = zs_buf_add(out, e, 3);
        }
    }
    return err;
}

static zs_err_t csv_raw(zs_buf_t *out, const char *s)
{
    bool formula = *s == '=' || *s == '+' || *s == '-' || *s == '@';
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    zs_err_t err = quote ? zs_buf_addc(out, '"') : ZS_OK;
    if (formula)
        err = err ? err : zs_buf_addc(out, '\'');
    for (const char *p = s; err == ZS_OK && *p; p++)
        err = *p == '"' ? zs_buf_adds(out, "\"\"") : zs_buf_addc(out, *p);
    return quote && err == ZS_OK ? zs_buf_addc(out, '"') : err;
}

zs_err_t desk_csv(zs_buf_t *out, const char *s)
{
    return with_masked(out, s, csv_raw);
}

void desk_mask(const char *s, char *out, size_t size)
{
    if (size == 0)
        return;
    /* Mask the whole text first, then cut: an ID number across the cut must
     * not leave its first digits in clear. */
    size_t len = strlen(s);
    char *all = malloc(len + 1);
    if (all == NULL) {
        out[0] = '\0';
        return;
    }
    memcpy(all, s, len + 1);
    zs_log_mask_idnumbers(all, len);
    if (len >= size) {
        len = size - 1;
        /* Do not cut a UTF-8 character in two. */
        while (len > 0 && ((unsigned char)all[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, all, len);
    out[len] = '\0';
    free(all);
}

/* ---- forms ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k = c < 0x80             ? 0
                   : (c & 0xE0) == 0xC0 ? 1
                   : (c & 0xF0) == 0xE0 ? 2
                   : (c & 0xF8) == 0xF0 ? 3
                                        : 9;
        if (k == 9 || i + k >= n + (k == 0) || (c == 0xC0 || c == 0xC1 || c > 0xF4))
            return false;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
        if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0) ||
            (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90))
            return false;
        i += k + 1;
    }
    return true;
}

void desk_form_free(desk_form_t *form)
{
    if (form == NULL)
        return;
    free(form->mem);
    memset(form, 0, sizeof(*form));
}

zs_err_t desk_form_parse(desk_form_t *form, const char *body, size_t len)
{
    desk_form_free(form);
    char *m = malloc(len + 1);
    if (m == NULL)
        return ZS_ERR_NOMEM;
    form->mem = m;
    size_t o = 0;
    char *start = m;
    bool in_value = false;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || body[i] == '&') {
            m[o++] = '\0';
            char *end = m + o - 1;
            if (end > start || in_value) {
                if (form->n == DESK_FORM_MAX)
                    goto bad;
                if (!in_value) {
                    form->name[form->n] = start;
                    form->value[form->n] = end; /* "" */
                }
                if (!utf8_valid((unsigned char *)form->name[form->n],
                                strlen(form->name[form->n])) ||
                    !utf8_valid((unsigned char *)form->value[form->n],
                                strlen(form->value[form->n])))
                    goto bad;
                form->n++;
            }
            start = m + o;
            in_value = false;
            continue;
        }
        char c = body[i];
        if (c == '=' && !in_value) {
            if (form->n == DESK_FORM_MAX)
                goto bad;
            m[o++] = '\0';
            form->name[form->n] = start;
            form->value[form->n] = m + o;
            in_value = true;
            continue;
        }
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 2 < len ? hexval(body[i + 1]) : -1;
            int lo = hi >= 0 ? hexval(body[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                goto bad;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0')
            goto bad;
        m[o++] = c;
    }
    return ZS_OK;
bad:
    desk_form_free(form);
    return ZS_ERR_INVALID;
}

const char *desk_form_get(const desk_form_t *form, const char *name)
{
    for (size_t i = 0; i < form->n; i++)
        if (strcmp(form->name[i], name) == 0)
            return form->value[i];
    return NULL;
}

bool desk_cookie_get(const char *header, const char *name, char *out, size_t size)
{
    size_t nlen = strlen(name);
    for (const char *p = header; p != NULL && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            size_t vlen = n - nlen - 1;
            if (vlen >= size)
                return false;
            memcpy(out, p + nlen + 1, vlen);
            out[vlen] = '\0';
            return true;
        }
        p = end;
    }
    return false;
}
