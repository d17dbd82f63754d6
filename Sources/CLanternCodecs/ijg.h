// The three IJG builds' entry points (ijg_impl.h), for jpeg.c.
#pragma once
#include "lantern_codecs.h"

#define LANTERN_IJG_DECLARE(N)                                                                                      \
    int lantern_ijg##N##_decode(const uint8_t *src, size_t len, const lantern_frame *frame, int color, uint8_t *dst, \
                                size_t dst_len, char *message, size_t message_len);                                 \
    int lantern_ijg##N##_encode(const uint8_t *src, size_t len, const lantern_frame *frame, int predictor,          \
                                int quality, int input_is_ycc, uint8_t **out, size_t *out_len, char *message,       \
                                size_t message_len);
LANTERN_IJG_DECLARE(8)
LANTERN_IJG_DECLARE(12)
LANTERN_IJG_DECLARE(16)
