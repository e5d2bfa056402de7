/* zs_config.h: configuration of every zengshou program: our own declared,
 * typed `zs.` keys and librdkafka properties passed through, read from
 * key=value files and `-X key=value` arguments. */
#ifndef ZS_CONFIG_H
#define ZS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <librdkafka/rdkafka.h>

#include "zs_err.h"

/* The type of a `zs.` key, which decides how its text is checked. */
typedef enum zs_config_type {
    ZS_CONFIG_STRING, /* any text */
    ZS_CONFIG_INT,    /* decimal integer, optional sign (64-bit) */
    ZS_CONFIG_BOOL,   /* true/false, yes/no, on/off, 1/0 (any case) */
    ZS_CONFIG_ENUM,   /* one of `values` (any case; stored as declared) */
    ZS_CONFIG_MS,     /* duration: a number with ms, s, m, h or d; a bare number is ms */
    ZS_CONFIG_SIZE,   /* bytes: a number with B, K, M or G (also KB/KiB...), multiples of 1024 */
} zs_config_type_t;

/* One declared `zs.` key. Programs keep a static array of these ending with
 * ZS_CONFIG_DEFS_END; the array must outlive every zs_config_t built on it.
 * Defaults and bounds are written as a user would write them ("30s", "64M"),
 * so the same text documents them. */
typedef struct zs_config_def {
    const char *name;      /* "zs.<module>.<what>"; NULL ends a table */
    zs_config_type_t type; /* how values are checked and read */
    const char *dflt;      /* default value as text; NULL: unset (strings only) */
    const char *min;       /* int/ms/size: lowest value allowed, as text; NULL: no bound */
    const char *max;       /* int/ms/size: highest value allowed, as text; NULL: no bound */
    const char *values;    /* enum: allowed values separated by '|', "debug|info" */
    const char *env;       /* environment variable that, if set and non-empty, replaces dflt */
    bool secret;           /* never print the value (dump, errors) */
    const char *doc;       /* one line: what the key means */
} zs_config_def_t;

#define ZS_CONFIG_DEFS_END                                                                         \
    {                                                                                              \
        .name = NULL                                                                               \
    }

/* The properties every program shares (zs.topic.prefix, zs.schema.dir,
 * zs.data.dir, zs.region, zs.log.level, zs.log.format); static, never NULL. */
const zs_config_def_t *zs_config_common_defs(void);

/* A program's configuration: values set so far for declared keys and
 * librdkafka properties. Opaque; not safe to change from several threads, but
 * the getters may be called concurrently once setting is finished. */
typedef struct zs_config zs_config_t;

/* Builds an empty configuration over the common definitions plus `defs` (may
 * be NULL). Defaults are read now (including their environment variables).
 * Fails with ZS_ERR_INVALID if a definition is malformed (a name without
 * `zs.`, a duplicate, a default outside its own rule: a programming error) or
 * an environment variable named by a definition holds a bad value.
 * On success *cfgp is owned by the caller: free with zs_config_destroy. */
zs_err_t zs_config_new(zs_config_t **cfgp, const zs_config_def_t *defs, char *errstr,
                       size_t errstr_size);

/* Frees the configuration and everything it holds. NULL is fine. */
void zs_config_destroy(zs_config_t *cfg);

/* Reads a key=value file: `#` starts a comment line, blank lines are skipped,
 * whitespace around key and value is trimmed, a later line overrides an
 * earlier one. Each setting remembers "path:line" for error messages. Stops at
 * the first bad line: ZS_ERR_IO (cannot read), ZS_ERR_PARSE (not key=value),
 * ZS_ERR_INVALID (unknown `zs.` key, value breaking its rule). Settings read
 * before the bad line stay set. */
zs_err_t zs_config_load_file(zs_config_t *cfg, const char *path, char *errstr, size_t errstr_size);

/* Applies one `-X key=value` argument (the text after -X). Command-line
 * settings override file settings whatever the order of the calls, and later
 * ones override earlier ones. Errors as for zs_config_load_file. */
zs_err_t zs_config_set_arg(zs_config_t *cfg, const char *arg, char *errstr, size_t errstr_size);

/* Sets one key from a file (cmdline false) or the command line (cmdline
 * true); `origin` ("app.conf:12", "-X") is copied and used in messages. A
 * `zs.` key is checked against its definition now; any other key is kept for
 * zs_config_kafka_conf. key, value and origin are copied. */
zs_err_t zs_config_set(zs_config_t *cfg, const char *key, const char *value, const char *origin,
                       bool cmdline, char *errstr, size_t errstr_size);

/* The options every program takes, for getopt: -b HOST:PORT (the same as
 * -X bootstrap.servers=HOST:PORT), -X KEY=VALUE, -F FILE. */
#define ZS_CONFIG_OPTIONS "b:X:F:"

/* Applies one of those options (opt is getopt's letter, arg its argument).
 * ZS_ERR_NOT_FOUND if opt is none of them; otherwise as zs_config_set_arg or
 * zs_config_load_file. */
zs_err_t zs_config_option(zs_config_t *cfg, int opt, const char *arg, char *errstr,
                          size_t errstr_size);

/* For a program's getopt loop: 1 when opt was one of the common options and
 * applied, -1 when it was one and failed (already logged), 0 when it is the
 * program's own. */
int zs_config_take_option(zs_config_t *cfg, int opt, const char *arg);

/* Sets up logging for program prog from zs.log.level and zs.log.format (call
 * once the options are read). */
zs_err_t zs_config_apply_logging(const zs_config_t *cfg, const char *prog, char *errstr,
                                 size_t errstr_size);

/* Passes every librdkafka property set so far to conf (rd_kafka_conf_set, in
 * the order first set). A property librdkafka rejects is ZS_ERR_INVALID
 * naming the key, its origin and librdkafka's message (secret values
 * masked). conf stays owned by the caller. */
zs_err_t zs_config_kafka_conf(const zs_config_t *cfg, rd_kafka_conf_t *conf, char *errstr,
                              size_t errstr_size);

/* Typed getters for declared keys: the value set, else the default. An
 * undeclared key is ZS_ERR_NOT_FOUND, a getter of the wrong type
 * ZS_ERR_INVALID (both programming errors; nothing is written to *out).
 * zs_config_get_str works for every type and gives the text as set (enum
 * values as declared); the string is owned by cfg and valid until the key is
 * set again or cfg is destroyed; *out is NULL for an unset string key without
 * default. */
zs_err_t zs_config_get_str(const zs_config_t *cfg, const char *key, const char **out, char *errstr,
                           size_t errstr_size);
zs_err_t zs_config_get_int(const zs_config_t *cfg, const char *key, int64_t *out, char *errstr,
                           size_t errstr_size);
zs_err_t zs_config_get_bool(const zs_config_t *cfg, const char *key, bool *out, char *errstr,
                            size_t errstr_size);
/* Index of the value in the definition's `values` list (0 for the first). */
zs_err_t zs_config_get_enum(const zs_config_t *cfg, const char *key, int *out, char *errstr,
                            size_t errstr_size);
/* A duration in milliseconds. */
zs_err_t zs_config_get_ms(const zs_config_t *cfg, const char *key, int64_t *out, char *errstr,
                          size_t errstr_size);
/* A size in bytes. */
zs_err_t zs_config_get_size(const zs_config_t *cfg, const char *key, size_t *out, char *errstr,
                            size_t errstr_size);

/* Where the effective value of a key comes from: "default", "$ENV_VAR",
 * "app.conf:12" or "-X"; NULL for a key neither declared nor set. Owned by
 * cfg, valid until the key is set again or cfg is destroyed. */
const char *zs_config_origin(const zs_config_t *cfg, const char *key);

/* True if a key's value must never be printed: its name contains password,
 * secret, sasl.oauthbearer.config, ssl.key.pem or ssl_key (any case). Keys
 * declared secret are masked as well. */
bool zs_config_is_secret_name(const char *key);

/* Prints the effective configuration to out: every declared key (defaults
 * marked), then the librdkafka properties, each with its origin after `#`;
 * secret values print as ********. For people, not to be read back. */
zs_err_t zs_config_dump(const zs_config_t *cfg, FILE *out);

/* For every program's main, before parsing options: when argv holds
 * --describe-config (text) or --describe-config=markdown, writes the
 * properties the program reads (defs, may be NULL, then the common ones) to
 * out and returns true: the program then exits 0. */
bool zs_config_describe_if_asked(int argc, char **argv, const zs_config_def_t *defs, FILE *out);

/* Output of zs_config_doc. */
typedef enum zs_config_doc_format {
    ZS_CONFIG_DOC_MARKDOWN, /* a `| name | default | meaning |` table for README.md */
    ZS_CONFIG_DOC_TEXT,     /* an indented list for --help */
} zs_config_doc_format_t;

/* Writes the reference of a definitions table (without the common ones; call
 * again with zs_config_common_defs() for those). ZS_ERR_IO if writing fails,
 * ZS_ERR_INVALID for an unknown format. */
zs_err_t zs_config_doc(const zs_config_def_t *defs, FILE *out, zs_config_doc_format_t format);

#endif
