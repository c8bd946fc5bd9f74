/* A collection as a site could write it with libmodbus, one terminal after
 * another: read the state, then the records window from the oldest record
 * to the next (0x17: write the cursor, read k and up to 10 records), then
 * RECORDS_ACK of what was read, as cardd acknowledges after storing. No store.
 *
 * Usage: bare_collect HOST:FIRST-LAST
 * Prints one JSON object: elapsed_s, records, windows, terminals. */
#include "ct1_bare.h"

int main(int argc, char** argv) {
    char host[256];
    int first = 0;
    int last = 0;
    if (argc != 2 || ct1_parse_ports(argv[1], host, sizeof host, &first, &last) != 0) {
        fprintf(stderr, "usage: bare_collect HOST:FIRST-LAST\n");
        return 2;
    }
    long records = 0;
    long windows = 0;
    const double started = ct1_now();
    for (int port = first; port <= last; ++port) {
        modbus_t* ctx = ct1_connect(host, port);
        if (ctx == NULL) return 1;
        uint16_t state[CT1_STATE_REGISTERS];
        if (modbus_read_registers(ctx, CT1_STATE_ADDRESS, CT1_STATE_REGISTERS, state) != CT1_STATE_REGISTERS) {
            fprintf(stderr, "bare_collect: state read on port %d\n", port);
            return 1;
        }
        uint32_t cursor = ct1_u32(state + CT1_REG_OLDEST);
        const uint32_t next = ct1_u32(state + CT1_REG_NEXT);
        while (cursor < next) {
            uint16_t write[2] = {(uint16_t)(cursor >> 16), (uint16_t)cursor};
            uint16_t window[CT1_RECORDS_WINDOW];
            if (modbus_write_and_read_registers(ctx, CT1_RECORDS_CURSOR, 2, write, CT1_RECORDS_COUNT,
                                                CT1_RECORDS_WINDOW, window) != CT1_RECORDS_WINDOW) {
                fprintf(stderr, "bare_collect: records window on port %d\n", port);
                return 1;
            }
            ++windows;
            const int k = window[0];
            if (k == 0) break;
            records += k;
            cursor = ct1_u32(window + 1 + (k - 1) * CT1_RECORD_REGISTERS) + 1;
        }
        if (ct1_command(ctx, CT1_OP_RECORDS_ACK, (uint16_t)port, cursor, 0, 0, NULL, 0) < 0) {
            fprintf(stderr, "bare_collect: RECORDS_ACK on port %d\n", port);
            return 1;
        }
        modbus_close(ctx);
        modbus_free(ctx);
    }
    printf("{\"elapsed_s\": %.6f, \"records\": %ld, \"windows\": %ld, \"terminals\": %d}\n", ct1_now() - started,
           records, windows, last - first + 1);
    return 0;
}
