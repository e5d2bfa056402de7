/* zs_schema.c: loading the schema set from a directory. */
#include "zs_schema.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zs_buf.h"
#include "zs_canon.h"

struct zs_schema {
    char *name;      /* full name, e.g. zengshou.Household */
    char *file;      /* e.g. Household.v1.avsc */
    char *canonical; /* Parsing Canonical Form */
    int version;
    size_t index;
    uint64_t fingerprint;
    avro_schema_t avro;
    avro_value_iface_t *iface;
    json_t *json; /* the schema as written, for defaults */
};

struct zs_schemas {
    zs_schema_t *v;
    size_t n;
};

static void schema_clear(zs_schema_t *s)
{
    free(s->name);
    free(s->file);
    free(s->canonical);
    if (s->iface != NULL)
        avro_value_iface_decref(s->iface);
    if (s->avro != NULL)
        avro_schema_decref(s->avro);
    json_decref(s->json);
}

void zs_schemas_free(zs_schemas_t *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->n; i++)
        schema_clear(&set->v[i]);
    free(set->v);
    free(set);
}

/* Splits "<Name>.v<N>.avsc"; fails on any other file name. */
static zs_err_t parse_file_name(const char *file, char *name, size_t name_size, int *version,
                                char *errstr, size_t errstr_size)
{
    const char *v = strstr(file, ".v");
    const char *ext = strrchr(file, '.');
    if (v == NULL || ext == NULL || strcmp(ext, ".avsc") != 0 || v == file ||
        (size_t)(v - file) >= name_size)
        goto bad;
    char *end = NULL;
    long n = strtol(v + 2, &end, 10);
    if (end != ext || n < 1 || n > 9999)
        goto bad;
    memcpy(name, file, (size_t)(v - file));
    name[v - file] = '\0';
    *version = (int)n;
    return ZS_OK;
bad:
    return zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                   "%s: a schema file is named <Name>.v<N>.avsc", file);
}

static zs_err_t read_file(const char *path, zs_buf_t *text, char *errstr, size_t errstr_size)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: %s", path, strerror(errno));
    zs_err_t err = ZS_OK;
    char chunk[8192];
    size_t n;
    while (err == ZS_OK && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        err = zs_buf_add(text, chunk, n);
    if (err == ZS_OK && ferror(fp))
        err = zs_fail(errstr, errstr_size, ZS_ERR_IO, "%s: read error", path);
    else if (err != ZS_OK)
        err = zs_fail(errstr, errstr_size, err, "%s: %s", path, zs_err2str(err));
    fclose(fp);
    return err;
}

/* Fills s from one file; on failure s holds what it got (schema_clear frees). */
static zs_err_t load_one(const char *dir, const char *file, zs_schema_t *s, char *errstr,
                         size_t errstr_size)
{
    char short_name[256];
    zs_err_t err =
        parse_file_name(file, short_name, sizeof(short_name), &s->version, errstr, errstr_size);
    if (err != ZS_OK)
        return err;
    s->file = strdup(file);
    if (s->file == NULL)
        return ZS_ERR_NOMEM;

    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    zs_buf_t text, canon;
    zs_buf_init(&text, (size_t)1 << 24);
    zs_buf_init(&canon, (size_t)1 << 24);
    json_t *json = NULL;
    char detail[256] = "";

    err = read_file(path, &text, errstr, errstr_size);
    if (err != ZS_OK)
        goto done;
    err = zs_canon_form(text.data, text.len, &canon, detail, sizeof(detail));
    if (err != ZS_OK) {
        err = zs_fail(errstr, errstr_size, err, "%s: %s", file, detail);
        goto done;
    }
    s->fingerprint = zs_crc64_avro(canon.data, canon.len);
    s->canonical = strdup(canon.data);
    if (s->canonical == NULL) {
        err = ZS_ERR_NOMEM;
        goto done;
    }
    /* The canonical form starts {"name":"<full name>" for a named type. */
    json = json_loads(canon.data, 0, NULL);
    const char *full = json_string_value(json_object_get(json, "name"));
    if (full == NULL) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: not a named schema", file);
        goto done;
    }
    const char *dot = strrchr(full, '.');
    if (strcmp(dot ? dot + 1 : full, short_name) != 0) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID, "%s: holds %s, not %s", file, full,
                      short_name);
        goto done;
    }
    s->name = strdup(full);
    if (s->name == NULL) {
        err = ZS_ERR_NOMEM;
        goto done;
    }
    s->json = json_loadb(text.data, text.len, 0, NULL);
    if (s->json == NULL) {
        err = ZS_ERR_NOMEM;
        goto done;
    }
    if (avro_schema_from_json_length(text.data, text.len, &s->avro) != 0) {
        s->avro = NULL;
        err = zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "%s: avro-c: %s", file, avro_strerror());
        goto done;
    }
    s->iface = avro_generic_class_from_schema(s->avro);
    if (s->iface == NULL)
        err = zs_fail(errstr, errstr_size, ZS_ERR_AVRO, "%s: avro-c: %s", file, avro_strerror());
done:
    json_decref(json);
    zs_buf_free(&text);
    zs_buf_free(&canon);
    return err;
}

static int by_name_version(const void *a, const void *b)
{
    const zs_schema_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : (x->version > y->version) - (x->version < y->version);
}

zs_err_t zs_schemas_load(const char *dir, zs_schemas_t **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (d == NULL)
        return zs_fail(errstr, errstr_size, ZS_ERR_IO, "schema directory %s: %s", dir,
                       strerror(errno));
    zs_err_t err = ZS_OK;
    zs_schemas_t *set = calloc(1, sizeof(*set));
    size_t cap = 0;
    if (set == NULL) {
        err = ZS_ERR_NOMEM;
        goto close_dir;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 5, ".avsc") != 0)
            continue;
        if (set->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            zs_schema_t *v = realloc(set->v, ncap * sizeof(*v));
            if (v == NULL) {
                err = ZS_ERR_NOMEM;
                goto close_dir;
            }
            set->v = v;
            cap = ncap;
        }
        zs_schema_t *s = &set->v[set->n++];
        memset(s, 0, sizeof(*s));
        err = load_one(dir, de->d_name, s, errstr, errstr_size);
        if (err != ZS_OK)
            goto close_dir;
    }
    if (set->n == 0) {
        err = zs_fail(errstr, errstr_size, ZS_ERR_NOT_FOUND, "no *.avsc schema in %s", dir);
        goto close_dir;
    }
    qsort(set->v, set->n, sizeof(*set->v), by_name_version);
    for (size_t i = 0; i < set->n; i++) {
        set->v[i].index = i;
        for (size_t j = 0; j < i; j++) {
            if (set->v[j].fingerprint == set->v[i].fingerprint)
                err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                              "%s and %s have the same canonical form", set->v[j].file,
                              set->v[i].file);
            else if (set->v[j].version == set->v[i].version &&
                     strcmp(set->v[j].name, set->v[i].name) == 0)
                err = zs_fail(errstr, errstr_size, ZS_ERR_INVALID,
                              "%s and %s are both version %d of %s", set->v[j].file, set->v[i].file,
                              set->v[i].version, set->v[i].name);
            if (err != ZS_OK)
                goto close_dir;
        }
    }
close_dir:
    closedir(d);
    if (err != ZS_OK)
        zs_schemas_free(set);
    else
        *out = set;
    return err;
}

size_t zs_schemas_count(const zs_schemas_t *set)
{
    return set->n;
}

const zs_schema_t *zs_schemas_at(const zs_schemas_t *set, size_t i)
{
    return i < set->n ? &set->v[i] : NULL;
}

const zs_schema_t *zs_schemas_find(const zs_schemas_t *set, uint64_t fingerprint)
{
    /* A set holds tens of schemas: a scan of 64-bit words beats a hash here. */
    for (size_t i = 0; i < set->n; i++)
        if (set->v[i].fingerprint == fingerprint)
            return &set->v[i];
    return NULL;
}

/* Whether a schema is the message called name (full or short name). */
static bool is_named(const zs_schema_t *s, const char *name)
{
    const char *dot = strrchr(s->name, '.');
    return strcmp(s->name, name) == 0 || strcmp(dot ? dot + 1 : s->name, name) == 0;
}

const zs_schema_t *zs_schemas_latest(const zs_schemas_t *set, const char *name)
{
    const zs_schema_t *best = NULL;
    for (size_t i = 0; i < set->n; i++)
        if (is_named(&set->v[i], name) && (best == NULL || set->v[i].version > best->version))
            best = &set->v[i];
    return best;
}

const zs_schema_t *zs_schemas_version(const zs_schemas_t *set, const char *name, int version)
{
    for (size_t i = 0; i < set->n; i++)
        if (is_named(&set->v[i], name) && set->v[i].version == version)
            return &set->v[i];
    return NULL;
}

size_t zs_schema_index(const zs_schema_t *schema)
{
    return schema->index;
}

const char *zs_schema_name(const zs_schema_t *schema)
{
    return schema->name;
}

const char *zs_schema_file(const zs_schema_t *schema)
{
    return schema->file;
}

const char *zs_schema_canonical(const zs_schema_t *schema)
{
    return schema->canonical;
}

int zs_schema_version(const zs_schema_t *schema)
{
    return schema->version;
}

uint64_t zs_schema_fingerprint(const zs_schema_t *schema)
{
    return schema->fingerprint;
}

avro_schema_t zs_schema_avro(const zs_schema_t *schema)
{
    return schema->avro;
}

avro_value_iface_t *zs_schema_class(const zs_schema_t *schema)
{
    return schema->iface;
}

/* Finds the definition of the named type full_name in json (namespace ns). */
static json_t *find_named(json_t *json, const char *ns, const char *full_name)
{
    if (json_is_array(json)) {
        size_t i;
        json_t *branch;
        json_array_foreach(json, i, branch)
        {
            json_t *found = find_named(branch, ns, full_name);
            if (found != NULL)
                return found;
        }
        return NULL;
    }
    if (!json_is_object(json))
        return NULL;
    json_t *type = json_object_get(json, "type");
    if (!json_is_string(type))
        return find_named(type, ns, full_name);
    const char *name = json_string_value(json_object_get(json, "name"));
    const char *inner_ns = ns;
    char full[1024] = "";
    char nsbuf[1024] = "";
    if (name != NULL) {
        const char *own_ns = json_string_value(json_object_get(json, "namespace"));
        if (strchr(name, '.') != NULL)
            snprintf(full, sizeof(full), "%s", name);
        else if ((own_ns ? own_ns : ns)[0] != '\0')
            snprintf(full, sizeof(full), "%s.%s", own_ns ? own_ns : ns, name);
        else
            snprintf(full, sizeof(full), "%s", name);
        if (strcmp(full, full_name) == 0)
            return json;
    }
    json_t *found = NULL;
    json_t *fields = json_object_get(json, "fields");
    if (json_is_array(fields)) {
        /* Types inside a record take the namespace of its full name. */
        const char *dot = strrchr(full, '.');
        if (dot != NULL)
            snprintf(nsbuf, sizeof(nsbuf), "%.*s", (int)(dot - full), full);
        inner_ns = nsbuf;
        size_t i;
        json_t *f;
        json_array_foreach(fields, i, f)
        {
            found = find_named(json_object_get(f, "type"), inner_ns, full_name);
            if (found != NULL)
                return found;
        }
    }
    found = find_named(json_object_get(json, "items"), inner_ns, full_name);
    return found != NULL ? found : find_named(json_object_get(json, "values"), inner_ns, full_name);
}

json_t *zs_schema_field_default(const zs_schema_t *schema, const char *record_name,
                                const char *field)
{
    json_t *record = find_named(schema->json, "", record_name);
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(record, "fields"), i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (name != NULL && strcmp(name, field) == 0)
            return json_object_get(f, "default");
    }
    return NULL;
}

const char *zs_schema_enum_default(const zs_schema_t *schema, const char *enum_name)
{
    return json_string_value(json_object_get(find_named(schema->json, "", enum_name), "default"));
}
