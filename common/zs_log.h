/* zs_log.h: the log of every zengshou program: one line per call, text or
 * JSON, to stderr, with resident ID numbers masked. */
#ifndef ZS_LOG_H
#define ZS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "zs_err.h"

typedef enum zs_log_level {
    ZS_LOG_DEBUG,
    ZS_LOG_INFO,
    ZS_LOG_WARN,
    ZS_LOG_ERROR,
} zs_log_level_t;

typedef enum zs_log_format {
    ZS_LOG_TEXT, /* 2026-11-29T06:40:00.123Z zs-monitor INFO message */
    ZS_LOG_JSON, /* {"ts":"...","prog":"zs-monitor","level":"info","msg":"message"} */
} zs_log_format_t;

/* Longest message kept; longer ones are cut (at a word boundary, so no ID
 * number is left half-visible) and marked " [truncated]". */
#define ZS_LOG_MSG_MAX 4096

/* Sets the program name (copied, cut to 63 bytes; NULL means "zs"), the lowest
 * level written and the line format. Call before starting threads; until
 * then the log is "zs", info, text. */
void zs_log_init(const char *prog, zs_log_level_t level, zs_log_format_t format);

/* Sends lines to out instead of stderr (NULL: back to stderr). out stays
 * owned by the caller and must stay open while logging; call before starting
 * threads. Meant for tests. */
void zs_log_set_output(FILE *out);

/* True if a message of this level would be written (to skip costly
 * arguments). */
bool zs_log_enabled(zs_log_level_t level);

/* Formats and writes one line: ID numbers masked, control characters
 * escaped, so a message cannot forge extra lines. Safe from any thread,
 * librdkafka callbacks included: a line is formatted on the stack and written
 * with one fwrite. Write errors are ignored: logging never fails the caller. */
void zs_log(zs_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void zs_logv(zs_log_level_t level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define zs_log_debug(...) zs_log(ZS_LOG_DEBUG, __VA_ARGS__)
#define zs_log_info(...)  zs_log(ZS_LOG_INFO, __VA_ARGS__)
#define zs_log_warn(...)  zs_log(ZS_LOG_WARN, __VA_ARGS__)
#define zs_log_error(...) zs_log(ZS_LOG_ERROR, __VA_ARGS__)

/* Reads a level name as in zs.log.level (debug, info, warn, error);
 * ZS_ERR_INVALID for anything else (*level untouched). */
zs_err_t zs_log_level_parse(const char *name, zs_log_level_t *level);
/* Reads a format name as in zs.log.format (text, json). */
zs_err_t zs_log_format_parse(const char *name, zs_log_format_t *format);
/* Our level for a syslog level (0 emerg .. 7 debug), as librdkafka's log_cb
 * gives it. */
zs_log_level_t zs_log_level_from_syslog(int syslog_level);

/* Masks resident ID numbers in s[0..len) in place: every run of exactly 17
 * digits and a final digit or X/x that is not part of a longer run of ASCII
 * letters and digits keeps only its last 4 characters
 * ("11010519491231002X" -> "**************002X"). Returns how many were
 * masked. Applied to every log line. */
size_t zs_log_mask_idnumbers(char *s, size_t len);

#endif
