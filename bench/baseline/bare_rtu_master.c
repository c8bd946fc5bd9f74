/* An RS-485 master a site could write with libmodbus, doing only the
 * minimal exchange on the bus: first each unit's state is read (untimed, to
 * learn its version), then, timed, per unit one of
 *   add CARD:  one 0x17 writing the ADD of CARD and reading back 0x0006 ..
 *              0x001A (version, count, status, tag, checksum);
 *   sync list|bitmap FIRST COUNT: the full sync of ct1_bare.h of the cards
 *              FIRST .. FIRST+COUNT-1.
 * Afterwards (untimed) each unit's state is read again to check it.
 *
 * Usage: bare_rtu_master DEVICE BAUD PARITY UNITS add CARD
 *        bare_rtu_master DEVICE BAUD PARITY UNITS sync list|bitmap FIRST COUNT
 * Prints one JSON object: elapsed_s, units, commands. */
#include "ct1_bare.h"

#define CONFIRM_ADDRESS 0x0006
#define CONFIRM_REGISTERS (0x001A - 0x0006 + 1)

static int fail(const char* what, int unit) {
    fprintf(stderr, "bare_rtu_master: unit %d: %s: %s\n", unit, what, modbus_strerror(errno));
    return 1;
}

static int read_state(modbus_t* ctx, int unit, uint16_t* state) {
    modbus_set_slave(ctx, unit);
    return modbus_read_registers(ctx, CT1_STATE_ADDRESS, CT1_STATE_REGISTERS, state) == CT1_STATE_REGISTERS ? 0 : -1;
}

/* The ADD of one card, confirmed by the registers read back in the same frame. */
static int add_one(modbus_t* ctx, uint32_t card, uint32_t version) {
    uint16_t regs[CT1_HEADER_REGISTERS + 2];
    uint16_t confirm[CONFIRM_REGISTERS];
    const uint16_t tag = (uint16_t)(version ^ 0xA5A5);
    regs[0] = CT1_OP_ADD;
    regs[1] = tag;
    regs[2] = (uint16_t)(version >> 16);
    regs[3] = (uint16_t)version;
    regs[4] = (uint16_t)((version + 1) >> 16);
    regs[5] = (uint16_t)(version + 1);
    regs[6] = 1;
    const int payload = ct1_pack_entries(&card, 1, regs + CT1_HEADER_REGISTERS);
    if (modbus_write_and_read_registers(ctx, CT1_MAILBOX, CT1_HEADER_REGISTERS + payload, regs, CONFIRM_ADDRESS,
                                        CONFIRM_REGISTERS, confirm) != CONFIRM_REGISTERS) {
        return -1;
    }
    const int status = confirm[CT1_REG_STATUS - CONFIRM_ADDRESS];
    if (confirm[CT1_REG_TAG - CONFIRM_ADDRESS] != tag || !ct1_succeeded(status) ||
        ct1_u32(confirm + (CT1_REG_VERSION - CONFIRM_ADDRESS)) != version + 1) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

int main(int argc, char** argv) {
    const int add = argc == 7 && strcmp(argv[5], "add") == 0;
    const int sync =
        argc == 9 && strcmp(argv[5], "sync") == 0 && (strcmp(argv[6], "list") == 0 || strcmp(argv[6], "bitmap") == 0);
    if ((!add && !sync) || strlen(argv[3]) != 1) {
        fprintf(stderr,
                "usage: bare_rtu_master DEVICE BAUD PARITY UNITS add CARD\n"
                "       bare_rtu_master DEVICE BAUD PARITY UNITS sync list|bitmap FIRST COUNT\n");
        return 2;
    }
    const int baud = atoi(argv[2]);
    const int units = atoi(argv[4]);
    if (baud <= 0 || units < 1 || units > 247) {
        fprintf(stderr, "bare_rtu_master: BAUD must be positive and UNITS 1..247\n");
        return 2;
    }
    const uint32_t card = add ? (uint32_t)strtoul(argv[6], NULL, 10) : 0;
    struct ct1_sync_data data = {0, 0, NULL, 0};
    uint32_t count = 0;
    if (sync) {
        const uint32_t first = (uint32_t)strtoul(argv[7], NULL, 10);
        count = (uint32_t)strtoul(argv[8], NULL, 10);
        if (first == 0 || count == 0 || first + count - 1 > 0xFFFFFF ||
            ct1_sync_data_make(&data, strcmp(argv[6], "bitmap") == 0, first, count) != 0) {
            fprintf(stderr, "bare_rtu_master: cards out of range\n");
            return 2;
        }
    }

    modbus_t* ctx = modbus_new_rtu(argv[1], baud, argv[3][0], 8, 1);
    if (ctx == NULL || modbus_connect(ctx) != 0) return fail("open", 0);
    /* A 246-byte frame takes 0.28 s at 9600 baud, and the terminal answers after it. */
    modbus_set_response_timeout(ctx, 5, 0);
    uint32_t* versions = calloc((size_t)units + 1, sizeof *versions);
    uint16_t state[CT1_STATE_REGISTERS];
    for (int unit = 1; unit <= units; ++unit) {
        if (read_state(ctx, unit, state) != 0) return fail("state read", unit);
        versions[unit] = ct1_u32(state + CT1_REG_VERSION);
    }

    long commands = 0;
    const double started = ct1_now();
    for (int unit = 1; unit <= units; ++unit) {
        modbus_set_slave(ctx, unit);
        if (add) {
            if (add_one(ctx, card, versions[unit]) != 0) return fail("ADD", unit);
            ++commands;
        } else {
            const long sent = ct1_full_sync(ctx, &data, versions[unit] + 1);
            if (sent < 0) return fail("full sync", unit);
            commands += sent;
        }
    }
    const double elapsed = ct1_now() - started;

    for (int unit = 1; unit <= units; ++unit) {
        if (read_state(ctx, unit, state) != 0) return fail("state read", unit);
        if (ct1_u32(state + CT1_REG_VERSION) != versions[unit] + 1 ||
            (sync && ct1_u32(state + CT1_REG_COUNT) != count)) {
            errno = EPROTO;
            return fail("the unit does not enforce what was sent", unit);
        }
    }
    modbus_close(ctx);
    modbus_free(ctx);
    free(versions);
    free(data.bytes);
    printf("{\"elapsed_s\": %.6f, \"units\": %d, \"commands\": %ld}\n", elapsed, units, commands);
    return 0;
}
