// The IJG binding built against libgdcmjpeg16 (see ijg_impl.h).
#include <stdio.h>
#define IJG_BITS 16
#define IJG_HEADER <gdcm-3.0/gdcmjpeg/16/jpeglib.h>
#define IJG_ERRORS <gdcm-3.0/gdcmjpeg/16/jerror.h>
#define IJG_FN(name) lantern_ijg16_##name
#include "ijg_impl.h"
