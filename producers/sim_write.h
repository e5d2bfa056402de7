/* sim_write.h: zs-simulate's registry exports: one CSV file per export with
 * exactly the columns of common/zs_input.c, written household by household
 * through buffers, so zs-push reads them as it reads a registry's. */
#ifndef SIM_WRITE_H
#define SIM_WRITE_H

#include <stdint.h>

#include "sim_household.h"
#include "zs_err.h"

typedef struct sim_writer sim_writer_t;

/* Creates DIR/households.csv, members.csv, income.csv, employment.csv,
 * subsidy.csv, hardship.csv and followup.csv (header only), each with its
 * header row. *out is the caller's: sim_writer_close, then sim_writer_free. */
zs_err_t sim_writer_open(const char *dir, sim_writer_t **out, char *errstr, size_t errstr_size);

/* Appends every row of hh: its household row, its members, its statements
 * and transactions in array order, then its bad rows. */
zs_err_t sim_writer_household(sim_writer_t *w, const sim_household_t *hh, char *errstr,
                              size_t errstr_size);

/* Parts of a household's rows, for sim_writer_rows_of: its household row
 * and members, its statements and transactions, its bad rows. */
#define SIM_WRITE_SNAPSHOT 1u
#define SIM_WRITE_EVENTS   2u
#define SIM_WRITE_BAD      4u
/* Appends the parts of hh's rows that parts names, in that order. */
zs_err_t sim_writer_rows_of(sim_writer_t *w, const sim_household_t *hh, unsigned parts,
                            char *errstr, size_t errstr_size);

/* Flushes and closes every file; ZS_ERR_IO names the first that failed. */
zs_err_t sim_writer_close(sim_writer_t *w, char *errstr, size_t errstr_size);
/* Frees the writer (closing files still open, ignoring errors). NULL is fine. */
void sim_writer_free(sim_writer_t *w);

/* Rows written to one file (headers not counted), and bytes to all. */
uint64_t sim_writer_rows(const sim_writer_t *w, sim_file_t f);
uint64_t sim_writer_bytes(const sim_writer_t *w);
/* The file name of an export ("income.csv"). */
const char *sim_file_name(sim_file_t f);

#endif
