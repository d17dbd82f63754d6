// JPEG-LS (ISO 14495-1) through CharLS's C interface.
#include <charls/charls.h>
#include "common.h"

int lantern_jls_decode(const uint8_t *src, size_t len, const lantern_frame *frame, uint8_t *dst, size_t dst_len,
                       char *message, size_t message_len) {
    if (lantern_frame_size(frame) == 0 || lantern_frame_size(frame) > dst_len) {
        lantern_message(message, message_len, "a frame JPEG-LS decoding cannot fill");
        return LANTERN_CODEC_UNSUPPORTED;
    }
    // A complete codestream ends with EOI (FFD9), perhaps padded with a zero byte to an even length. CharLS
    // spends seconds on some truncated scans before failing: refuse them before it starts.
    size_t end = len;
    while (end > 0 && src[end - 1] == 0 && len - end < 2) end--;
    if (end < 4 || src[end - 2] != 0xFF || src[end - 1] != 0xD9) {
        lantern_message(message, message_len, "the JPEG-LS codestream of %zu bytes does not end with EOI (truncated)", len);
        return LANTERN_CODEC_CORRUPT;
    }
    charls_jpegls_decoder *decoder = charls_jpegls_decoder_create();
    if (decoder == NULL) return LANTERN_CODEC_UNSUPPORTED;
    uint8_t *raw = NULL;
    int result = LANTERN_CODEC_OK;
    charls_frame_info info;
    charls_interleave_mode mode = CHARLS_INTERLEAVE_MODE_NONE;
    size_t size = 0;
    charls_jpegls_errc error = charls_jpegls_decoder_set_source_buffer(decoder, src, len);
    if (!error) error = charls_jpegls_decoder_read_header(decoder);
    if (!error) error = charls_jpegls_decoder_get_frame_info(decoder, &info);
    if (!error) error = charls_jpegls_decoder_get_interleave_mode(decoder, &mode);
    if (error) {
        lantern_message(message, message_len, "CharLS: %s", charls_get_error_message(error));
        result = LANTERN_CODEC_CORRUPT;
        goto done;
    }
    if ((int)info.width != frame->width || (int)info.height != frame->height ||
        (int)info.component_count != frame->components) {
        lantern_message(message, message_len, "the JPEG-LS frame is %u × %u × %d; the attributes say %d × %d × %d",
                        info.width, info.height, info.component_count, frame->width, frame->height, frame->components);
        result = LANTERN_CODEC_MISMATCH;
        goto done;
    }
    if (info.bits_per_sample > 8 * frame->bytes_per_sample) {
        lantern_message(message, message_len, "JPEG-LS precision %d in %d-byte samples", info.bits_per_sample,
                        frame->bytes_per_sample);
        result = LANTERN_CODEC_UNSUPPORTED;
        goto done;
    }
    error = charls_jpegls_decoder_get_destination_size(decoder, 0, &size);
    if (!error && (raw = malloc(size)) == NULL) error = CHARLS_JPEGLS_ERRC_NOT_ENOUGH_MEMORY;
    if (!error) error = charls_jpegls_decoder_decode_to_buffer(decoder, raw, size, 0);
    if (error) {
        lantern_message(message, message_len, "CharLS: %s", charls_get_error_message(error));
        result = LANTERN_CODEC_CORRUPT;
        goto done;
    }
    // CharLS writes 1 byte per sample up to 8 bits, else 2; planes one after another without interleaving,
    // else pixel by pixel (it turns line-interleaved scans into pixel-interleaved output).
    size_t pixels = (size_t)frame->width * (size_t)frame->height;
    size_t components = (size_t)frame->components;
    int wide = info.bits_per_sample > 8;
    for (size_t c = 0; c < components; c++) {
        for (size_t p = 0; p < pixels; p++) {
            size_t at;
            if (mode == CHARLS_INTERLEAVE_MODE_NONE) {
                at = c * pixels + p;
            } else {
                at = p * components + c;
            }
            int32_t value = wide ? (int32_t)(raw[2 * at] | (raw[2 * at + 1] << 8)) : raw[at];
            lantern_store(dst, p * components + c, frame, value);
        }
    }
done:
    free(raw);
    charls_jpegls_decoder_destroy(decoder);
    return result;
}

int lantern_jls_encode(const uint8_t *src, size_t len, const lantern_frame *frame, int near, uint8_t **out,
                       size_t *out_len, char *message, size_t message_len) {
    *out = NULL;
    *out_len = 0;
    if (lantern_frame_size(frame) == 0 || lantern_frame_size(frame) > len || frame->precision < 2 ||
        frame->precision > 16) {
        lantern_message(message, message_len, "JPEG-LS holds 2 to 16-bit samples");
        return LANTERN_CODEC_UNSUPPORTED;
    }
    size_t samples = (size_t)frame->width * (size_t)frame->height * (size_t)frame->components;
    int wide = frame->precision > 8;
    uint8_t *raw = malloc(samples * (wide ? 2 : 1));
    if (raw == NULL) return LANTERN_CODEC_UNSUPPORTED;
    for (size_t i = 0; i < samples; i++) {
        int32_t value = lantern_load(src, i, frame, 0);
        if (wide) {
            raw[2 * i] = (uint8_t)value;
            raw[2 * i + 1] = (uint8_t)(value >> 8);
        } else {
            raw[i] = (uint8_t)value;
        }
    }
    charls_jpegls_encoder *encoder = charls_jpegls_encoder_create();
    uint8_t *buffer = NULL;
    int result = LANTERN_CODEC_OK;
    size_t size = 0;
    charls_frame_info info = {(uint32_t)frame->width, (uint32_t)frame->height, frame->precision, frame->components};
    charls_jpegls_errc error = encoder ? charls_jpegls_encoder_set_frame_info(encoder, &info)
                                       : CHARLS_JPEGLS_ERRC_NOT_ENOUGH_MEMORY;
    if (!error && frame->components > 1)
        error = charls_jpegls_encoder_set_interleave_mode(encoder, CHARLS_INTERLEAVE_MODE_SAMPLE);
    if (!error) error = charls_jpegls_encoder_set_near_lossless(encoder, near);
    if (!error) error = charls_jpegls_encoder_get_estimated_destination_size(encoder, &size);
    if (!error && (buffer = malloc(size)) == NULL) error = CHARLS_JPEGLS_ERRC_NOT_ENOUGH_MEMORY;
    if (!error) error = charls_jpegls_encoder_set_destination_buffer(encoder, buffer, size);
    if (!error) error = charls_jpegls_encoder_encode_from_buffer(encoder, raw, samples * (wide ? 2 : 1), 0);
    if (!error) error = charls_jpegls_encoder_get_bytes_written(encoder, &size);
    if (error) {
        lantern_message(message, message_len, "CharLS: %s", charls_get_error_message(error));
        result = LANTERN_CODEC_UNSUPPORTED;
        free(buffer);
    } else {
        *out = buffer;
        *out_len = size;
    }
    free(raw);
    if (encoder) charls_jpegls_encoder_destroy(encoder);
    return result;
}
