/* A full sync as a site could send it with libmodbus: read the state, then
 * the full sync of ct1_bare.h (FULL_BEGIN, the largest chunks, FULL_COMMIT,
 * each read back in its round trip), then the state again to see the new
 * version. The cards are FIRST .. FIRST+COUNT-1, as the benchmark's store
 * holds them.
 *
 * Usage: bare_resync HOST:PORT list|bitmap FIRST COUNT
 * Prints one JSON object: elapsed_s, commands, total. */
#include "ct1_bare.h"

static int fail(const char* what) {
    fprintf(stderr, "bare_resync: %s\n", what);
    return 1;
}

int main(int argc, char** argv) {
    char host[256];
    int port = 0;
    int last = 0;
    if (argc != 5 || ct1_parse_ports(argv[1], host, sizeof host, &port, &last) != 0 ||
        (strcmp(argv[2], "list") != 0 && strcmp(argv[2], "bitmap") != 0)) {
        fprintf(stderr, "usage: bare_resync HOST:PORT list|bitmap FIRST COUNT\n");
        return 2;
    }
    const int bitmap = strcmp(argv[2], "bitmap") == 0;
    const uint32_t first = (uint32_t)strtoul(argv[3], NULL, 10);
    const uint32_t count = (uint32_t)strtoul(argv[4], NULL, 10);
    if (first == 0 || count == 0 || first + count - 1 > 0xFFFFFF) return fail("cards out of range");

    struct ct1_sync_data data;
    if (ct1_sync_data_make(&data, bitmap, first, count) != 0) return fail("out of memory");
    const double started = ct1_now();
    modbus_t* ctx = ct1_connect(host, port);
    if (ctx == NULL) return fail("no connection");
    uint16_t state[CT1_STATE_REGISTERS];
    if (modbus_read_registers(ctx, CT1_STATE_ADDRESS, CT1_STATE_REGISTERS, state) != CT1_STATE_REGISTERS) {
        return fail("state read");
    }
    const uint32_t target = ct1_u32(state + CT1_REG_VERSION) + 1;
    const long commands = ct1_full_sync(ctx, &data, target);
    if (commands < 0) return fail("the full sync was refused");
    if (modbus_read_registers(ctx, CT1_STATE_ADDRESS, CT1_STATE_REGISTERS, state) != CT1_STATE_REGISTERS ||
        ct1_u32(state + CT1_REG_VERSION) != target || ct1_u32(state + CT1_REG_COUNT) != count) {
        return fail("the terminal does not enforce the set after the commit");
    }
    const double elapsed = ct1_now() - started;
    modbus_close(ctx);
    modbus_free(ctx);
    printf("{\"elapsed_s\": %.6f, \"commands\": %ld, \"total\": %u, \"format\": \"%s\"}\n", elapsed, commands,
           data.total, bitmap ? "bitmap" : "list");
    free(data.bytes);
    return 0;
}
