// JPEG 2000 (ISO 15444-1, and 15444-15 HTJ2K for decoding) through OpenJPEG, on memory streams.
#include <openjpeg-2.5/openjpeg.h>
#include "common.h"

typedef struct {
    const uint8_t *data;
    size_t length;
    size_t position;
} lantern_j2k_input;

static OPJ_SIZE_T lantern_j2k_read(void *buffer, OPJ_SIZE_T count, void *user) {
    lantern_j2k_input *in = user;
    if (in->position >= in->length) return (OPJ_SIZE_T)-1;
    size_t n = in->length - in->position < count ? in->length - in->position : count;
    memcpy(buffer, in->data + in->position, n);
    in->position += n;
    return n;
}

static OPJ_OFF_T lantern_j2k_skip(OPJ_OFF_T count, void *user) {
    lantern_j2k_input *in = user;
    if (count < 0) {
        if ((size_t)(-count) > in->position) return -1;
        in->position -= (size_t)(-count);
    } else {
        in->position = in->position + (size_t)count > in->length ? in->length : in->position + (size_t)count;
    }
    return count;
}

static OPJ_BOOL lantern_j2k_seek(OPJ_OFF_T to, void *user) {
    lantern_j2k_input *in = user;
    if (to < 0 || (size_t)to > in->length) return OPJ_FALSE;
    in->position = (size_t)to;
    return OPJ_TRUE;
}

typedef struct {
    char *message;
    size_t message_len;
} lantern_j2k_messages;

/// Keeps OpenJPEG's first error, without its trailing newline.
static void lantern_j2k_error(const char *text, void *user) {
    lantern_j2k_messages *m = user;
    if (m->message == NULL || m->message_len == 0 || m->message[0] != 0) return;
    lantern_message(m->message, m->message_len, "OpenJPEG: %s", text);
    size_t n = strlen(m->message);
    while (n > 0 && (m->message[n - 1] == '\n' || m->message[n - 1] == '\r')) m->message[--n] = 0;
}

static void lantern_j2k_quiet(const char *text, void *user) {
    (void)text;
    (void)user;
}

/// Errors into `messages`, warnings and information nowhere.
static void lantern_j2k_handlers(opj_codec_t *codec, lantern_j2k_messages *messages) {
    opj_set_error_handler(codec, lantern_j2k_error, messages);
    opj_set_warning_handler(codec, lantern_j2k_quiet, NULL);
    opj_set_info_handler(codec, lantern_j2k_quiet, NULL);
}

static uint32_t lantern_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/// The codestream inside a JP2 file: the content of its top-level `jp2c` box (ISO 15444-1 Annex I), or NULL.
static const uint8_t *lantern_jp2_codestream(const uint8_t *src, size_t len, size_t *out_len) {
    size_t at = 0;
    while (len - at >= 8) {
        uint64_t box = lantern_be32(src + at);
        size_t header = 8;
        if (box == 1) {
            if (len - at < 16) return NULL;
            box = (uint64_t)lantern_be32(src + at + 8) << 32 | lantern_be32(src + at + 12);
            header = 16;
        } else if (box == 0) {
            box = len - at;
        }
        if (box < header || box > len - at) return NULL;
        if (memcmp(src + at + 4, "jp2c", 4) == 0) {
            *out_len = (size_t)box - header;
            return src + at + header;
        }
        at += (size_t)box;
    }
    return NULL;
}

/// Checks the image and tile size (SIZ, the marker segment that follows SOC, ISO 15444-1 A.5.1) against the
/// frame before OpenJPEG allocates for it: a codestream claiming a larger image than the attributes, or
/// millions of tiny tiles, is refused with nothing allocated.
static int lantern_j2k_check_size(const uint8_t *src, size_t len, const lantern_frame *frame, char *message,
                                  size_t message_len) {
    if (len < 2 + 2 + 38 || src[0] != 0xFF || src[1] != 0x4F || src[2] != 0xFF || src[3] != 0x51) {
        lantern_message(message, message_len, "no JPEG 2000 image size (SIZ) after the SOC marker");
        return LANTERN_CODEC_CORRUPT;
    }
    const uint8_t *siz = src + 6; // after SOC, the SIZ marker and its length
    uint32_t xsiz = lantern_be32(siz + 2), ysiz = lantern_be32(siz + 6), xosiz = lantern_be32(siz + 10),
             yosiz = lantern_be32(siz + 14), xtsiz = lantern_be32(siz + 18), ytsiz = lantern_be32(siz + 22),
             xtosiz = lantern_be32(siz + 26), ytosiz = lantern_be32(siz + 30);
    unsigned components = (unsigned)siz[34] << 8 | siz[35];
    if (xsiz <= xosiz || ysiz <= yosiz || xtsiz == 0 || ytsiz == 0 || xtosiz > xosiz || ytosiz > yosiz) {
        lantern_message(message, message_len, "an invalid JPEG 2000 image or tile size");
        return LANTERN_CODEC_CORRUPT;
    }
    uint64_t width = xsiz - xosiz, height = ysiz - yosiz;
    if (width != (uint64_t)frame->width || height != (uint64_t)frame->height || components != (unsigned)frame->components) {
        lantern_message(message, message_len,
                        "the JPEG 2000 frame is %llu × %llu × %u samples; the attributes say %d × %d × %d",
                        (unsigned long long)width, (unsigned long long)height, components, frame->width, frame->height,
                        frame->components);
        return LANTERN_CODEC_MISMATCH;
    }
    uint64_t across = ((uint64_t)xsiz - xtosiz + xtsiz - 1) / xtsiz, down = ((uint64_t)ysiz - ytosiz + ytsiz - 1) / ytsiz;
    uint64_t tiles = across * down, allowed = 64 + width * height / 1024;
    if (tiles > allowed) {
        lantern_message(message, message_len, "%llu JPEG 2000 tiles for %llu × %llu pixels", (unsigned long long)tiles,
                        (unsigned long long)width, (unsigned long long)height);
        return LANTERN_CODEC_UNSUPPORTED;
    }
    return LANTERN_CODEC_OK;
}

int lantern_j2k_decode(const uint8_t *src, size_t len, const lantern_frame *frame, uint8_t *dst, size_t dst_len,
                       char *message, size_t message_len) {
    if (message && message_len) message[0] = 0;
    if (lantern_frame_size(frame) == 0 || lantern_frame_size(frame) > dst_len) {
        lantern_message(message, message_len, "a frame JPEG 2000 decoding cannot fill");
        return LANTERN_CODEC_UNSUPPORTED;
    }
    // A JP2 file starts with its signature box; DICOM frames are normally bare codestreams (SOC FF4F).
    int jp2 = len >= 12 && src[4] == 'j' && src[5] == 'P' && src[6] == ' ' && src[7] == ' ';
    if (!jp2 && (len < 2 || src[0] != 0xFF || src[1] != 0x4F)) {
        lantern_message(message, message_len, "no JPEG 2000 codestream (SOC marker) in %zu bytes", len);
        return LANTERN_CODEC_CORRUPT;
    }
    size_t stream_len = len;
    const uint8_t *stream_start = jp2 ? lantern_jp2_codestream(src, len, &stream_len) : src;
    int checked = stream_start == NULL
                      ? (lantern_message(message, message_len, "no codestream (jp2c box) in the JP2 file"), LANTERN_CODEC_CORRUPT)
                      : lantern_j2k_check_size(stream_start, stream_len, frame, message, message_len);
    if (checked != LANTERN_CODEC_OK) return checked;
    lantern_j2k_input input = {src, len, 0};
    lantern_j2k_messages messages = {message, message_len};
    opj_codec_t *codec = opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
    opj_stream_t *stream = opj_stream_create(1 << 16, OPJ_TRUE);
    opj_image_t *image = NULL;
    int result = LANTERN_CODEC_OK;
    if (codec == NULL || stream == NULL) {
        result = LANTERN_CODEC_UNSUPPORTED;
        goto done;
    }
    lantern_j2k_handlers(codec, &messages);
    opj_stream_set_user_data(stream, &input, NULL);
    opj_stream_set_user_data_length(stream, len);
    opj_stream_set_read_function(stream, lantern_j2k_read);
    opj_stream_set_skip_function(stream, lantern_j2k_skip);
    opj_stream_set_seek_function(stream, lantern_j2k_seek);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(codec, &parameters)) {
        result = LANTERN_CODEC_UNSUPPORTED;
        goto done;
    }
    // A truncated codestream is an error, not a partly decoded image.
    opj_decoder_set_strict_mode(codec, OPJ_TRUE);
    // Code-blocks decode in parallel: one frame's latency halves on two cores (false without thread support).
    opj_codec_set_threads(codec, 2);
    if (!opj_read_header(stream, codec, &image) || !opj_decode(codec, stream, image) ||
        !opj_end_decompress(codec, stream)) {
        if (message && message_len && message[0] == 0) lantern_message(message, message_len, "OpenJPEG could not decode the frame");
        result = LANTERN_CODEC_CORRUPT;
        goto done;
    }
    if ((int)image->numcomps != frame->components) {
        lantern_message(message, message_len, "the JPEG 2000 frame has %u components; the attributes say %d",
                        image->numcomps, frame->components);
        result = LANTERN_CODEC_MISMATCH;
        goto done;
    }
    for (int c = 0; c < frame->components; c++) {
        opj_image_comp_t *comp = &image->comps[c];
        if ((int)comp->w != frame->width || (int)comp->h != frame->height || comp->dx != 1 || comp->dy != 1 ||
            comp->data == NULL) {
            lantern_message(message, message_len,
                            "JPEG 2000 component %d is %u × %u (subsampling %u × %u); the attributes say %d × %d", c,
                            comp->w, comp->h, comp->dx, comp->dy, frame->width, frame->height);
            result = LANTERN_CODEC_MISMATCH;
            goto done;
        }
        if ((int)comp->prec > 8 * frame->bytes_per_sample) {
            lantern_message(message, message_len, "JPEG 2000 precision %u in %d-byte samples", comp->prec,
                            frame->bytes_per_sample);
            result = LANTERN_CODEC_UNSUPPORTED;
            goto done;
        }
    }
    size_t pixels = (size_t)frame->width * (size_t)frame->height;
    for (int c = 0; c < frame->components; c++) {
        const OPJ_INT32 *data = image->comps[c].data;
        // Signed components hold values (clamped: a lossy decode may overshoot); unsigned ones of a signed
        // frame hold its bit patterns.
        int values = frame->is_signed && image->comps[c].sgnd;
        for (size_t p = 0; p < pixels; p++) {
            size_t at = p * (size_t)frame->components + (size_t)c;
            if (values) {
                lantern_store_signed(dst, at, frame, data[p]);
            } else {
                lantern_store(dst, at, frame, data[p]);
            }
        }
    }
done:
    if (image) opj_image_destroy(image);
    if (stream) opj_stream_destroy(stream);
    if (codec) opj_destroy_codec(codec);
    return result;
}

static OPJ_SIZE_T lantern_j2k_write(void *buffer, OPJ_SIZE_T count, void *user) {
    lantern_buffer *out = user;
    if (!lantern_buffer_reserve(out, count)) return (OPJ_SIZE_T)-1;
    memcpy(out->data + out->position, buffer, count);
    out->position += count;
    if (out->position > out->length) out->length = out->position;
    return count;
}

static OPJ_OFF_T lantern_j2k_out_skip(OPJ_OFF_T count, void *user) {
    lantern_buffer *out = user;
    if (count < 0 && (size_t)(-count) > out->position) return -1;
    if (count > 0 && !lantern_buffer_reserve(out, (size_t)count)) return -1;
    out->position = (size_t)((OPJ_OFF_T)out->position + count);
    if (out->position > out->length) out->length = out->position;
    return count;
}

static OPJ_BOOL lantern_j2k_out_seek(OPJ_OFF_T to, void *user) {
    lantern_buffer *out = user;
    if (to < 0) return OPJ_FALSE;
    if ((size_t)to > out->position && !lantern_buffer_reserve(out, (size_t)to - out->position)) return OPJ_FALSE;
    out->position = (size_t)to;
    if (out->position > out->length) out->length = out->position;
    return OPJ_TRUE;
}

int lantern_j2k_encode(const uint8_t *src, size_t len, const lantern_frame *frame, int reversible, float psnr,
                       uint8_t **out, size_t *out_len, char *message, size_t message_len) {
    *out = NULL;
    *out_len = 0;
    if (message && message_len) message[0] = 0;
    if (lantern_frame_size(frame) == 0 || lantern_frame_size(frame) > len || frame->precision < 1 ||
        frame->precision > 8 * frame->bytes_per_sample) {
        lantern_message(message, message_len, "a frame JPEG 2000 encoding cannot take");
        return LANTERN_CODEC_UNSUPPORTED;
    }
    opj_image_cmptparm_t parameters[4];
    memset(parameters, 0, sizeof parameters);
    for (int c = 0; c < frame->components; c++) {
        parameters[c].dx = 1;
        parameters[c].dy = 1;
        parameters[c].w = (OPJ_UINT32)frame->width;
        parameters[c].h = (OPJ_UINT32)frame->height;
        parameters[c].prec = (OPJ_UINT32)frame->precision;
        parameters[c].sgnd = (OPJ_UINT32)frame->is_signed;
    }
    opj_image_t *image = opj_image_create((OPJ_UINT32)frame->components, parameters,
                                          frame->components == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY);
    if (image == NULL) return LANTERN_CODEC_UNSUPPORTED;
    image->x0 = 0;
    image->y0 = 0;
    image->x1 = (OPJ_UINT32)frame->width;
    image->y1 = (OPJ_UINT32)frame->height;
    size_t pixels = (size_t)frame->width * (size_t)frame->height;
    for (int c = 0; c < frame->components; c++) {
        OPJ_INT32 *data = image->comps[c].data;
        for (size_t p = 0; p < pixels; p++) data[p] = lantern_load(src, p * (size_t)frame->components + (size_t)c, frame, 1);
    }
    opj_cparameters_t cp;
    opj_set_default_encoder_parameters(&cp);
    cp.tcp_numlayers = 1;
    if (reversible) {
        cp.cp_disto_alloc = 1;
        cp.tcp_rates[0] = 0;
    } else {
        // One quality layer at a target PSNR: the error is bounded whatever the image (a rate would not be).
        cp.cp_fixed_quality = 1;
        cp.tcp_distoratio[0] = psnr;
    }
    cp.irreversible = reversible ? 0 : 1;
    cp.tcp_mct = 0;
    int smallest = frame->width < frame->height ? frame->width : frame->height;
    while (cp.numresolution > 1 && (1 << (cp.numresolution - 1)) > smallest) cp.numresolution--;
    lantern_buffer buffer = {0};
    lantern_j2k_messages messages = {message, message_len};
    opj_codec_t *codec = opj_create_compress(OPJ_CODEC_J2K);
    opj_stream_t *stream = opj_stream_create(1 << 16, OPJ_FALSE);
    int result = LANTERN_CODEC_OK;
    if (codec == NULL || stream == NULL) {
        result = LANTERN_CODEC_UNSUPPORTED;
        goto done;
    }
    lantern_j2k_handlers(codec, &messages);
    opj_stream_set_user_data(stream, &buffer, NULL);
    opj_stream_set_write_function(stream, lantern_j2k_write);
    opj_stream_set_skip_function(stream, lantern_j2k_out_skip);
    opj_stream_set_seek_function(stream, lantern_j2k_out_seek);
    if (!opj_setup_encoder(codec, &cp, image) || !opj_start_compress(codec, image, stream) ||
        !opj_encode(codec, stream) || !opj_end_compress(codec, stream)) {
        if (message && message_len && message[0] == 0) lantern_message(message, message_len, "OpenJPEG could not encode the frame");
        result = LANTERN_CODEC_UNSUPPORTED;
        goto done;
    }
done:
    if (stream) opj_stream_destroy(stream);
    if (codec) opj_destroy_codec(codec);
    opj_image_destroy(image);
    if (result == LANTERN_CODEC_OK) {
        *out = buffer.data;
        *out_len = buffer.length;
    } else {
        free(buffer.data);
    }
    return result;
}
