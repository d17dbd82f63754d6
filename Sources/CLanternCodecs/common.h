// Helpers shared by the bindings (not part of the target's interface).
#pragma once
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lantern_codecs.h"

/// Writes a printf-style message into the caller's buffer.
static inline void lantern_message(char *message, size_t len, const char *format, ...) {
    if (message == NULL || len == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(message, len, format, args);
    va_end(args);
}

/// The native size of `frame`, or 0 when it is out of range.
static inline size_t lantern_frame_size(const lantern_frame *f) {
    if (f->width <= 0 || f->height <= 0 || f->components < 1 || f->components > 4) return 0;
    if (f->bytes_per_sample != 1 && f->bytes_per_sample != 2) return 0;
    return (size_t)f->width * (size_t)f->height * (size_t)f->components * (size_t)f->bytes_per_sample;
}

/// Stores a decoded value at sample index `i`: unsigned values clamped to the frame's precision (a lossy
/// decoder's overshoot must not wrap), signed ones taken as a bit pattern of that precision and sign-extended.
static inline void lantern_store(uint8_t *dst, size_t i, const lantern_frame *f, int32_t value) {
    if (!f->is_signed && f->precision < 31) {
        int32_t top = (int32_t)((1u << f->precision) - 1);
        value = value < 0 ? 0 : value > top ? top : value;
    } else if (f->is_signed && f->precision < 32) {
        int32_t mask = (int32_t)1 << (f->precision - 1);
        value &= (int32_t)(((uint32_t)1 << f->precision) - 1);
        value = (value ^ mask) - mask;
    }
    if (f->bytes_per_sample == 1) {
        dst[i] = (uint8_t)value;
    } else {
        dst[2 * i] = (uint8_t)value;
        dst[2 * i + 1] = (uint8_t)(value >> 8);
    }
}

/// Stores a signed decoded value (not a bit pattern) at sample index `i`, clamped to the signed range of the
/// frame's precision.
static inline void lantern_store_signed(uint8_t *dst, size_t i, const lantern_frame *f, int32_t value) {
    int32_t top = (int32_t)((1u << (f->precision - 1)) - 1);
    int32_t bottom = -top - 1;
    value = value < bottom ? bottom : value > top ? top : value;
    if (f->bytes_per_sample == 1) {
        dst[i] = (uint8_t)value;
    } else {
        dst[2 * i] = (uint8_t)value;
        dst[2 * i + 1] = (uint8_t)(value >> 8);
    }
}

/// Loads sample index `i` of a native frame: the bit pattern of its precision (masked) or, with
/// `keep_sign`, the signed value.
static inline int32_t lantern_load(const uint8_t *src, size_t i, const lantern_frame *f, int keep_sign) {
    uint32_t raw = f->bytes_per_sample == 1 ? src[i] : (uint32_t)src[2 * i] | ((uint32_t)src[2 * i + 1] << 8);
    uint32_t bits = f->precision >= 32 ? 0xFFFFFFFFu : (((uint32_t)1 << f->precision) - 1);
    int32_t value = (int32_t)(raw & bits);
    if (keep_sign && f->is_signed) {
        int32_t mask = (int32_t)1 << (f->precision - 1);
        value = (value ^ mask) - mask;
    }
    return value;
}

/// A growing output buffer.
typedef struct lantern_buffer {
    uint8_t *data;
    size_t length;
    size_t capacity;
    size_t position;
} lantern_buffer;

/// Makes room for `needed` bytes at the buffer's position; returns 0 when memory runs out.
static inline int lantern_buffer_reserve(lantern_buffer *b, size_t needed) {
    if (b->position + needed <= b->capacity) return 1;
    size_t capacity = b->capacity ? b->capacity : 65536;
    while (capacity < b->position + needed) capacity *= 2;
    uint8_t *grown = realloc(b->data, capacity);
    if (grown == NULL) return 0;
    b->data = grown;
    b->capacity = capacity;
    return 1;
}
