// One build of the IJG binding against GDCM's libgdcmjpegN (N = IJG_BITS: 8, 12 or 16), whose symbols GDCM
// mangles per build so that all three link together. Included by ijg8.c, ijg12.c and ijg16.c with IJG_BITS,
// IJG_HEADER, IJG_ERRORS and IJG_FN defined. IJG reports errors by calling error_exit, which must not return:
// ours longjmps back to the entry point, which is why this code is C.
#include <setjmp.h>
#include "common.h"
#include "ijg.h"
#include IJG_HEADER
#include IJG_ERRORS

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char *message;
    size_t message_len;
} IJG_FN(error_mgr);

static void IJG_FN(error_exit)(j_common_ptr cinfo) {
    IJG_FN(error_mgr) *err = (IJG_FN(error_mgr) *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    lantern_message(err->message, err->message_len, "%s", text);
    longjmp(err->jump, 1);
}

/// Warnings that mean damaged data are errors: IJG would otherwise fill the rest of the frame with grey.
static void IJG_FN(emit_message)(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    switch (cinfo->err->msg_code) {
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_JPEG_EOF:
    case JWRN_MUST_RESYNC:
    case JWRN_MUST_DOWNSCALE:
        (*cinfo->err->error_exit)(cinfo);
        break;
    default:
        break;
    }
}

static void IJG_FN(output_message)(j_common_ptr cinfo) { (void)cinfo; }

/// The error manager that reports into `message` and longjmps to the entry point's setjmp.
static struct jpeg_error_mgr *IJG_FN(errors)(IJG_FN(error_mgr) * err, char *message, size_t message_len) {
    struct jpeg_error_mgr *pub = jpeg_std_error(&err->pub);
    pub->error_exit = IJG_FN(error_exit);
    pub->emit_message = IJG_FN(emit_message);
    pub->output_message = IJG_FN(output_message);
    err->message = message;
    err->message_len = message_len;
    return pub;
}

static void IJG_FN(init_source)(j_decompress_ptr cinfo) { (void)cinfo; }

/// The whole codestream is in memory: asking for more means it is truncated.
static boolean IJG_FN(fill_input_buffer)(j_decompress_ptr cinfo) {
    ERREXIT(cinfo, JERR_INPUT_EOF);
    return TRUE;
}

static void IJG_FN(skip_input_data)(j_decompress_ptr cinfo, long count) {
    if (count <= 0) return;
    if ((size_t)count > cinfo->src->bytes_in_buffer) ERREXIT(cinfo, JERR_INPUT_EOF);
    cinfo->src->next_input_byte += count;
    cinfo->src->bytes_in_buffer -= (size_t)count;
}

static void IJG_FN(term_source)(j_decompress_ptr cinfo) { (void)cinfo; }

int IJG_FN(decode)(const uint8_t *src, size_t len, const lantern_frame *frame, int color, uint8_t *dst,
                   size_t dst_len, char *message, size_t message_len) {
    struct jpeg_decompress_struct cinfo;
    IJG_FN(error_mgr) err;
    struct jpeg_source_mgr source;
    JSAMPLE *volatile row = NULL;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = IJG_FN(errors)(&err, message, message_len);
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(row);
        return LANTERN_CODEC_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    source.next_input_byte = src;
    source.bytes_in_buffer = len;
    source.init_source = IJG_FN(init_source);
    source.fill_input_buffer = IJG_FN(fill_input_buffer);
    source.skip_input_data = IJG_FN(skip_input_data);
    source.resync_to_restart = jpeg_resync_to_restart;
    source.term_source = IJG_FN(term_source);
    cinfo.src = &source;
    jpeg_read_header(&cinfo, TRUE);
    int width = (int)cinfo.image_width, height = (int)cinfo.image_height, components = cinfo.num_components;
    if (width != frame->width || height != frame->height || components != frame->components) {
        lantern_message(message, message_len, "the JPEG frame is %d × %d × %d samples; the attributes say %d × %d × %d",
                        width, height, components, frame->width, frame->height, frame->components);
        jpeg_destroy_decompress(&cinfo);
        return LANTERN_CODEC_MISMATCH;
    }
    if (lantern_frame_size(frame) > dst_len) {
        lantern_message(message, message_len, "the output buffer is too small");
        jpeg_destroy_decompress(&cinfo);
        return LANTERN_CODEC_MISMATCH;
    }
    if (color == LANTERN_JPEG_COLOR_RAW || components != 3) {
        cinfo.jpeg_color_space = JCS_UNKNOWN;
        cinfo.out_color_space = JCS_UNKNOWN;
    } else if (color == LANTERN_JPEG_COLOR_AS_RGB) {
        cinfo.jpeg_color_space = JCS_RGB;
        cinfo.out_color_space = JCS_RGB;
    } else if (color == LANTERN_JPEG_COLOR_YCC_TO_RGB) {
        cinfo.jpeg_color_space = JCS_YCbCr;
        cinfo.out_color_space = JCS_RGB;
    } else {
        cinfo.out_color_space = JCS_RGB;
    }
    jpeg_start_decompress(&cinfo);
    size_t samples = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    row = malloc(samples * sizeof(JSAMPLE));
    if (row == NULL) ERREXIT(&cinfo, JERR_OUT_OF_MEMORY);
    size_t at = 0;
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[1] = {row};
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) ERREXIT(&cinfo, JERR_INPUT_EOF);
        for (size_t i = 0; i < samples; i++) lantern_store(dst, at + i, frame, (int32_t)row[i]);
        at += samples;
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    return LANTERN_CODEC_OK;
}

typedef struct {
    struct jpeg_destination_mgr pub;
    lantern_buffer buffer;
} IJG_FN(destination);

enum { IJG_FN(chunk) = 65536 };

static void IJG_FN(init_destination)(j_compress_ptr cinfo) {
    IJG_FN(destination) *d = (IJG_FN(destination) *)cinfo->dest;
    if (!lantern_buffer_reserve(&d->buffer, IJG_FN(chunk))) ERREXIT(cinfo, JERR_OUT_OF_MEMORY);
    d->pub.next_output_byte = d->buffer.data;
    d->pub.free_in_buffer = d->buffer.capacity;
}

static boolean IJG_FN(empty_output_buffer)(j_compress_ptr cinfo) {
    IJG_FN(destination) *d = (IJG_FN(destination) *)cinfo->dest;
    d->buffer.position = d->buffer.capacity;
    if (!lantern_buffer_reserve(&d->buffer, IJG_FN(chunk))) ERREXIT(cinfo, JERR_OUT_OF_MEMORY);
    d->pub.next_output_byte = d->buffer.data + d->buffer.position;
    d->pub.free_in_buffer = d->buffer.capacity - d->buffer.position;
    return TRUE;
}

static void IJG_FN(term_destination)(j_compress_ptr cinfo) {
    IJG_FN(destination) *d = (IJG_FN(destination) *)cinfo->dest;
    d->buffer.length = d->buffer.capacity - d->pub.free_in_buffer;
}

int IJG_FN(encode)(const uint8_t *src, size_t len, const lantern_frame *frame, int predictor, int quality,
                   int input_is_ycc, uint8_t **out, size_t *out_len, char *message, size_t message_len) {
    struct jpeg_compress_struct cinfo;
    IJG_FN(error_mgr) err;
    IJG_FN(destination) dest;
    JSAMPLE *volatile row = NULL;
    memset(&cinfo, 0, sizeof cinfo);
    memset(&dest, 0, sizeof dest);
    *out = NULL;
    *out_len = 0;
    if (lantern_frame_size(frame) == 0 || lantern_frame_size(frame) > len ||
        (frame->components != 1 && frame->components != 3)) {
        lantern_message(message, message_len, "a frame JPEG cannot hold");
        return LANTERN_CODEC_UNSUPPORTED;
    }
    cinfo.err = IJG_FN(errors)(&err, message, message_len);
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(row);
        free(dest.buffer.data);
        return LANTERN_CODEC_UNSUPPORTED;
    }
    jpeg_create_compress(&cinfo);
    dest.pub.init_destination = IJG_FN(init_destination);
    dest.pub.empty_output_buffer = IJG_FN(empty_output_buffer);
    dest.pub.term_destination = IJG_FN(term_destination);
    cinfo.dest = &dest.pub;
    cinfo.image_width = (JDIMENSION)frame->width;
    cinfo.image_height = (JDIMENSION)frame->height;
    cinfo.input_components = frame->components;
    cinfo.in_color_space = frame->components == 3 ? (input_is_ycc ? JCS_YCbCr : JCS_RGB) : JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    cinfo.data_precision = frame->precision;
    if (predictor) {
        jpeg_simple_lossless(&cinfo, predictor, 0);
        // Lossless keeps the samples as they are: no colour transform (an Adobe marker says RGB).
        if (frame->components == 3) jpeg_set_colorspace(&cinfo, input_is_ycc ? JCS_YCbCr : JCS_RGB);
        if (frame->components == 3 && input_is_ycc) cinfo.jpeg_color_space = JCS_YCbCr;
    } else {
        jpeg_set_quality(&cinfo, quality, TRUE);
    }
    for (int c = 0; c < cinfo.num_components; c++) {
        cinfo.comp_info[c].h_samp_factor = 1;
        cinfo.comp_info[c].v_samp_factor = 1;
    }
    jpeg_start_compress(&cinfo, TRUE);
    size_t samples = (size_t)frame->width * (size_t)frame->components;
    row = malloc(samples * sizeof(JSAMPLE));
    if (row == NULL) ERREXIT(&cinfo, JERR_OUT_OF_MEMORY);
    size_t at = 0;
    while (cinfo.next_scanline < cinfo.image_height) {
        for (size_t i = 0; i < samples; i++) row[i] = (JSAMPLE)lantern_load(src, at + i, frame, 0);
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&cinfo, rows, 1);
        at += samples;
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    free(row);
    *out = dest.buffer.data;
    *out_len = dest.buffer.length;
    return LANTERN_CODEC_OK;
}
