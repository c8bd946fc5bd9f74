/* What a daemon must hold before it can drive its terminals, read bare from
 * cardd's SQLite file with the sqlite3 library: every device row, the list
 * every terminal enforces (blacklist_all), each terminal's exceptions, and
 * the card writes still open. No migrations, no checks, nothing kept.
 *
 * Usage: bare_read SQLITE_FILE
 * Prints one JSON object: rows, elapsed_s (inside the process). */
#include <sqlite3.h>
#include <stdio.h>
#include <time.h>

static const char* const queries[] = {
    "SELECT * FROM devices",
    "SELECT card_no FROM blacklist_all",
    "SELECT terminal_id, card_no, listed FROM terminal_exceptions",
    "SELECT * FROM card_writes WHERE state = 'open'",
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: bare_read SQLITE_FILE\n");
        return 2;
    }
    const double started = now();
    sqlite3* db = NULL;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "bare_read: %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    long long rows = 0;
    long long sum = 0; /* every column read, so that nothing is skipped */
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; ++q) {
        sqlite3_stmt* statement = NULL;
        if (sqlite3_prepare_v2(db, queries[q], -1, &statement, NULL) != SQLITE_OK) {
            fprintf(stderr, "bare_read: %s: %s\n", queries[q], sqlite3_errmsg(db));
            return 1;
        }
        int step;
        while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
            ++rows;
            for (int c = 0; c < sqlite3_column_count(statement); ++c) {
                sum += sqlite3_column_type(statement, c) == SQLITE_TEXT ? sqlite3_column_bytes(statement, c)
                                                                        : sqlite3_column_int64(statement, c);
            }
        }
        if (step != SQLITE_DONE) {
            fprintf(stderr, "bare_read: %s: %s\n", queries[q], sqlite3_errmsg(db));
            return 1;
        }
        sqlite3_finalize(statement);
    }
    sqlite3_close(db);
    printf("{\"rows\": %lld, \"checksum\": %lld, \"elapsed_s\": %.6f}\n", rows, sum, now() - started);
    return 0;
}
