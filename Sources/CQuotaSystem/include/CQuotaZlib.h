#ifndef CQUOTAZLIB_H
#define CQUOTAZLIB_H

/*
 * zlib's DEFLATE and CRC-32, for gzip-encoded scrapes.
 *
 * Opened at run time as libz.so.1, like libcurl (see CQuotaZlib.c for why),
 * so building needs no zlib headers and a missing zlib means plain
 * (identity) responses, not a binary that cannot start.
 */

#include <stddef.h>
#include <stdint.h>

/* NULL when zlib is loaded and usable; otherwise why not (for one log line). */
const char *cqs_zlib_load_error(void);

/* Raw DEFLATE (no header or trailer) of in[0..<len) at `level` (1-9, or
 * 0 for stored blocks: the bytes as they are, framed), ended by a sync
 * flush: the output is byte-aligned and not final, so parts compressed
 * apart can be written back to back as one DEFLATE stream.
 * Returns the bytes written to out, -1 when `capacity` was too small (call
 * again with more), -2 when zlib failed or is not loaded. */
long cqs_zlib_deflate_part(int level, const uint8_t *in, size_t len, uint8_t *out, size_t capacity);

/* CRC-32 (the gzip trailer's) of buf, continuing from crc (0 to start). */
uint32_t cqs_zlib_crc32(uint32_t crc, const uint8_t *buf, size_t len);

/* The CRC-32 of A followed by B, from crc(A), crc(B) and B's length. */
uint32_t cqs_zlib_crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

/* The same in two steps (zlib 1.2.12+): the operator for B's length, made
 * once (0 when this zlib lacks it), then combines that cost a
 * multiplication instead of over a thousand instructions each. With op 0,
 * cqs_zlib_crc32_combine_op falls back to cqs_zlib_crc32_combine. */
uint32_t cqs_zlib_crc32_combine_gen(uint64_t len_b);
uint32_t cqs_zlib_crc32_combine_op(uint32_t crc_a, uint32_t crc_b, uint32_t op, uint64_t len_b);

#endif
