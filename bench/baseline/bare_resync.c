/* A full sync as a site could send it with libmodbus: read the state, then
 * FULL_BEGIN, every chunk at its largest 0x17 size (76 entries or 228 bitmap
 * bytes) and FULL_COMMIT with the CRC-32 of what was sent, each read back
 * (status and tag) in the same round trip, then the state again to see the
 * new version. The cards are FIRST .. FIRST+COUNT-1, as the benchmark's store
 * holds them.
 *
 * Usage: bare_resync HOST:PORT list|bitmap FIRST COUNT
 * Prints one JSON object: elapsed_s, commands, total. */
#include <zlib.h>

#include "ct1_bare.h"

static int fail(const char* what) {
    fprintf(stderr, "bare_resync: %s\n", what);
    return 1;
}

static int succeeded(int status) { return status == CT1_STATUS_OK || status == CT1_STATUS_OK_ALREADY; }

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

    /* The data as it goes on the wire: 3-byte entries, or the bitmap. */
    const uint32_t highest = first + count - 1;
    const uint32_t total = bitmap ? highest / 8 + 1 : count;
    uint32_t* cards = malloc(sizeof *cards * count);
    for (uint32_t i = 0; i < count; ++i) cards[i] = first + i;
    uint8_t* bytes = NULL;
    uLong crc = crc32(0L, Z_NULL, 0);
    if (bitmap) {
        bytes = calloc(total, 1);
        for (uint32_t i = 0; i < count; ++i) bytes[cards[i] / 8] |= (uint8_t)(0x80u >> (cards[i] % 8));
        crc = crc32(crc, bytes, total);
    } else {
        bytes = malloc((size_t)count * 3);
        for (uint32_t i = 0; i < count; ++i) {
            bytes[3 * i] = (uint8_t)(cards[i] >> 16);
            bytes[3 * i + 1] = (uint8_t)(cards[i] >> 8);
            bytes[3 * i + 2] = (uint8_t)cards[i];
        }
        crc = crc32(crc, bytes, (uInt)count * 3);
    }

    const double started = ct1_now();
    modbus_t* ctx = ct1_connect(host, port);
    if (ctx == NULL) return fail("no connection");
    uint16_t state[CT1_STATE_REGISTERS];
    if (modbus_read_registers(ctx, CT1_STATE_ADDRESS, CT1_STATE_REGISTERS, state) != CT1_STATE_REGISTERS) {
        return fail("state read");
    }
    const uint32_t target = ct1_u32(state + CT1_REG_VERSION) + 1;
    const uint32_t session = 0x5EED0000u | (uint32_t)(ct1_now() * 1000) % 0xFFFF;
    uint16_t tag = 1;
    long commands = 0;
    uint16_t payload[CT1_MAX_RW_WRITE];
    payload[0] = bitmap ? 1 : 0;
    payload[1] = (uint16_t)(total >> 16);
    payload[2] = (uint16_t)total;
    if (!succeeded(ct1_command(ctx, CT1_OP_FULL_BEGIN, tag++, session, target, 3, payload, 3))) {
        return fail("FULL_BEGIN refused");
    }
    ++commands;
    const uint32_t per_chunk = bitmap ? CT1_BITMAP_BYTES_PER_COMMAND : CT1_ENTRIES_PER_COMMAND;
    for (uint32_t position = 0; position < total; position += per_chunk) {
        const uint32_t n = total - position < per_chunk ? total - position : per_chunk;
        const int registers = bitmap ? ct1_pack_bytes(bytes + position, (int)n, payload)
                                     : ct1_pack_entries(cards + position, (int)n, payload);
        const uint16_t opcode = bitmap ? CT1_OP_FULL_BITMAP_CHUNK : CT1_OP_FULL_LIST_CHUNK;
        if (!succeeded(ct1_command(ctx, opcode, tag++, session, position, (uint16_t)n, payload, registers))) {
            return fail("chunk refused");
        }
        ++commands;
    }
    if (!succeeded(ct1_command(ctx, CT1_OP_FULL_COMMIT, tag++, session, (uint32_t)crc, 0, NULL, 0))) {
        return fail("FULL_COMMIT refused");
    }
    ++commands;
    if (modbus_read_registers(ctx, CT1_STATE_ADDRESS, CT1_STATE_REGISTERS, state) != CT1_STATE_REGISTERS ||
        ct1_u32(state + CT1_REG_VERSION) != target || ct1_u32(state + CT1_REG_COUNT) != count) {
        return fail("the terminal does not enforce the set after the commit");
    }
    const double elapsed = ct1_now() - started;
    modbus_close(ctx);
    modbus_free(ctx);
    printf("{\"elapsed_s\": %.6f, \"commands\": %ld, \"total\": %u, \"format\": \"%s\"}\n", elapsed, commands, total,
           bitmap ? "bitmap" : "list");
    free(cards);
    free(bytes);
    return 0;
}
