// The C wrapper of OpenJPH's encoder (see lantern_openjph.h). OpenJPH reports errors by throwing after
// printing to its error stream; both are kept inside this file.
#include "lantern_openjph.h"

#include <openjph/ojph_arch.h>
#include <openjph/ojph_codestream.h>
#include <openjph/ojph_file.h>
#include <openjph/ojph_mem.h>
#include <openjph/ojph_message.h>
#include <openjph/ojph_params.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <vector>

extern "C" int lantern_htj2k_encode(const uint8_t *src, size_t len, int width, int height, int components,
                                    int bytes_per_sample, int precision, int is_signed, int reversible,
                                    float delta, int rpcl, uint8_t **out, size_t *out_len, char *message,
                                    size_t message_len) {
    *out = nullptr;
    *out_len = 0;
    size_t samples = (size_t)width * (size_t)height * (size_t)components;
    if (width <= 0 || height <= 0 || components < 1 || components > 4 || (bytes_per_sample != 1 && bytes_per_sample != 2) ||
        precision < 1 || precision > 8 * bytes_per_sample || samples * (size_t)bytes_per_sample > len) {
        snprintf(message, message_len, "a frame HTJ2K encoding cannot take");
        return 2;
    }
    ojph::set_error_stream(nullptr);
    ojph::set_warning_stream(nullptr);
    ojph::set_info_stream(nullptr);
    try {
        ojph::codestream codestream;
        ojph::param_siz siz = codestream.access_siz();
        siz.set_image_extent(ojph::point((ojph::ui32)width, (ojph::ui32)height));
        siz.set_num_components((ojph::ui32)components);
        for (int c = 0; c < components; c++)
            siz.set_component((ojph::ui32)c, ojph::point(1, 1), (ojph::ui32)precision, is_signed != 0);
        siz.set_image_offset(ojph::point(0, 0));
        siz.set_tile_size(ojph::size((ojph::ui32)width, (ojph::ui32)height));
        siz.set_tile_offset(ojph::point(0, 0));
        ojph::param_cod cod = codestream.access_cod();
        int smallest = width < height ? width : height;
        ojph::ui32 levels = 5;
        while (levels > 0 && (8 << levels) > smallest) levels--;  // the lowest resolution keeps 8 pixels
        cod.set_num_decomposition(levels);
        cod.set_block_dims(64, 64);
        cod.set_progression_order(rpcl ? "RPCL" : "LRCP");
        cod.set_color_transform(false);
        cod.set_reversible(reversible != 0);
        if (!reversible) codestream.access_qcd().set_irrev_quant(delta);
        codestream.set_planar(components > 1);
        ojph::mem_outfile file;
        file.open();
        codestream.write_headers(&file);
        ojph::ui32 next = 0;
        ojph::line_buf *line = codestream.exchange(nullptr, next);
        // OpenJPH names the component of each line it wants next (planar: every row of one, then the next).
        std::vector<int> rows((size_t)components, 0);
        for (size_t k = 0; k < (size_t)height * (size_t)components; k++) {
            int c = (int)next;
            int y = rows[(size_t)c]++;
            ojph::si32 *row = line->i32;
            for (int x = 0; x < width; x++) {
                size_t i = ((size_t)y * (size_t)width + (size_t)x) * (size_t)components + (size_t)c;
                uint32_t raw = bytes_per_sample == 1 ? src[i] : (uint32_t)src[2 * i] | ((uint32_t)src[2 * i + 1] << 8);
                int32_t value = (int32_t)(raw & ((1u << precision) - 1));
                if (is_signed && (value >> (precision - 1)) & 1) value -= (int32_t)(1u << precision);
                row[x] = value;
            }
            line = codestream.exchange(line, next);
        }
        codestream.flush();
        size_t size = (size_t)file.tell();
        uint8_t *copy = (uint8_t *)malloc(size);
        if (copy == nullptr) {
            codestream.close();
            snprintf(message, message_len, "out of memory");
            return 2;
        }
        memcpy(copy, file.get_data(), size);
        codestream.close();
        *out = copy;
        *out_len = size;
        return 0;
    } catch (const std::exception &error) {
        snprintf(message, message_len, "OpenJPH: %s", error.what());
    } catch (...) {
        snprintf(message, message_len, "OpenJPH could not encode the frame");
    }
    return 2;
}

extern "C" void lantern_openjph_free(uint8_t *buffer) { free(buffer); }
