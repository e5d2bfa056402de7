/* desk_html.h: zs-desk's output escaping and input decoding, each for its
 * context: HTML text and attributes, URL components, CSV cells, form
 * bodies; and the masking of resident ID numbers in whatever an officer
 * types. Pure functions, unit-tested one by one. */
#ifndef DESK_HTML_H
#define DESK_HTML_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "zs_buf.h"
#include "zs_err.h"

/* Appends s as HTML text or a quoted attribute value: & < > " ' escaped,
 * anything shaped like a resident ID number masked first, control
 * characters other than tab and newline dropped. NULL appends nothing. */
zs_err_t desk_html(zs_buf_t *out, const char *s);

/* Appends s percent-encoded for a URL path segment or query value: every
 * byte except A-Z a-z 0-9 - . _ ~ becomes %XX. */
zs_err_t desk_url(zs_buf_t *out, const char *s);

/* Appends s as one CSV cell (RFC 4180 quoting when needed); a cell that a
 * spreadsheet would take as a formula (= + - @ at the start) gets a leading
 * apostrophe. ID numbers masked. */
zs_err_t desk_csv(zs_buf_t *out, const char *s);

/* Copies s into out (size bytes, NUL-terminated, truncated at a UTF-8
 * character boundary) with anything shaped like a resident ID number masked
 * (zs_log_mask_idnumbers: 17 digits and a digit or X, standing alone),
 * masked before the cut so a number across it shows no digit. */
void desk_mask(const char *s, char *out, size_t size);

/* An application/x-www-form-urlencoded body or query string, decoded. */
#define DESK_FORM_MAX 16
typedef struct desk_form {
    size_t n;
    char *name[DESK_FORM_MAX], *value[DESK_FORM_MAX];
    char *mem; /* owned: the decoded text every pointer points into */
} desk_form_t;

/* Decodes len bytes of body into form (replacing it). ZS_ERR_INVALID for
 * more than DESK_FORM_MAX fields, a bad %XX escape, a NUL byte or text that
 * is not UTF-8. */
zs_err_t desk_form_parse(desk_form_t *form, const char *body, size_t len);
void desk_form_free(desk_form_t *form);
/* The value of the first field called name, or NULL. */
const char *desk_form_get(const desk_form_t *form, const char *name);

/* The cookie called name in a Cookie header into out (size bytes); false
 * when absent or too long. */
bool desk_cookie_get(const char *header, const char *name, char *out, size_t size);

#endif
