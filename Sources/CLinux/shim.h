#ifndef COMMUNEWATCH_CSYSTEM_SHIM_H
#define COMMUNEWATCH_CSYSTEM_SHIM_H
// libc calls the Glibc module does not bring in.
#include <sys/timex.h>
#include <malloc.h>
// M_ARENA_MAX is a macro Swift does not import.
static inline void cw_use_one_malloc_arena(void) { mallopt(M_ARENA_MAX, 1); }
// 1 synchronised, 0 not, -1 unknown (the kernel's NTP state, as chronyd or systemd-timesyncd leave it).
static inline int cw_clock_synchronised(void) {
    struct timex t = {0};
    int state = adjtimex(&t);
    if (state < 0) return -1;
    return (state == TIME_ERROR || (t.status & STA_UNSYNC)) ? 0 : 1;
}
#endif
