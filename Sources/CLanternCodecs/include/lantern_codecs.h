// Lantern's bindings to the field's image codec libraries: libjpeg-turbo (8-bit JPEG), GDCM's IJG builds
// (12-bit and lossless JPEG), OpenJPEG (JPEG 2000, HTJ2K decoding) and CharLS (JPEG-LS). Each call codes one
// frame held in memory; errors are returned, never raised (the IJG error path longjmps inside this target).
#pragma once
#include <stddef.h>
#include <stdint.h>

/// Outcome of a call.
enum {
    LANTERN_CODEC_OK = 0,
    /// The codestream is damaged or truncated.
    LANTERN_CODEC_CORRUPT = 1,
    /// The codestream or frame uses something the library (or this binding) does not support.
    LANTERN_CODEC_UNSUPPORTED = 2,
    /// The codestream does not match the frame's attributes (size, samples).
    LANTERN_CODEC_MISMATCH = 3,
};

/// A native frame: samples interleaved, each in a little-endian container of `bytes_per_sample` bytes.
typedef struct lantern_frame {
    int width;
    int height;
    int components;
    /// 1 or 2.
    int bytes_per_sample;
    /// Bits Stored: the significant low bits of each container.
    int precision;
    /// Pixel Representation 1: decoded samples are sign-extended from `precision` bits; encoded ones masked.
    int is_signed;
} lantern_frame;

/// How a 3-sample lossy JPEG's colour is decoded.
enum {
    /// Samples as coded (lossless JPEG).
    LANTERN_JPEG_COLOR_RAW = 0,
    /// YCbCr converted to RGB whatever the markers say (DICOM says YBR_FULL or YBR_FULL_422).
    LANTERN_JPEG_COLOR_YCC_TO_RGB = 1,
    /// DICOM says RGB: an Adobe marker's transform flag decides, else a JFIF marker means YCbCr, else the
    /// samples are RGB as coded (converted to RGB when YCbCr).
    LANTERN_JPEG_COLOR_INFER = 2,
    /// The three samples are RGB as coded (no conversion).
    LANTERN_JPEG_COLOR_AS_RGB = 3,
};

/// What a JPEG codestream's start-of-frame says.
typedef struct lantern_jpeg_header {
    /// The SOF marker's low nibble: 0 baseline, 1 extended, 2 progressive, 3 lossless, 9+ arithmetic.
    int process;
    int precision;
    int width;
    int height;
    int components;
    /// Whether three components are identified 'R', 'G', 'B'.
    int rgb_ids;
} lantern_jpeg_header;

/// Reads the first start-of-frame of a JPEG codestream (ISO 10918-1 §B.2.2).
int lantern_jpeg_peek(const uint8_t *src, size_t len, lantern_jpeg_header *header);

/// Decodes a JPEG frame (any process: baseline and extended through libjpeg-turbo or IJG, lossless through
/// GDCM's IJG) into `dst`, which holds width × height × components × bytes_per_sample bytes.
int lantern_jpeg_decode(const uint8_t *src, size_t len, const lantern_frame *frame, int color, uint8_t *dst,
                        size_t dst_len, char *message, size_t message_len);

/// Encodes a native frame as JPEG: lossless process 14 with predictor `predictor` (1–7) when it is not 0, else
/// lossy sequential DCT at `quality` (1–100; 8-bit through libjpeg-turbo, 12-bit through IJG), colour converted
/// to YCbCr 4:4:4 unless `input_is_ycc`. `*out` is freed with lantern_codec_free.
int lantern_jpeg_encode(const uint8_t *src, size_t len, const lantern_frame *frame, int predictor, int quality,
                        int input_is_ycc, uint8_t **out, size_t *out_len, char *message, size_t message_len);

/// Decodes a JPEG 2000 codestream (Part 1 or Part 15 HTJ2K, raw or in a JP2 box) with OpenJPEG; the inverse
/// multi-component transform is applied when the codestream says so.
int lantern_j2k_decode(const uint8_t *src, size_t len, const lantern_frame *frame, uint8_t *dst, size_t dst_len,
                       char *message, size_t message_len);

/// Encodes a JPEG 2000 Part 1 codestream: reversible 5/3 when `reversible`, else irreversible 9/7 with one
/// quality layer at `psnr` dB; no multi-component transform.
int lantern_j2k_encode(const uint8_t *src, size_t len, const lantern_frame *frame, int reversible, float psnr,
                       uint8_t **out, size_t *out_len, char *message, size_t message_len);

/// Decodes a JPEG-LS frame with CharLS.
int lantern_jls_decode(const uint8_t *src, size_t len, const lantern_frame *frame, uint8_t *dst, size_t dst_len,
                       char *message, size_t message_len);

/// Encodes a JPEG-LS frame with CharLS, sample-interleaved, with NEAR = `near` (0 is lossless).
int lantern_jls_encode(const uint8_t *src, size_t len, const lantern_frame *frame, int near, uint8_t **out,
                       size_t *out_len, char *message, size_t message_len);

/// Frees an encoder's output.
void lantern_codec_free(uint8_t *buffer);
