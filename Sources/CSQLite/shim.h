#ifndef COMMUNEWATCH_CSQLITE_SHIM_H
#define COMMUNEWATCH_CSQLITE_SHIM_H

#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro that Swift cannot import: bound text and blobs are copied.
static inline int cw_bind_text(sqlite3_stmt *s, int i, const char *text, int length) {
    return sqlite3_bind_text(s, i, text, length, SQLITE_TRANSIENT);
}
static inline int cw_bind_blob(sqlite3_stmt *s, int i, const void *bytes, int length) {
    return sqlite3_bind_blob(s, i, bytes, length, SQLITE_TRANSIENT);
}

#endif
