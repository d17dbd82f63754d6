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
