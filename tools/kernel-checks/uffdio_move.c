// SPDX-License-Identifier: GPL-3.0-or-later
// UFFDIO_MOVE (Linux 6.8) on anonymous memory: what it moves, what it
// refuses, and what the destination pte looks like (docs/real-kernel-checks.md).
// It answers real MISSING faults with moves (with and without DONTWAKE), and
// with a swap area active it also moves a write-protected swapped-out page.
//   cc -O2 -pthread -o /tmp/uffdio_move tools/kernel-checks/uffdio_move.c && sudo /tmp/uffdio_move
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The build host's uapi headers may predate Linux 6.8. */
#ifndef UFFDIO_MOVE
struct uffdio_move {
    __u64 dst, src, len, mode;
    __s64 move;
};
#define UFFDIO_MOVE _IOWR(UFFDIO, 0x05, struct uffdio_move)
#define UFFDIO_MOVE_MODE_DONTWAKE ((__u64)1 << 0)
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES ((__u64)1 << 1)
#endif
#ifndef UFFD_FEATURE_MOVE
#define UFFD_FEATURE_MOVE (1 << 16)
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#define PG 4096UL

static void bits(const char* what, char* base, int n) {
    int fd = open("/proc/self/pagemap", O_RDONLY);
    printf(" %s", what);
    for (int i = 0; i < n; i++) {
        uint64_t v = 0;
        if (pread(fd, &v, 8, ((uintptr_t)base / PG + (uintptr_t)i) * 8) != 8) v = 0;
        printf(" %c%c%c", (v >> 63) & 1 ? 'P' : '-', (v >> 62) & 1 ? 'S' : '-', (v >> 57) & 1 ? 'W' : '-');
    }
    close(fd);
    printf(";");
}
static long mv(int u, char* dst, char* src, unsigned long pages, unsigned long long mode) {
    struct uffdio_move m = {.dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = pages * PG, .mode = mode};
    int r = ioctl(u, UFFDIO_MOVE, &m);
    printf(" move %s (moved %lld);", r ? strerror(errno) : "ok", (long long)m.move);
    return r;
}

/* A thread's read of a MISSING-registered page: it sleeps in
 * handle_userfault until the range is woken. */
static volatile char g_got;
static volatile int g_done;
static void* reader(void* p) {
    g_got = *(volatile char*)p;
    __atomic_store_n(&g_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* A monitor answers a fault by moving a page in: with DONTWAKE the reader
 * stays asleep until UFFDIO_WAKE; without it the move wakes it. */
static void answered_by_move(void) {
    char* src = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char* dst = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_MOVE};
    struct uffdio_register r = {.range = {(uintptr_t)dst, 4 * PG}, .mode = UFFDIO_REGISTER_MODE_MISSING};
    if (ioctl(u, UFFDIO_API, &api) || ioctl(u, UFFDIO_REGISTER, &r)) return;
    src[0] = 'p', src[PG] = 'q';
    printf("faults answered by moves:");
    for (int dontwake = 1; dontwake >= 0; --dontwake) {
        char* at = dst + (dontwake ? 1 : 2) * PG;
        g_done = 0;
        pthread_t t;
        pthread_create(&t, NULL, reader, at);
        struct pollfd pf = {u, POLLIN, 0};
        struct uffd_msg m;
        if (poll(&pf, 1, 2000) != 1 || read(u, &m, sizeof m) != sizeof m) return;
        printf(" read MISS(%lu);", (unsigned long)((m.arg.pagefault.address - (uintptr_t)dst) / PG));
        mv(u, at, src + (dontwake ? 0 : PG), 1, dontwake ? UFFDIO_MOVE_MODE_DONTWAKE : 0);
        usleep(200000);
        printf(" reader %s;", __atomic_load_n(&g_done, __ATOMIC_ACQUIRE) ? "woke" : "still asleep");
        if (dontwake) {
            struct uffdio_range w = {(uintptr_t)at, PG};
            printf(" wake %s;", ioctl(u, UFFDIO_WAKE, &w) ? strerror(errno) : "ok");
        }
        pthread_join(t, NULL);
        printf(" it read %c;", g_got);
    }
    bits("src", src, 4);
    bits("dst", dst, 4);
    printf("\n");
}

static int swap_active(void) {
    FILE* f = fopen("/proc/swaps", "r");
    char line[256];
    int n = 0;
    while (f && fgets(line, sizeof line, f)) ++n;
    if (f) fclose(f);
    return n > 1; /* a header, then one line per area */
}

/* A source registered WP and write-protected (WP_UNPOPULATED: page 3 gets a
 * marker), page 1 paged out: what moves with each kind of pte. */
static void swapped_source(void) {
    char* src = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char* dst = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_MOVE | UFFD_FEATURE_WP_UNPOPULATED};
    if (ioctl(u, UFFDIO_API, &api)) return;
    struct uffdio_register rd = {.range = {(uintptr_t)dst, 4 * PG}, .mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP};
    struct uffdio_register rs = {.range = {(uintptr_t)src, 4 * PG}, .mode = UFFDIO_REGISTER_MODE_WP};
    if (ioctl(u, UFFDIO_REGISTER, &rd) || ioctl(u, UFFDIO_REGISTER, &rs)) return;
    src[0] = 'a', src[PG] = 'b', src[2 * PG] = 'c';
    struct uffdio_writeprotect w = {{(uintptr_t)src, 4 * PG}, UFFDIO_WRITEPROTECT_MODE_WP};
    if (ioctl(u, UFFDIO_WRITEPROTECT, &w)) return;
    bits("swap case: src after wp", src, 4);
    for (int k = 0; k < 20; k++) madvise(src + PG, PG, MADV_PAGEOUT), usleep(2000); /* until off the LRU batch */
    bits("src after pageout of 1", src, 4);
    mv(u, dst, src, 1, 0);                    /* present, uffd-wp */
    mv(u, dst + PG, src + PG, 1, 0);          /* swap entry, uffd-wp */
    mv(u, dst + 2 * PG, src + 3 * PG, 1, 0);  /* uffd-wp marker */
    bits("src", src, 4);
    bits("dst", dst, 4);
    printf(" dst[1]=%c;", dst[PG]);
    bits("dst after the read", dst, 4);
    printf("\n");
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    char* src = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char* dst = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int fd = memfd_create("f", 0);
    if (ftruncate(fd, 4 * PG)) return 1;
    char* shm = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    struct uffdio_api api = {.api = UFFD_API, .features = 0};
    if (ioctl(u, UFFDIO_API, &api)) return 1;
    printf("features offered: MOVE %s;", api.features & UFFD_FEATURE_MOVE ? "yes" : "no");
    struct uffdio_register r = {.range = {(uintptr_t)dst, 4 * PG}, .mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP};
    ioctl(u, UFFDIO_REGISTER, &r);
    src[0] = 'x';
    src[PG] = 'y';
    bits("src", src, 4);
    mv(u, dst, src, 1, 0);  // page 0 -> dst 0
    bits("after: src", src, 4);
    bits("dst", dst, 4);
    printf(" dst[0]=%c;", dst[0]);
    mv(u, dst, src + PG, 1, 0);  // dst 0 is populated
    mv(u, dst + 2 * PG, src + 2 * PG, 1, 0);  // src hole
    mv(u, dst + 2 * PG, src + 2 * PG, 1, UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES);
    mv(u, src + 3 * PG, dst + 3 * PG, 1, 0);  // dst not registered
    shm[0] = 's';
    mv(u, dst + 3 * PG, shm, 1, 0);           // shmem source (unregistered)
    printf("\n");
    answered_by_move();
    if (swap_active()) swapped_source();
    else printf("no swap area active: the swapped-out source is not tried\n");
    return 0;
}
