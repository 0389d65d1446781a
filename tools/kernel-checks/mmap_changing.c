// SPDX-License-Identifier: GPL-3.0-or-later
// ctx->mmap_changing: while a non-cooperative event (REMOVE here, UNMAP, FORK)
// is queued and its sender has not resumed, the filling and write-protecting
// ioctls of that userfaultfd fail with -EAGAIN; the others work.
//   cc -O2 -pthread -o /tmp/mmap_changing tools/kernel-checks/mmap_changing.c && sudo /tmp/mmap_changing
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

#define PG 4096UL
static char* g_m;
static volatile int g_done;

static void* dontneed(void* arg) {
    (void)arg;
    madvise(g_m + 1 * PG, PG, MADV_DONTNEED);  // waits until the monitor reads REMOVE
    g_done = 1;
    return NULL;
}
static const char* res(int r) { return r ? (errno == EAGAIN ? "EAGAIN" : strerror(errno)) : "ok"; }

int main(void) {
    int fd = memfd_create("f", 0);
    if (ftruncate(fd, 8 * PG)) return 1;
    g_m = mmap(0, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    for (int i = 0; i < 4; i++) g_m[i * PG] = 'a';
    int u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_MISSING_SHMEM};
    if (ioctl(u, UFFDIO_API, &api)) return 1;
    struct uffdio_register r = {.range = {(uintptr_t)g_m, 8 * PG},
                                .mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP};
    if (ioctl(u, UFFDIO_REGISTER, &r)) return 1;
    static char src[PG] __attribute__((aligned(4096)));
    pthread_t t;
    pthread_create(&t, NULL, dontneed, NULL);
    struct pollfd p = {u, POLLIN, 0};
    poll(&p, 1, 2000);  // REMOVE queued, not read: the sender waits
    struct uffdio_copy c = {.dst = (uintptr_t)g_m + 5 * PG, .src = (uintptr_t)src, .len = PG};
    struct uffdio_zeropage z = {.range = {(uintptr_t)g_m + 6 * PG, PG}};
    struct uffdio_writeprotect w = {.range = {(uintptr_t)g_m, PG}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
    struct uffdio_continue cn = {.range = {(uintptr_t)g_m + 2 * PG, PG}};
    struct uffdio_range wr = {(uintptr_t)g_m, PG};
    printf("REMOVE pending: copy %s; zeropage %s; writeprotect %s; continue %s; wake %s;", res(ioctl(u, UFFDIO_COPY, &c)),
           res(ioctl(u, UFFDIO_ZEROPAGE, &z)), res(ioctl(u, UFFDIO_WRITEPROTECT, &w)),
           res(ioctl(u, UFFDIO_CONTINUE, &cn)), res(ioctl(u, UFFDIO_WAKE, &wr)));
    struct uffdio_register r2 = {.range = {(uintptr_t)g_m + 7 * PG, PG}, .mode = UFFDIO_REGISTER_MODE_MISSING};
    printf(" register %s;", res(ioctl(u, UFFDIO_REGISTER, &r2)));
    struct uffd_msg m;
    ssize_t n = read(u, &m, sizeof m);
    printf(" read %s;", n == (ssize_t)sizeof m && m.event == UFFD_EVENT_REMOVE ? "REMOVE" : "?");
    pthread_join(t, NULL);
    printf(" after the sender resumed: copy %s; writeprotect %s\n", res(ioctl(u, UFFDIO_COPY, &c)),
           res(ioctl(u, UFFDIO_WRITEPROTECT, &w)));
    return 0;
}
