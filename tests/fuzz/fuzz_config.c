/* fuzz_config.c: a libFuzzer target for the configuration every program
 * reads (-X key=value arguments and -F files, zs_config_set_arg and
 * zs_config_load_file) over arbitrary bytes, one argument per line and the
 * whole input as a file. What it promises: a refusal says why; the value of
 * a setting whose name says it is secret (password, secret, ...: every such
 * key the input names is set again to a canary value) never shows in a
 * refusal or in the dump of the configuration. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "zs_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CANARY "Qz7canaryXv9Lm"

/* Sets key=CANARY (key: a line's text before its '=') when key names a
 * secret: the canary must not show in the refusal. */
static void set_canary(zs_config_t *cfg, const char *line)
{
    const char *eq = strchr(line, '=');
    char arg[1100];
    size_t klen = eq != NULL ? (size_t)(eq - line) : strlen(line);
    if (klen == 0 || klen > 1000)
        return;
    memcpy(arg, line, klen);
    arg[klen] = '\0';
    if (!zs_config_is_secret_name(arg))
        return;
    memcpy(arg + klen, "=" CANARY, sizeof("=" CANARY));
    char errstr[1024] = "";
    if (zs_config_set_arg(cfg, arg, errstr, sizeof(errstr)) != ZS_OK)
        CHECK(errstr[0] != '\0' && strstr(errstr, CANARY) == NULL);
}

/* Whether the input itself holds the canary (then nothing is checked). */
static bool holds_canary(const uint8_t *data, size_t size)
{
    size_t n = strlen(CANARY);
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp(data + i, CANARY, n) == 0)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL || holds_canary(data, size)) {
        free(text);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    zs_config_t *cfg = NULL;
    char errstr[1024];
    if (zs_config_new(&cfg, NULL, errstr, sizeof(errstr)) != ZS_OK)
        abort();
    /* Each line as a -X argument; each secret key it names set again to a
     * canary value. */
    for (char *line = text, *next; line != NULL && *line != '\0'; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        errstr[0] = '\0';
        zs_err_t err = zs_config_set_arg(cfg, line, errstr, sizeof(errstr));
        CHECK(err == ZS_OK || errstr[0] != '\0');
        set_canary(cfg, line);
    }
    CHECK(zs_config_set_arg(cfg, "sasl.password=" CANARY, errstr, sizeof(errstr)) == ZS_OK);
    /* The dump shows no secret's value. */
    char *dump = NULL;
    size_t dlen = 0;
    FILE *mem = open_memstream(&dump, &dlen);
    if (mem != NULL) {
        zs_config_dump(cfg, mem);
        fclose(mem);
        CHECK(strstr(dump, CANARY) == NULL);
        free(dump);
    }
    zs_config_destroy(cfg);
    /* The whole input as a -F file. */
    char path[] = "/tmp/fuzz-config-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        if (write(fd, data, size) == (ssize_t)size) {
            CHECK(zs_config_new(&cfg, NULL, errstr, sizeof(errstr)) == ZS_OK);
            errstr[0] = '\0';
            zs_err_t err = zs_config_load_file(cfg, path, errstr, sizeof(errstr));
            CHECK(err == ZS_OK || errstr[0] != '\0');
            zs_config_destroy(cfg);
        }
        close(fd);
        unlink(path);
    }
    free(text);
    return 0;
}
