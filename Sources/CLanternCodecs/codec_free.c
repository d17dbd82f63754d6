#include <stdlib.h>
#include "lantern_codecs.h"

void lantern_codec_free(uint8_t *buffer) { free(buffer); }
