// HTJ2K (ISO 15444-15) encoding through OpenJPH, whose interface is C++: this target wraps it in C. Decoding
// goes through OpenJPEG (CLanternCodecs), which reads High-Throughput codestreams.
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Encodes one interleaved frame (`components` samples of `bytes_per_sample` little-endian bytes, `precision`
/// significant bits, two's complement when `is_signed`) as an HTJ2K codestream: reversible 5/3 when
/// `reversible` (lossless), else irreversible 9/7 with quantization step `delta`; `rpcl` for the RPCL
/// progression order (Transfer Syntax 1.2.840.10008.1.2.4.202). Returns 0, or 2 with a message; `*out` is
/// freed with lantern_openjph_free.
int lantern_htj2k_encode(const uint8_t *src, size_t len, int width, int height, int components,
                         int bytes_per_sample, int precision, int is_signed, int reversible, float delta, int rpcl,
                         uint8_t **out, size_t *out_len, char *message, size_t message_len);

/// Frees an encoder's output.
void lantern_openjph_free(uint8_t *buffer);

#ifdef __cplusplus
}
#endif
