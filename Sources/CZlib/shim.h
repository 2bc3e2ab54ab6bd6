#ifndef COMMUNEWATCH_CZLIB_SHIM_H
#define COMMUNEWATCH_CZLIB_SHIM_H
#include <zlib.h>
// deflateInit / inflateInit are macros over the *_ functions with version checks.
static inline int cw_deflate_init(z_stream *s, int level) { return deflateInit(s, level); }
static inline int cw_inflate_init(z_stream *s) { return inflateInit(s); }
#endif
