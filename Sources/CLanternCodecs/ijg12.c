// The IJG binding built against libgdcmjpeg12 (see ijg_impl.h).
#include <stdio.h>
#define IJG_BITS 12
#define IJG_HEADER <gdcm-3.0/gdcmjpeg/12/jpeglib.h>
#define IJG_ERRORS <gdcm-3.0/gdcmjpeg/12/jerror.h>
#define IJG_FN(name) lantern_ijg12_##name
#include "ijg_impl.h"
