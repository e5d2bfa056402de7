/* zs_topics.h: the topics of zengshou, one table that the broker, topic
 * provisioning and every program read. */
#ifndef ZS_TOPICS_H
#define ZS_TOPICS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct zs_topic_def {
    const char *suffix;  /* name after the configured prefix, e.g. "income" */
    bool input;          /* an input of the monitor: co-partitioned, keyed by household */
    bool compacted;      /* cleanup.policy=compact (latest value per key) */
    const char *message; /* the schema name of its records */
    int retention_days;  /* delete-policy topics: days kept; -1 forever; 0 compacted */
    const char *doc;     /* one line: what flows there */
} zs_topic_def_t;

/* The topics, ended by a row with suffix NULL. */
const zs_topic_def_t *zs_topics(void);

/* A topic-level Kafka setting. */
typedef struct zs_topic_setting {
    const char *name; /* e.g. "cleanup.policy" */
    char value[32];
} zs_topic_setting_t;

#define ZS_TOPIC_SETTINGS_MAX 3

/* The settings a topic should have with this replication factor
 * (cleanup.policy, retention.ms for deleted ones, min.insync.replicas when
 * replicated); returns how many were written to out. */
size_t zs_topic_settings(const zs_topic_def_t *topic, int replication,
                         zs_topic_setting_t out[ZS_TOPIC_SETTINGS_MAX]);

/* Writes prefix + suffix into out; returns false if it does not fit. */
bool zs_topic_name(const char *prefix, const char *suffix, char *out, size_t size);

#endif
