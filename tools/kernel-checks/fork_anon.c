// SPDX-License-Identifier: GPL-3.0-or-later
// What fork(2) does to anonymous pages: shared copy-on-write, write-protected
// in both mms, uffd-wp kept in the child only with EVENT_FORK, swap entries
// and uffd-wp markers, and that a write by either side copies without
// changing the other's page. The observations behind the engine's anonymous
// fork (docs/real-kernel-checks.md, "fork of anonymous pages").
//   cc -O2 -pthread -o /tmp/fork_anon tools/kernel-checks/fork_anon.c && sudo /tmp/fork_anon
// pagemap (the parent reads /proc/CHILD/pagemap too): P present (bit 63),
// S swap entry or pte marker (62), W uffd-wp (57); pfn (bits 0-54, root only)
// printed as "=" when the child maps the parent's pfn and "*" when it has its
// own. The swap line needs swap space (MADV_PAGEOUT; "no swap" otherwise).
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
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define PG 4096UL
#define NP 4

static uint64_t pagemapOf(pid_t pid, void *a) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/pagemap", (int)pid);
    int fd = open(path, O_RDONLY);
    uint64_t v = 0;
    if (fd < 0 || pread(fd, &v, 8, ((uintptr_t)a / PG) * 8) != 8) v = 0;
    if (fd >= 0) close(fd);
    return v;
}
static const uint64_t kPfn = (1ull << 55) - 1;
// One mm's pages; `ref` (the parent's pagemap, or NULL) marks shared pfns.
static void bits(const char *what, pid_t pid, char *base, const uint64_t *ref, uint64_t *out) {
    printf(" %s", what);
    for (int i = 0; i < NP; i++) {
        uint64_t v = pagemapOf(pid, base + i * PG);
        if (out) out[i] = v;
        char pfn = ' ';
        if (ref && (v >> 63) & 1) pfn = (ref[i] >> 63 & 1) && (ref[i] & kPfn) == (v & kPfn) ? '=' : '*';
        printf(" %c%c%c%c", (v >> 63) & 1 ? 'P' : '-', (v >> 62) & 1 ? 'S' : '-', (v >> 57) & 1 ? 'W' : '-', pfn);
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

// The monitor of the EVENT_FORK case: reads FORK from the parent's uffd,
// then serves the child's one WP fault (un-protects the page).
static int g_uffd;
static void *monitor(void *arg) {
    (void)arg;
    struct pollfd p = {g_uffd, POLLIN, 0};
    struct uffd_msg m;
    poll(&p, 1, 3000);
    if (read(g_uffd, &m, sizeof m) != sizeof m) return NULL;
    printf(" monitor read %s;", m.event == UFFD_EVENT_FORK ? "FORK" : "?");
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

// Pages 0-1 written ('a'), page 2 swapped out if `swap` (else written too),
// page 3 never touched. With `uffd`: registered WP and all four protected
// (WP_UNPOPULATED: page 3 gets a marker). Then fork; the child reads page 2,
// writes page 0 ('c') and reports; the parent writes page 1 ('p') after the
// child is gone, and reports its page 0.
static void check(const char *name, int uffd, int eventFork, int swap) {
    char *an = mmap(0, NP * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 3; i++) an[i * PG] = 'a';
    if (swap && (madvise(an + 2 * PG, PG, MADV_PAGEOUT) || !(pagemapOf(getpid(), an + 2 * PG) >> 62 & 1))) {
        printf("%s: no swap\n", name);
        munmap(an, NP * PG);
        return;
    }
    int u = -1;
    if (uffd) {
        u = newUffd(UFFD_FEATURE_WP_UNPOPULATED | (eventFork ? UFFD_FEATURE_EVENT_FORK : 0));
        struct uffdio_register r = {.range = {(uintptr_t)an, NP * PG}, .mode = UFFDIO_REGISTER_MODE_WP};
        struct uffdio_writeprotect w = {.range = {(uintptr_t)an, NP * PG}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
        if (ioctl(u, UFFDIO_REGISTER, &r) || ioctl(u, UFFDIO_WRITEPROTECT, &w)) perror("register/writeprotect");
    }
    uint64_t parent[NP];
    printf("%s:", name);
    bits("parent", getpid(), an, NULL, parent);
    pthread_t th;
    g_uffd = u;
    if (eventFork) pthread_create(&th, NULL, monitor, NULL);
    int go[2], done[2];
    if (pipe(go) || pipe(done)) perror("pipe");
    char b = 0;
    pid_t pid = fork();
    if (pid == 0) {
        if (read(go[0], &b, 1) != 1) _exit(1);  // the parent looked at our pagemap
        volatile char r = an[2 * PG];
        (void)r;
        an[0] = 'c';  // with EVENT_FORK and uffd: WP on the child's uffd first
        if (write(done[1], &b, 1) != 1) _exit(1);
        if (read(go[0], &b, 1) != 1) _exit(1);  // the parent looked again
        _exit(0);
    }
    bits("child", pid, an, parent, NULL);
    bits("parent after fork", getpid(), an, NULL, parent);
    if (write(go[1], &b, 1) != 1 || read(done[0], &b, 1) != 1) perror("sync");
    printf(" child read 2, wrote 0;");
    bits("child", pid, an, parent, NULL);
    bits("parent", getpid(), an, NULL, NULL);
    printf(" parent's page 0 holds %c;", an[0]);
    if (write(go[1], &b, 1) != 1) perror("sync");
    int st;
    waitpid(pid, &st, 0);
    if (eventFork) pthread_join(th, NULL);
    if (!uffd) {  // the child is gone: page 0 is the parent's alone again
        uint64_t before = pagemapOf(getpid(), an) & kPfn;
        an[0] = 'p';
        printf(" parent wrote 0 after the child exited: %s;",
               (pagemapOf(getpid(), an) & kPfn) == before ? "same pfn (reused)" : "new pfn (copied)");
    }
    printf("\n");
    if (u >= 0) close(u);
    munmap(an, NP * PG);
    close(go[0]), close(go[1]), close(done[0]), close(done[1]);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    check("no uffd", 0, 0, 0);
    check("uffd-wp, no EVENT_FORK", 1, 0, 0);
    check("uffd-wp, EVENT_FORK", 1, 1, 0);
    check("no uffd, page 2 swapped", 0, 0, 1);
    check("uffd-wp, no EVENT_FORK, page 2 swapped", 1, 0, 1);
    check("uffd-wp, EVENT_FORK, page 2 swapped", 1, 1, 1);
    return 0;
}
