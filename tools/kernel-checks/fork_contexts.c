// SPDX-License-Identifier: GPL-3.0-or-later
// What fork(2) does to userfaultfd registrations and uffd-wp on shmem and
// anonymous memory, and how two userfaultfd contexts of one mm share it out:
// the observations behind the engine's fork and "uffd" (docs/real-kernel-checks.md).
//   cc -O2 -pthread -o /tmp/fork_contexts tools/kernel-checks/fork_contexts.c && sudo /tmp/fork_contexts
// pagemap: P present (bit 63), S swap or pte marker (62), W uffd-wp (57).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#define PG 4096UL

static uint64_t pagemap(void *a) {
    int fd = open("/proc/self/pagemap", O_RDONLY);
    uint64_t v = 0;
    if (pread(fd, &v, 8, ((uintptr_t)a / PG) * 8) != 8) v = 0;
    close(fd);
    return v;
}
static void bits(const char *what, char *base, int n) {
    printf(" %s", what);
    for (int i = 0; i < n; i++) {
        uint64_t v = pagemap(base + i * PG);
        printf(" %c%c%c", (v >> 63) & 1 ? 'P' : '-', (v >> 62) & 1 ? 'S' : '-', (v >> 57) & 1 ? 'W' : '-');
    }
    printf(";");
}
static int newUffd(uint64_t features) {
    int u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    struct uffdio_api api = {.api = UFFD_API, .features = features};
    if (u < 0 || ioctl(u, UFFDIO_API, &api)) {
        perror("userfaultfd");
        exit(1);
    }
    return u;
}
static const char *res(int r) { return r ? strerror(errno) : "ok"; }
static int reg(int u, void *a, size_t len, int mode) {
    struct uffdio_register r = {.range = {(uintptr_t)a, len}, .mode = (uint64_t)mode};
    return ioctl(u, UFFDIO_REGISTER, &r);
}
static void wp(int u, void *a, size_t len) {
    struct uffdio_writeprotect w = {.range = {(uintptr_t)a, len}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
    if (ioctl(u, UFFDIO_WRITEPROTECT, &w)) perror("writeprotect");
}

// The monitor: reads FORK from the parent's uffd, then serves one WP fault
// on the child's (clears it) and says what it read.
static int g_uffd;
static void *monitor(void *arg) {
    (void)arg;
    struct pollfd p = {g_uffd, POLLIN, 0};
    struct uffd_msg m;
    poll(&p, 1, 3000);
    if (read(g_uffd, &m, sizeof m) != sizeof m) return NULL;
    printf(" monitor read %s (ufd %u);", m.event == UFFD_EVENT_FORK ? "FORK" : "?", m.arg.fork.ufd);
    int cu = (int)m.arg.fork.ufd;
    struct pollfd q = {cu, POLLIN, 0};
    if (poll(&q, 1, 3000) == 1 && read(cu, &m, sizeof m) == sizeof m) {
        int wpf = m.event == UFFD_EVENT_PAGEFAULT && (m.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP);
        printf(" child uffd read %s;", wpf ? "WP" : "?");
        struct uffdio_writeprotect w = {.range = {m.arg.pagefault.address & ~(PG - 1), PG}, .mode = 0};
        ioctl(cu, UFFDIO_WRITEPROTECT, &w);
    }
    return NULL;
}

static void forkCheck(int eventFork) {
    int fd = memfd_create("f", 0);
    if (ftruncate(fd, 8 * PG)) perror("ftruncate");
    char *m = mmap(0, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *an = mmap(0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 4; i++) m[i * PG] = 'a';  // shmem 0-3 present, 4-7 none
    an[0] = 'x';                                   // anon 0 present
    int u = newUffd(UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_WP_UNPOPULATED | (eventFork ? UFFD_FEATURE_EVENT_FORK : 0));
    reg(u, m, 8 * PG, UFFDIO_REGISTER_MODE_WP | UFFDIO_REGISTER_MODE_MISSING);
    reg(u, an, 4 * PG, UFFDIO_REGISTER_MODE_WP);
    wp(u, m, 8 * PG);
    wp(u, an, 4 * PG);
    printf("fork %s:", eventFork ? "with EVENT_FORK" : "without EVENT_FORK");
    bits("parent shmem", m, 8);
    bits("anon", an, 4);
    fflush(stdout);
    pthread_t th;
    g_uffd = u;
    if (eventFork) pthread_create(&th, NULL, monitor, NULL);
    pid_t pid = fork();  // with EVENT_FORK: returns once the monitor has read FORK
    if (pid == 0) {
        bits("child shmem", m, 8);
        bits("anon", an, 4);
        FILE *f = fopen("/proc/self/smaps", "r");
        char line[256];
        int inMemfd = 0;
        while (f && fgets(line, sizeof line, f)) {
            if (strstr(line, "memfd:f")) inMemfd = 1;
            if (inMemfd && !strncmp(line, "VmFlags:", 8)) {
                printf(" child VMA uffd flags:%s%s;", strstr(line, " um") ? " um" : "", strstr(line, " uw") ? " uw" : "");
                inMemfd = 0;
            }
        }
        if (f) fclose(f);
        m[0] = 'c';  // with EVENT_FORK: WP on the child's uffd, answered by the monitor
        printf(" child wrote page 0 (%c);", m[0]);
        bits("after", m, 1);
        printf("\n");
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    if (eventFork) pthread_join(th, NULL);
    bits(" parent after", m, 1);
    printf(" page 0 holds %c\n", m[0]);
    close(u);
    munmap(m, 8 * PG);
    munmap(an, 4 * PG);
    close(fd);
}

static void contextsCheck(void) {
    int fd = memfd_create("g", 0);
    if (ftruncate(fd, 8 * PG)) perror("ftruncate");
    char *m = mmap(0, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int u1 = newUffd(UFFD_FEATURE_MISSING_SHMEM), u2 = newUffd(UFFD_FEATURE_MISSING_SHMEM);
    static char src[PG] __attribute__((aligned(4096)));
    memset(src, 'z', PG);
    printf("two contexts: u1 register 0-4 %s;", res(reg(u1, m, 4 * PG, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP)));
    printf(" u2 register 4-8 %s;", res(reg(u2, m + 4 * PG, 4 * PG, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP)));
    printf(" u2 register 0 %s;", res(reg(u2, m, PG, UFFDIO_REGISTER_MODE_MISSING)));
    printf(" u2 register 3-5 %s;", res(reg(u2, m + 3 * PG, 2 * PG, UFFDIO_REGISTER_MODE_MISSING)));
    struct uffdio_copy c = {.dst = (uintptr_t)m, .src = (uintptr_t)src, .len = PG};
    printf(" u2 copy into 0 %s;", res(ioctl(u2, UFFDIO_COPY, &c)));
    struct uffdio_zeropage z = {.range = {(uintptr_t)m + PG, PG}};
    printf(" u2 zeropage 1 %s;", res(ioctl(u2, UFFDIO_ZEROPAGE, &z)));
    struct uffdio_writeprotect w = {.range = {(uintptr_t)m, PG}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
    printf(" u2 writeprotect 0 %s;", res(ioctl(u2, UFFDIO_WRITEPROTECT, &w)));
    struct uffdio_range r0 = {(uintptr_t)m, PG};
    printf(" u2 unregister 0 %s;", res(ioctl(u2, UFFDIO_UNREGISTER, &r0)));
    struct uffdio_copy c4 = {.dst = (uintptr_t)m + 4 * PG, .src = (uintptr_t)src, .len = PG};
    printf(" u1 copy into 4 %s;", res(ioctl(u1, UFFDIO_COPY, &c4)));
    close(u1);
    printf(" after close(u1): u2 register 0 %s\n", res(reg(u2, m, PG, UFFDIO_REGISTER_MODE_MISSING)));
    close(u2);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    forkCheck(0);
    forkCheck(1);
    contextsCheck();
    return 0;
}
