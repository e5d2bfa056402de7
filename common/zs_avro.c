/* zs_avro.c: one field of an avro-c record by name. */
#include "zs_avro.h"

int zs_avro_field(avro_value_t *rec, const char *name, avro_value_t *out)
{
    avro_value_t f;
    if (avro_value_get_by_name(rec, name, &f, NULL) != 0)
        return -1;
    if (avro_value_get_type(&f) == AVRO_UNION) {
        int disc = 0;
        if (avro_value_get_discriminant(&f, &disc) != 0)
            return -1;
        if (disc == 0)
            return 1;
        return avro_value_get_current_branch(&f, out) != 0 ? -1 : 0;
    }
    *out = f;
    return 0;
}

/* The field to set: an optional one switched to its value branch, or to
 * null (then *done is set) when value_given is false. */
static int target(avro_value_t *rec, const char *name, int value_given, avro_value_t *out,
                  int *done)
{
    avro_value_t f, b;
    *done = 0;
    if (avro_value_get_by_name(rec, name, &f, NULL) != 0)
        return -1;
    if (avro_value_get_type(&f) == AVRO_UNION) {
        if (!value_given) {
            *done = 1;
            return avro_value_set_branch(&f, 0, &b) || avro_value_set_null(&b);
        }
        if (avro_value_set_branch(&f, 1, &b) != 0)
            return -1;
        f = b;
    }
    *out = f;
    return 0;
}

int zs_avro_set_str(avro_value_t *rec, const char *name, const char *value)
{
    avro_value_t f;
    int done = 0, rc = target(rec, name, value != NULL, &f, &done);
    return rc != 0 || done ? rc : avro_value_set_string(&f, value != NULL ? value : "");
}

int zs_avro_set_bytes(avro_value_t *rec, const char *name, const void *value, size_t len)
{
    avro_value_t f;
    int done = 0, rc = target(rec, name, value != NULL, &f, &done);
    return rc != 0 || done ? rc : avro_value_set_bytes(&f, (void *)(value ? value : ""), len);
}

int zs_avro_set_num(avro_value_t *rec, const char *name, int64_t n)
{
    avro_value_t f;
    int done = 0, rc = target(rec, name, 1, &f, &done);
    if (rc != 0)
        return rc;
    switch (avro_value_get_type(&f)) {
    case AVRO_INT32:
        return avro_value_set_int(&f, (int32_t)n);
    case AVRO_BOOLEAN:
        return avro_value_set_boolean(&f, (int)n);
    case AVRO_ENUM:
        return avro_value_set_enum(&f, (int)n);
    default:
        return avro_value_set_long(&f, n);
    }
}

int zs_avro_set_null(avro_value_t *rec, const char *name)
{
    avro_value_t f;
    int done = 0, rc = target(rec, name, 0, &f, &done);
    return rc != 0 ? rc : done ? 0 : -1; /* a field that cannot be null */
}
