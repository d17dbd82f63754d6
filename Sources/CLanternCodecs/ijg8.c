// The IJG binding built against libgdcmjpeg8 (see ijg_impl.h).
#include <stdio.h>
#define IJG_BITS 8
#define IJG_HEADER <gdcm-3.0/gdcmjpeg/8/jpeglib.h>
#define IJG_ERRORS <gdcm-3.0/gdcmjpeg/8/jerror.h>
#define IJG_FN(name) lantern_ijg8_##name
#include "ijg_impl.h"
