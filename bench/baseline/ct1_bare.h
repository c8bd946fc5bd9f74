/* What a site's own CT-1 client needs, written from terminal-protocol.md
 * alone: the register addresses, the command layout and a few helpers over
 * libmodbus. The baselines include this instead of the project's protocol
 * code, so they measure what anyone could write in an afternoon. */
#ifndef CT1_BARE_H
#define CT1_BARE_H

#include <errno.h>
#include <modbus.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

/* State block, 0x0000..0x001F. */
#define CT1_STATE_ADDRESS 0x0000
#define CT1_STATE_REGISTERS 32
#define CT1_REG_VERSION 0x0006 /* 2 registers, high word first */
#define CT1_REG_COUNT 0x0008
#define CT1_REG_STATUS 0x000E
#define CT1_REG_TAG 0x000F
#define CT1_REG_OLDEST 0x0010
#define CT1_REG_NEXT 0x0012
#define CT1_REG_CHECKSUM 0x0019

/* Command mailbox, 0x0100: opcode, tag, arg1 (2), arg2 (2), n, payload. */
#define CT1_MAILBOX 0x0100
#define CT1_HEADER_REGISTERS 7
#define CT1_MAX_RW_WRITE 121 /* write half of 0x17 */
#define CT1_ENTRIES_PER_COMMAND 76
#define CT1_BITMAP_BYTES_PER_COMMAND 228

#define CT1_OP_ADD 0x0001
#define CT1_OP_FULL_BEGIN 0x0010
#define CT1_OP_FULL_LIST_CHUNK 0x0011
#define CT1_OP_FULL_BITMAP_CHUNK 0x0012
#define CT1_OP_FULL_COMMIT 0x0013
#define CT1_OP_RECORDS_ACK 0x0020

#define CT1_STATUS_OK 0
#define CT1_STATUS_OK_ALREADY 1

/* Records window, 0x0200: cursor (2, writable), k, then up to 10 records of 12. */
#define CT1_RECORDS_CURSOR 0x0200
#define CT1_RECORDS_COUNT 0x0202
#define CT1_RECORD_REGISTERS 12
#define CT1_RECORDS_PER_READ 10
#define CT1_RECORDS_WINDOW (1 + CT1_RECORD_REGISTERS * CT1_RECORDS_PER_READ)

static inline uint32_t ct1_u32(const uint16_t* regs) { return (uint32_t)regs[0] << 16 | regs[1]; }

static inline double ct1_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One terminal's connection; NULL with a message on stderr when it fails. */
static inline modbus_t* ct1_connect(const char* host, int port) {
    modbus_t* ctx = modbus_new_tcp(host, port);
    if (ctx == NULL) return NULL;
    modbus_set_slave(ctx, 1);
    modbus_set_response_timeout(ctx, 2, 0);
    if (modbus_connect(ctx) != 0) {
        fprintf(stderr, "connect %s:%d: %s\n", host, port, modbus_strerror(errno));
        modbus_free(ctx);
        return NULL;
    }
    return ctx;
}

/* A command with 0x17, reading back status and tag; the status, or -1. */
static inline int ct1_command(modbus_t* ctx, uint16_t opcode, uint16_t tag, uint32_t arg1, uint32_t arg2, uint16_t n,
                              const uint16_t* payload, int payload_registers) {
    uint16_t regs[CT1_MAX_RW_WRITE];
    uint16_t answer[2];
    if (CT1_HEADER_REGISTERS + payload_registers > CT1_MAX_RW_WRITE) return -1;
    regs[0] = opcode;
    regs[1] = tag;
    regs[2] = (uint16_t)(arg1 >> 16);
    regs[3] = (uint16_t)arg1;
    regs[4] = (uint16_t)(arg2 >> 16);
    regs[5] = (uint16_t)arg2;
    regs[6] = n;
    if (payload_registers > 0)
        memcpy(regs + CT1_HEADER_REGISTERS, payload, sizeof(uint16_t) * (size_t)payload_registers);
    if (modbus_write_and_read_registers(ctx, CT1_MAILBOX, CT1_HEADER_REGISTERS + payload_registers, regs,
                                        CT1_REG_STATUS, 2, answer) != 2) {
        return -1;
    }
    if (answer[1] != tag) return -1;
    return answer[0];
}

/* Card numbers as 24-bit big-endian integers back to back; returns the registers used. */
static inline int ct1_pack_entries(const uint32_t* cards, int n, uint16_t* regs) {
    uint8_t bytes[CT1_ENTRIES_PER_COMMAND * 3 + 1];
    for (int i = 0; i < n; ++i) {
        bytes[3 * i] = (uint8_t)(cards[i] >> 16);
        bytes[3 * i + 1] = (uint8_t)(cards[i] >> 8);
        bytes[3 * i + 2] = (uint8_t)cards[i];
    }
    const int length = 3 * n;
    bytes[length] = 0;
    for (int r = 0; r < (length + 1) / 2; ++r) regs[r] = (uint16_t)(bytes[2 * r] << 8 | bytes[2 * r + 1]);
    return (length + 1) / 2;
}

/* Bytes two to a register, high byte first; returns the registers used. */
static inline int ct1_pack_bytes(const uint8_t* bytes, int n, uint16_t* regs) {
    for (int r = 0; r < (n + 1) / 2; ++r) {
        regs[r] = (uint16_t)(bytes[2 * r] << 8 | (2 * r + 1 < n ? bytes[2 * r + 1] : 0));
    }
    return (n + 1) / 2;
}

static inline int ct1_succeeded(int status) { return status == CT1_STATUS_OK || status == CT1_STATUS_OK_ALREADY; }

/* What a full sync of the cards FIRST .. FIRST+COUNT-1 puts on the wire:
 * 3-byte entries or the bitmap, and the CRC-32 FULL_COMMIT carries. */
struct ct1_sync_data {
    int bitmap;
    uint32_t total; /* entries, or bitmap bytes */
    uint8_t* bytes;
    uint32_t crc;
};

static inline int ct1_sync_data_make(struct ct1_sync_data* data, int bitmap, uint32_t first, uint32_t count) {
    const uint32_t highest = first + count - 1;
    data->bitmap = bitmap;
    data->total = bitmap ? highest / 8 + 1 : count;
    data->bytes = calloc(bitmap ? data->total : (size_t)count * 3, 1);
    if (data->bytes == NULL) return -1;
    if (bitmap) {
        for (uint32_t card = first; card <= highest; ++card) data->bytes[card / 8] |= (uint8_t)(0x80u >> (card % 8));
    } else {
        for (uint32_t i = 0; i < count; ++i) {
            data->bytes[3 * i] = (uint8_t)((first + i) >> 16);
            data->bytes[3 * i + 1] = (uint8_t)((first + i) >> 8);
            data->bytes[3 * i + 2] = (uint8_t)(first + i);
        }
    }
    data->crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data->bytes, bitmap ? data->total : (uInt)count * 3);
    return 0;
}

/* The full sync of `data` to version `target`: FULL_BEGIN, every chunk at
 * its largest 0x17 size (76 entries or 228 bitmap bytes) and FULL_COMMIT,
 * each read back (status and tag) in the same round trip. The commands
 * sent, or -1 with a message on stderr. */
static inline long ct1_full_sync(modbus_t* ctx, const struct ct1_sync_data* data, uint32_t target) {
    const uint32_t session = 0x5EED0000u | (uint32_t)(ct1_now() * 1000) % 0xFFFF;
    uint16_t tag = 1;
    long commands = 0;
    uint16_t payload[CT1_MAX_RW_WRITE];
    payload[0] = data->bitmap ? 1 : 0;
    payload[1] = (uint16_t)(data->total >> 16);
    payload[2] = (uint16_t)data->total;
    const char* refused = NULL;
    if (!ct1_succeeded(ct1_command(ctx, CT1_OP_FULL_BEGIN, tag++, session, target, 3, payload, 3))) {
        refused = "FULL_BEGIN";
    }
    ++commands;
    const uint32_t per_chunk = data->bitmap ? CT1_BITMAP_BYTES_PER_COMMAND : CT1_ENTRIES_PER_COMMAND;
    const uint16_t opcode = data->bitmap ? CT1_OP_FULL_BITMAP_CHUNK : CT1_OP_FULL_LIST_CHUNK;
    for (uint32_t position = 0; refused == NULL && position < data->total; position += per_chunk) {
        const uint32_t n = data->total - position < per_chunk ? data->total - position : per_chunk;
        /* A list chunk's entries are bytes already, three to a card. */
        const int width = data->bitmap ? 1 : 3;
        const int registers = ct1_pack_bytes(data->bytes + (size_t)width * position, width * (int)n, payload);
        if (!ct1_succeeded(ct1_command(ctx, opcode, tag++, session, position, (uint16_t)n, payload, registers))) {
            refused = "a chunk";
        }
        ++commands;
    }
    if (refused == NULL &&
        !ct1_succeeded(ct1_command(ctx, CT1_OP_FULL_COMMIT, tag++, session, data->crc, 0, NULL, 0))) {
        refused = "FULL_COMMIT";
    }
    ++commands;
    if (refused != NULL) {
        fprintf(stderr, "full sync: the terminal refused %s\n", refused);
        return -1;
    }
    return commands;
}

/* "HOST:FIRST-LAST" or "HOST:PORT": the host and the port range. */
static inline int ct1_parse_ports(const char* text, char* host, size_t host_size, int* first, int* last) {
    const char* colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= host_size) return -1;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    if (sscanf(colon + 1, "%d-%d", first, last) == 2) return 0;
    if (sscanf(colon + 1, "%d", first) == 1) {
        *last = *first;
        return 0;
    }
    return -1;
}

#endif
