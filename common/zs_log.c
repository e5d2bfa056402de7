/* zs_log.c: one formatted, ID-masked log line per call, text or JSON. */
#include "zs_log.h"

#include <string.h>
#include <time.h>

/* Room for a whole line: the message may grow when escaped (up to 6 bytes a
 * byte in JSON); what does not fit is cut and marked. */
#define LINE_MAX_BYTES (2 * ZS_LOG_MSG_MAX + 256)
/* Kept free while escaping the message, for the marker and the line's end. */
#define TAIL_RESERVE 32

static const char truncated_marker[] = " [truncated]";

/* Set by zs_log_init/zs_log_set_output before threads start, then only read. */
static char g_prog[64] = "zs";
static zs_log_level_t g_level = ZS_LOG_INFO;
static zs_log_format_t g_format = ZS_LOG_TEXT;
static FILE *g_out; /* NULL: stderr */

void zs_log_init(const char *prog, zs_log_level_t level, zs_log_format_t format)
{
    snprintf(g_prog, sizeof(g_prog), "%s", prog != NULL ? prog : "zs");
    g_level = level;
    g_format = format;
}

void zs_log_set_output(FILE *out)
{
    g_out = out;
}

bool zs_log_enabled(zs_log_level_t level)
{
    return level >= g_level;
}

zs_err_t zs_log_level_parse(const char *name, zs_log_level_t *level)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i]) == 0) {
            *level = (zs_log_level_t)i;
            return ZS_OK;
        }
    }
    return ZS_ERR_INVALID;
}

zs_err_t zs_log_format_parse(const char *name, zs_log_format_t *format)
{
    if (strcmp(name, "text") == 0)
        *format = ZS_LOG_TEXT;
    else if (strcmp(name, "json") == 0)
        *format = ZS_LOG_JSON;
    else
        return ZS_ERR_INVALID;
    return ZS_OK;
}

zs_log_level_t zs_log_level_from_syslog(int syslog_level)
{
    if (syslog_level <= 3) /* emerg, alert, crit, err */
        return ZS_LOG_ERROR;
    if (syslog_level == 4) /* warning */
        return ZS_LOG_WARN;
    if (syslog_level <= 6) /* notice, info */
        return ZS_LOG_INFO;
    return ZS_LOG_DEBUG;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Masks every ID character (digit, X, x) of s[start..end) but the last
 * MASK_KEEP; spaces stay. */
#define MASK_KEEP 4
static void mask_run(char *s, size_t start, size_t end)
{
    size_t keep = 0, i = end;
    while (i > start && keep < MASK_KEEP) {
        i--;
        if (s[i] != ' ')
            keep++;
    }
    for (size_t k = start; k < i; k++)
        if (s[k] != ' ')
            s[k] = '*';
}

/* Plan: an id_number is never written in clear to logs (mask all but the
 * last 4); docs/CONTRACT.md. Messages should not carry one at all; this is
 * the second line, and the first for free text people type. A resident ID
 * number is 17 digits and a digit or X; people also type them with a digit
 * too many or too few, next to other words ("身份证110105...号", "ID11010..."),
 * or in groups ("110105 19491231 002X"). So an ID-shaped run is a run of
 * digits, single spaces allowed between them, that may end in X or x. It
 * is masked when it is 18 characters long, whatever comes before or after;
 * when 17 or 19 and not glued to an ASCII letter or digit (a mistyped ID
 * number as a word of its own: "H" and 19 digits is someone's household id);
 * and when it has spaces and 17 characters or more. 16 and fewer, 20 and
 * more are other numbers: amounts, times, long ids. */
size_t zs_log_mask_idnumbers(char *s, size_t len)
{
    size_t count = 0, i = 0;
    while (i < len) {
        if (!is_digit(s[i])) {
            i++;
            continue;
        }
        size_t start = i, chars = 0, end = i;
        bool spaced = false;
        while (i < len) {
            if (is_digit(s[i])) {
                chars++;
                end = ++i;
            } else if (s[i] == ' ' && i + 1 < len && is_digit(s[i + 1])) {
                spaced = true;
                i++;
            } else {
                break;
            }
        }
        if (i < len && (s[i] == 'X' || s[i] == 'x') && chars >= 16) {
            chars++;
            end = ++i;
        }
        i = end;
        bool glued = (start > 0 && is_alnum(s[start - 1])) || (end < len && is_alnum(s[end]));
        if (spaced ? chars >= 17 : chars == 18 || (!glued && (chars == 17 || chars == 19))) {
            mask_run(s, start, end);
            count++;
        }
    }
    return count;
}

/* A line being built in a fixed buffer. */
typedef struct zs_line {
    char buf[LINE_MAX_BYTES];
    size_t len;
} zs_line_t;

/* Appends n bytes if they fit below limit; false (nothing added) if not. */
static bool put(zs_line_t *line, const char *s, size_t n, size_t limit)
{
    if (n > limit - line->len)
        return false;
    memcpy(line->buf + line->len, s, n);
    line->len += n;
    return true;
}

static void puts_line(zs_line_t *line, const char *s)
{
    put(line, s, strlen(s), sizeof(line->buf));
}

/* Length of the valid UTF-8 sequence at s[0..n), 0 if it is not valid
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (n < need + 1 || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i <= need; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    }
    return need + 1;
}

/* Appends s[0..n) escaped: for JSON as a string body, for text with control
 * characters as \n, \r, \xHH. Stops before the limit, between characters;
 * returns false if it had to. */
static bool put_escaped(zs_line_t *line, const char *s, size_t n, bool json, size_t limit)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        const char *out = esc;
        size_t outlen, step = 1;
        if (c == '\n' || c == '\r' || (json && (c == '\t' || c == '"' || c == '\\'))) {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : (char)c;
            outlen = 2;
        } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
            outlen = (size_t)snprintf(esc, sizeof(esc), json ? "\\u%04x" : "\\x%02x", c);
        } else if (c >= 0x80) {
            /* Whole characters only, so a cut never splits one; bytes that
             * are not UTF-8 become U+FFFD (JSON) or \xHH (text). */
            size_t u = utf8_len((const unsigned char *)s + i, n - i);
            if (u > 0) {
                out = s + i;
                outlen = step = u;
            } else if (json) {
                out = "\\ufffd";
                outlen = 6;
            } else {
                outlen = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", c);
            }
        } else {
            out = s + i;
            outlen = 1;
        }
        if (!put(line, out, outlen, limit))
            return false;
        i += step;
    }
    return true;
}

/* UTC with milliseconds: 2026-11-29T06:40:00.123Z. */
static void put_timestamp(zs_line_t *line)
{
    struct timespec ts;
    struct tm tm;
    char buf[64];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof(buf) - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
    puts_line(line, buf);
}

void zs_logv(zs_log_level_t level, const char *fmt, va_list ap)
{
    static const char *const upper[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    static const char *const lower[] = {"debug", "info", "warn", "error"};
    char msg[ZS_LOG_MSG_MAX];
    zs_line_t line;
    bool json = g_format == ZS_LOG_JSON;
    FILE *out = g_out != NULL ? g_out : stderr;

    if (!zs_log_enabled(level))
        return;
    if ((unsigned)level > ZS_LOG_ERROR)
        level = ZS_LOG_ERROR;

    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    bool truncated = n >= (int)sizeof(msg);
    size_t len = n < 0 ? 0 : truncated ? sizeof(msg) - 1 : (size_t)n;
    if (truncated) {
        /* Drop the word cut in half: it may be the start of an ID number. */
        while (len > 0 && is_alnum(msg[len - 1]))
            len--;
        /* And digit groups before it: they may be the rest of one. */
        while (len > 1 && msg[len - 1] == ' ' && is_digit(msg[len - 2]))
            for (len--; len > 0 && is_digit(msg[len - 1]); len--)
                ;
    }
    zs_log_mask_idnumbers(msg, len);

    line.len = 0;
    if (json) {
        puts_line(&line, "{\"ts\":\"");
        put_timestamp(&line);
        puts_line(&line, "\",\"prog\":\"");
        put_escaped(&line, g_prog, strlen(g_prog), true, sizeof(line.buf));
        puts_line(&line, "\",\"level\":\"");
        puts_line(&line, lower[level]);
        puts_line(&line, "\",\"msg\":\"");
    } else {
        put_timestamp(&line);
        puts_line(&line, " ");
        put_escaped(&line, g_prog, strlen(g_prog), false, sizeof(line.buf));
        puts_line(&line, " ");
        puts_line(&line, upper[level]);
        puts_line(&line, " ");
    }
    if (n < 0)
        puts_line(&line, "(message could not be formatted)");
    else if (!put_escaped(&line, msg, len, json, sizeof(line.buf) - TAIL_RESERVE))
        truncated = true;
    if (truncated)
        puts_line(&line, truncated_marker);
    puts_line(&line, json ? "\"}\n" : "\n");

    /* One fwrite: stdio locks the stream, so lines from threads never mix. */
    fwrite(line.buf, 1, line.len, out);
    fflush(out);
}

void zs_log(zs_log_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    zs_logv(level, fmt, ap);
    va_end(ap);
}
