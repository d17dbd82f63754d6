// JPEG (ISO 10918-1) dispatch: 8-bit sequential and progressive frames through libjpeg-turbo, 12-bit and
// lossless (process 14) frames through GDCM's IJG builds, chosen by the codestream's start-of-frame.
#include <turbojpeg.h>
#include "common.h"
#include "ijg.h"

int lantern_jpeg_peek(const uint8_t *src, size_t len, lantern_jpeg_header *header) {
    size_t at = 2;
    if (len < 4 || src[0] != 0xFF || src[1] != 0xD8) return LANTERN_CODEC_CORRUPT;
    while (at + 4 <= len) {
        if (src[at] != 0xFF) return LANTERN_CODEC_CORRUPT;
        uint8_t marker = src[at + 1];
        if (marker == 0xFF) {  // fill byte
            at += 1;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
            at += 2;
            continue;
        }
        size_t length = ((size_t)src[at + 2] << 8) | src[at + 3];
        if (length < 2) return LANTERN_CODEC_CORRUPT;
        int sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            if (at + 2 + length > len || length < 8) return LANTERN_CODEC_CORRUPT;
            const uint8_t *s = src + at + 4;
            header->process = marker - 0xC0;
            header->precision = s[0];
            header->height = (s[1] << 8) | s[2];
            header->width = (s[3] << 8) | s[4];
            header->components = s[5];
            // The component identifiers 'R', 'G', 'B' make libjpeg-turbo take the samples as RGB.
            header->rgb_ids = s[5] == 3 && length >= 17 && s[6] == 'R' && s[9] == 'G' && s[12] == 'B';
            return LANTERN_CODEC_OK;
        }
        if (marker == 0xDA || marker == 0xD9) return LANTERN_CODEC_CORRUPT;  // scan before any frame header
        at += 2 + length;
    }
    return LANTERN_CODEC_CORRUPT;
}

/// The colour markers before the first scan: whether there is a JFIF APP0 segment, and the transform flag of
/// an Adobe APP14 segment (-1 without one).
static void lantern_jpeg_markers(const uint8_t *src, size_t len, int *jfif, int *adobe) {
    size_t at = 2;
    *jfif = 0;
    *adobe = -1;
    while (at + 4 <= len && src[at] == 0xFF) {
        uint8_t marker = src[at + 1];
        if (marker == 0xFF) {
            at += 1;
            continue;
        }
        if (marker == 0xDA || marker == 0xD9) return;
        size_t length = ((size_t)src[at + 2] << 8) | src[at + 3];
        if (length < 2 || at + 2 + length > len) return;
        const uint8_t *body = src + at + 4;
        if (marker == 0xE0 && length >= 7 && memcmp(body, "JFIF", 5) == 0) *jfif = 1;
        if (marker == 0xEE && length >= 14 && memcmp(body, "Adobe", 5) == 0) *adobe = body[11];
        at += 2 + length;
    }
}

static int lantern_is_lossless(int process) { return process == 3 || process == 7 || process == 11 || process == 15; }

/// One decompressor and one compressor per thread, made on first use and kept: creating them costs about as
/// much as coding a small frame. The codec pool's threads live as long as the server.
static __thread tjhandle lantern_turbo_decompressor;
static __thread tjhandle lantern_turbo_compressor;

static int lantern_turbo_decode(const uint8_t *src, size_t len, const lantern_frame *frame, uint8_t *dst,
                                size_t dst_len, char *message, size_t message_len) {
    if (lantern_turbo_decompressor == NULL) lantern_turbo_decompressor = tjInitDecompress();
    tjhandle handle = lantern_turbo_decompressor;
    if (handle == NULL) {
        lantern_message(message, message_len, "libjpeg-turbo: %s", tjGetErrorStr2(NULL));
        return LANTERN_CODEC_UNSUPPORTED;
    }
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    int result = LANTERN_CODEC_OK;
    if (tjDecompressHeader3(handle, src, (unsigned long)len, &width, &height, &subsampling, &colorspace) != 0) {
        lantern_message(message, message_len, "libjpeg-turbo: %s", tjGetErrorStr2(handle));
        result = LANTERN_CODEC_CORRUPT;
    } else if (width != frame->width || height != frame->height ||
               (frame->components == 1) != (colorspace == TJCS_GRAY) || colorspace == TJCS_CMYK ||
               colorspace == TJCS_YCCK) {
        lantern_message(message, message_len, "the JPEG frame is %d × %d (colour space %d); the attributes say %d × %d × %d",
                        width, height, colorspace, frame->width, frame->height, frame->components);
        result = LANTERN_CODEC_MISMATCH;
    } else {
        int format = frame->components == 1 ? TJPF_GRAY : TJPF_RGB;
        size_t size = (size_t)width * (size_t)height * (size_t)frame->components;
        uint8_t *target = dst;
        if (frame->bytes_per_sample != 1) target = malloc(size);
        if (target == NULL || size * (size_t)frame->bytes_per_sample > dst_len) {
            lantern_message(message, message_len, "no room for the decoded frame");
            result = LANTERN_CODEC_MISMATCH;
        } else if (tjDecompress2(handle, src, (unsigned long)len, target, width, 0, height, format,
                                 TJFLAG_STOPONWARNING) != 0) {
            lantern_message(message, message_len, "libjpeg-turbo: %s", tjGetErrorStr2(handle));
            result = LANTERN_CODEC_CORRUPT;
        } else if (target != dst) {
            for (size_t i = 0; i < size; i++) lantern_store(dst, i, frame, target[i]);
        }
        if (target != dst) free(target);
    }
    if (result != LANTERN_CODEC_OK) {
        // A failed call can leave the handle unusable: the next frame on this thread gets a new one.
        tjDestroy(handle);
        lantern_turbo_decompressor = NULL;
    }
    return result;
}

int lantern_jpeg_decode(const uint8_t *src, size_t len, const lantern_frame *frame, int color, uint8_t *dst,
                        size_t dst_len, char *message, size_t message_len) {
    lantern_jpeg_header header;
    if (lantern_jpeg_peek(src, len, &header) != LANTERN_CODEC_OK) {
        lantern_message(message, message_len, "no JPEG start-of-frame marker in %zu bytes", len);
        return LANTERN_CODEC_CORRUPT;
    }
    if (lantern_frame_size(frame) == 0 || lantern_frame_size(frame) > dst_len) {
        lantern_message(message, message_len, "a frame JPEG cannot hold");
        return LANTERN_CODEC_UNSUPPORTED;
    }
    if (header.precision < 2 || header.precision > 16 || header.precision > 8 * frame->bytes_per_sample) {
        lantern_message(message, message_len, "JPEG sample precision %d in %d-byte samples", header.precision,
                        frame->bytes_per_sample);
        return LANTERN_CODEC_UNSUPPORTED;
    }
    if (lantern_is_lossless(header.process)) {
        if (header.precision <= 8) return lantern_ijg8_decode(src, len, frame, LANTERN_JPEG_COLOR_RAW, dst, dst_len, message, message_len);
        if (header.precision <= 12) return lantern_ijg12_decode(src, len, frame, LANTERN_JPEG_COLOR_RAW, dst, dst_len, message, message_len);
        return lantern_ijg16_decode(src, len, frame, LANTERN_JPEG_COLOR_RAW, dst, dst_len, message, message_len);
    }
    if (frame->components == 3 && (color == LANTERN_JPEG_COLOR_INFER || color == LANTERN_JPEG_COLOR_YCC_TO_RGB)) {
        int jfif, adobe;
        lantern_jpeg_markers(src, len, &jfif, &adobe);
        if (color == LANTERN_JPEG_COLOR_INFER)
            color = adobe == 0 || (adobe < 0 && !jfif) ? LANTERN_JPEG_COLOR_AS_RGB : LANTERN_JPEG_COLOR_YCC_TO_RGB;
        // libjpeg-turbo infers the colour space itself: it is used only when its inference is YCbCr.
        else if (adobe == 0 || (adobe < 0 && !jfif && header.rgb_ids))
            color = LANTERN_JPEG_COLOR_YCC_TO_RGB | 0x100;
    }
    if (header.precision == 8 && (frame->components == 1 || color == LANTERN_JPEG_COLOR_YCC_TO_RGB))
        return lantern_turbo_decode(src, len, frame, dst, dst_len, message, message_len);
    color &= 0xFF;
    if (header.precision == 8) return lantern_ijg8_decode(src, len, frame, color, dst, dst_len, message, message_len);
    if (header.precision == 12) return lantern_ijg12_decode(src, len, frame, color, dst, dst_len, message, message_len);
    lantern_message(message, message_len, "lossy JPEG of %d-bit precision (ISO 10918-1 allows 8 and 12)", header.precision);
    return LANTERN_CODEC_UNSUPPORTED;
}

static int lantern_turbo_encode(const uint8_t *src, const lantern_frame *frame, int quality, uint8_t **out,
                                size_t *out_len, char *message, size_t message_len) {
    if (lantern_turbo_compressor == NULL) lantern_turbo_compressor = tjInitCompress();
    tjhandle handle = lantern_turbo_compressor;
    if (handle == NULL) {
        lantern_message(message, message_len, "libjpeg-turbo: %s", tjGetErrorStr2(NULL));
        return LANTERN_CODEC_UNSUPPORTED;
    }
    unsigned char *jpeg = NULL;
    unsigned long size = 0;
    int format = frame->components == 1 ? TJPF_GRAY : TJPF_RGB;
    int subsampling = frame->components == 1 ? TJSAMP_GRAY : TJSAMP_444;
    int result = LANTERN_CODEC_OK;
    if (tjCompress2(handle, src, frame->width, 0, frame->height, format, &jpeg, &size, subsampling, quality, 0) != 0) {
        lantern_message(message, message_len, "libjpeg-turbo: %s", tjGetErrorStr2(handle));
        result = LANTERN_CODEC_UNSUPPORTED;
    } else {
        *out = malloc(size);
        if (*out == NULL) {
            result = LANTERN_CODEC_UNSUPPORTED;
        } else {
            memcpy(*out, jpeg, size);
            *out_len = size;
        }
    }
    tjFree(jpeg);
    if (result != LANTERN_CODEC_OK) {
        tjDestroy(handle);
        lantern_turbo_compressor = NULL;
    }
    return result;
}

int lantern_jpeg_encode(const uint8_t *src, size_t len, const lantern_frame *frame, int predictor, int quality,
                        int input_is_ycc, uint8_t **out, size_t *out_len, char *message, size_t message_len) {
    *out = NULL;
    *out_len = 0;
    if (lantern_frame_size(frame) == 0 || lantern_frame_size(frame) > len ||
        (frame->components != 1 && frame->components != 3)) {
        lantern_message(message, message_len, "JPEG holds 1 or 3 samples per pixel");
        return LANTERN_CODEC_UNSUPPORTED;
    }
    int precision = frame->precision;
    if (predictor) {
        if (precision < 2 || precision > 16) {
            lantern_message(message, message_len, "lossless JPEG holds 2 to 16 bits, not %d", precision);
            return LANTERN_CODEC_UNSUPPORTED;
        }
        if (precision <= 8) return lantern_ijg8_encode(src, len, frame, predictor, quality, input_is_ycc, out, out_len, message, message_len);
        if (precision <= 12) return lantern_ijg12_encode(src, len, frame, predictor, quality, input_is_ycc, out, out_len, message, message_len);
        return lantern_ijg16_encode(src, len, frame, predictor, quality, input_is_ycc, out, out_len, message, message_len);
    }
    if (precision == 8 && frame->bytes_per_sample == 1 && !input_is_ycc && !frame->is_signed)
        return lantern_turbo_encode(src, frame, quality, out, out_len, message, message_len);
    if (precision <= 8 && !frame->is_signed) {
        lantern_frame eight = *frame;
        eight.precision = 8;
        return lantern_ijg8_encode(src, len, &eight, 0, quality, input_is_ycc, out, out_len, message, message_len);
    }
    if (precision <= 12 && !frame->is_signed) {
        lantern_frame twelve = *frame;
        twelve.precision = 12;
        return lantern_ijg12_encode(src, len, &twelve, 0, quality, input_is_ycc, out, out_len, message, message_len);
    }
    lantern_message(message, message_len, "lossy JPEG holds unsigned 8 or 12-bit samples, not %s%d-bit",
                    frame->is_signed ? "signed " : "", precision);
    return LANTERN_CODEC_UNSUPPORTED;
}
