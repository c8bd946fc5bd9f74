/* The push a site could write itself with libmodbus: 8 threads take
 * terminals from a shared queue; for each, read the state block, ADD one card
 * with 0x17 (write the command, read back status and tag), and read the state
 * again to see the new version. No store, no retries, no log.
 *
 * Usage: bare_pool CARD HOST:FIRST-LAST [THREADS]
 * Prints one JSON object: elapsed_s, ok, failed, per_terminal_s. */
#include <pthread.h>
#include <stdatomic.h>

#include "ct1_bare.h"

#define DEFAULT_THREADS 8

static char host[256];
static int first_port;
static int terminal_count;
static uint32_t card;
static atomic_int next_terminal;
static atomic_int failures;
static double* seconds; /* per terminal, from the push's start to its confirmation */
static double started;

static int push_one(int port) {
    modbus_t* ctx = ct1_connect(host, port);
    if (ctx == NULL) return -1;
    int ok = -1;
    uint16_t state[CT1_STATE_REGISTERS];
    uint16_t payload[2];
    if (modbus_read_registers(ctx, CT1_STATE_ADDRESS, CT1_STATE_REGISTERS, state) == CT1_STATE_REGISTERS) {
        const uint32_t version = ct1_u32(state + CT1_REG_VERSION);
        const int registers = ct1_pack_entries(&card, 1, payload);
        const int status =
            ct1_command(ctx, CT1_OP_ADD, (uint16_t)(port ^ 0x5A5A), version, version + 1, 1, payload, registers);
        if ((status == CT1_STATUS_OK || status == CT1_STATUS_OK_ALREADY) &&
            modbus_read_registers(ctx, CT1_STATE_ADDRESS, CT1_STATE_REGISTERS, state) == CT1_STATE_REGISTERS &&
            ct1_u32(state + CT1_REG_VERSION) == version + 1) {
            ok = 0;
        } else {
            fprintf(stderr, "terminal %s:%d: ADD status %d\n", host, port, status);
        }
    } else {
        fprintf(stderr, "terminal %s:%d: state read: %s\n", host, port, modbus_strerror(errno));
    }
    modbus_close(ctx);
    modbus_free(ctx);
    return ok;
}

static void* worker(void* unused) {
    (void)unused;
    for (;;) {
        const int index = atomic_fetch_add(&next_terminal, 1);
        if (index >= terminal_count) return NULL;
        if (push_one(first_port + index) != 0) atomic_fetch_add(&failures, 1);
        seconds[index] = ct1_now() - started;
    }
}

int main(int argc, char** argv) {
    int last_port = 0;
    if (argc < 3 || ct1_parse_ports(argv[2], host, sizeof host, &first_port, &last_port) != 0) {
        fprintf(stderr, "usage: bare_pool CARD HOST:FIRST-LAST [THREADS]\n");
        return 2;
    }
    card = (uint32_t)strtoul(argv[1], NULL, 10);
    const int threads = argc > 3 ? atoi(argv[3]) : DEFAULT_THREADS;
    terminal_count = last_port - first_port + 1;
    if (card == 0 || card > 0xFFFFFF || threads < 1 || terminal_count < 1) {
        fprintf(stderr, "bare_pool: bad arguments\n");
        return 2;
    }
    seconds = calloc((size_t)terminal_count, sizeof *seconds);
    pthread_t* pool = calloc((size_t)threads, sizeof *pool);
    started = ct1_now();
    for (int t = 0; t < threads; ++t) pthread_create(&pool[t], NULL, worker, NULL);
    for (int t = 0; t < threads; ++t) pthread_join(pool[t], NULL);
    const double elapsed = ct1_now() - started;
    const int failed = atomic_load(&failures);
    printf("{\"elapsed_s\": %.6f, \"ok\": %d, \"failed\": %d, \"per_terminal_s\": [", elapsed, terminal_count - failed,
           failed);
    for (int i = 0; i < terminal_count; ++i) printf("%s%.6f", i ? ", " : "", seconds[i]);
    printf("]}\n");
    free(pool);
    free(seconds);
    return failed == 0 ? 0 : 1;
}
