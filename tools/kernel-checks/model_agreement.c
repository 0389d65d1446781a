// SPDX-License-Identifier: GPL-3.0-or-later
// Checks, on the running kernel, the behaviours the engine was changed to
// agree with (docs/real-kernel-checks.md "Model agreement checks"). One
// function per behaviour; each prints "name: observation ..." lines.
// Build and run as root: cc -O2 -pthread -o /tmp/ma model_agreement.c && /tmp/ma
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif

#define PG 4096UL
static int pagemap_fd;

static uint64_t pagemap(void* p) {
    uint64_t e = 0;
    pread(pagemap_fd, &e, 8, ((uintptr_t)p / PG) * 8);
    return e;
}
// "P" present, "S" swap or marker, "-" none; "+wp" if bit 57.
static const char* pm(void* p) {
    static char buf[8][16];
    static int n;
    char* b = buf[n++ % 8];
    uint64_t e = pagemap(p);
    snprintf(b, 16, "%s%s", (e >> 63) & 1 ? "P" : (e >> 62) & 1 ? "S" : "-", (e >> 57) & 1 ? "+wp" : "");
    return b;
}

static int uffd_open(uint64_t features, uint64_t* got) {
    int fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) { perror("userfaultfd"); exit(1); }
    struct uffdio_api api = {.api = UFFD_API, .features = features};
    if (ioctl(fd, UFFDIO_API, &api)) { perror("UFFDIO_API"); exit(1); }
    if (got) *got = api.features;
    return fd;
}
static int reg(int fd, void* p, size_t len, uint64_t mode) {
    struct uffdio_register r = {.range = {(uintptr_t)p, len}, .mode = mode};
    return ioctl(fd, UFFDIO_REGISTER, &r) ? -errno : 0;
}
static int unreg(int fd, void* p, size_t len) {
    struct uffdio_range r = {(uintptr_t)p, len};
    return ioctl(fd, UFFDIO_UNREGISTER, &r) ? -errno : 0;
}
static int wp(int fd, void* p, size_t len, int on) {
    struct uffdio_writeprotect w = {.range = {(uintptr_t)p, len}, .mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0};
    return ioctl(fd, UFFDIO_WRITEPROTECT, &w) ? -errno : 0;
}
static int cont(int fd, void* p, size_t len) {
    struct uffdio_continue c = {.range = {(uintptr_t)p, len}};
    int r = ioctl(fd, UFFDIO_CONTINUE, &c) ? -errno : 0;
    return r ? r : (int)c.mapped;
}
// Reads one message within `ms`; returns 0 if none. Text into out.
static int read_msg(int fd, int ms, char* out, size_t n, void* base) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    if (poll(&pfd, 1, ms) <= 0) return snprintf(out, n, "none"), 0;
    struct uffd_msg m;
    if (read(fd, &m, sizeof m) != sizeof m) return snprintf(out, n, "read-failed"), 0;
    switch (m.event) {
    case UFFD_EVENT_PAGEFAULT: {
        uint64_t f = m.arg.pagefault.flags;
        snprintf(out, n, "%s(%ld%s)", f & UFFD_PAGEFAULT_FLAG_WP ? "WP" : f & UFFD_PAGEFAULT_FLAG_MINOR ? "MINOR" : "MISS",
                 (long)((m.arg.pagefault.address - (uintptr_t)base) / PG), f & UFFD_PAGEFAULT_FLAG_WRITE ? ",W" : "");
        break;
    }
    case UFFD_EVENT_REMOVE:
        snprintf(out, n, "REMOVE(%ld-%ld)", (long)((m.arg.remove.start - (uintptr_t)base) / PG), (long)((m.arg.remove.end - (uintptr_t)base) / PG));
        break;
    case UFFD_EVENT_UNMAP:
        snprintf(out, n, "UNMAP(%ld-%ld)", (long)((m.arg.remove.start - (uintptr_t)base) / PG), (long)((m.arg.remove.end - (uintptr_t)base) / PG));
        break;
    case UFFD_EVENT_FORK: snprintf(out, n, "FORK"); break;
    case UFFD_EVENT_REMAP: snprintf(out, n, "REMAP"); break;
    default: snprintf(out, n, "event %d", m.event);
    }
    return 1;
}

// Accesses in a thread (they may block in handle_userfault).
struct access { volatile char* p; int write; char v; volatile int done; };
static void* access_fn(void* a_) {
    struct access* a = a_;
    if (a->write) *a->p = a->v; else a->v = *a->p;
    a->done = 1;
    return NULL;
}
static pthread_t start_access(struct access* a) { pthread_t t; pthread_create(&t, NULL, access_fn, a); return t; }

static sigjmp_buf jb;
static volatile int last_sig;
static void on_sig(int s) { last_sig = s; siglongjmp(jb, 1); }
// Returns 0, or the signal the access raised.
static int try_access(volatile char* p, int write) {
    last_sig = 0;
    if (sigsetjmp(jb, 1) == 0) {
        if (write) *p = 'x'; else (void)*p;
    }
    return last_sig;
}

static int memfd(size_t pages) {
    int fd = memfd_create("fl", 0);
    ftruncate(fd, pages * PG);
    return fd;
}
static void fill(int fd, size_t i, char c) { char b[PG]; memset(b, c, PG); pwrite(fd, b, PG, i * PG); }
static char peek(int fd, size_t i) { char c = 0; pread(fd, &c, 1, i * PG); return c; }
static char* map2m(int fd, size_t pages, int flags, int prot) {
    // 2 MiB aligned so one pte table holds them all.
    char* r = mmap(NULL, 4 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char* a = (char*)(((uintptr_t)r + (2 << 20) - 1) & ~((2UL << 20) - 1));
    return mmap(a, pages * PG, prot, flags | MAP_FIXED, fd, 0);
}
static int vmas_in(char* lo, char* hi) {
    FILE* f = fopen("/proc/self/maps", "r");
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long s, e;
        if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s < (uintptr_t)hi && e > (uintptr_t)lo) n++;
    }
    fclose(f);
    return n;
}

static void item1_anon_wp_unpopulated(void) {
    uint64_t got;
    int u = uffd_open(UFFD_FEATURE_WP_UNPOPULATED, &got);
    char* a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("1 anon-wp-unpopulated: register WP %d; ", reg(u, a, 4 * PG, UFFDIO_REGISTER_MODE_WP));
    printf("writeprotect %d; ", wp(u, a, 4 * PG, 1));
    printf("page0 %s; ", pm(a));
    (void)*(volatile char*)a;
    printf("after read %s; ", pm(a));
    struct access w = {a, 1, 'w'};
    pthread_t t = start_access(&w);
    char msg[64];
    read_msg(u, 500, msg, sizeof msg, a);
    printf("write raises %s; ", msg);
    wp(u, a, PG, 0);
    pthread_join(t, NULL);
    printf("after clear %s data %c\n", pm(a), a[0]);
    // without the feature: none ptes stay none.
    int u2 = uffd_open(0, NULL);
    char* b = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    reg(u2, b, 4 * PG, UFFDIO_REGISTER_MODE_WP);
    wp(u2, b, 4 * PG, 1);
    printf("1 anon-wp-without-unpopulated: page0 %s\n", pm(b));
    close(u); close(u2);
}

static void item2_minor_without_feature(void) {
    uint64_t got;
    int u = uffd_open(0, &got);
    int fd = memfd(4);
    fill(fd, 0, 'b');
    char* a = map2m(fd, 4, MAP_SHARED, PROT_READ | PROT_WRITE);
    printf("2 minor-without-feature: features asked 0; register MINOR %d; ", reg(u, a, 4 * PG, UFFDIO_REGISTER_MODE_MINOR));
    struct access r = {a, 0};
    pthread_t t = start_access(&r);
    char msg[64];
    read_msg(u, 500, msg, sizeof msg, a);
    printf("read raises %s; ", msg);
    int cr = cont(u, a, PG);
    printf("continue %d; ", cr);
    pthread_join(t, NULL);
    printf("read %c %s\n", r.v, pm(a));
    close(u);
}

static void item3_continue_on_missing_only(void) {
    int u = uffd_open(UFFD_FEATURE_MISSING_SHMEM, NULL);
    int fd = memfd(4);
    fill(fd, 1, 'b');
    char* a = map2m(fd, 4, MAP_SHARED, PROT_READ | PROT_WRITE);
    printf("3 continue-on-missing-only: register MISSING %d; ", reg(u, a, 4 * PG, UFFDIO_REGISTER_MODE_MISSING));
    int r = cont(u, a + PG, PG);
    printf("continue page1 %d -> %s; ", r, pm(a + PG));
    printf("continue page2 (hole) %d\n", cont(u, a + 2 * PG, PG));
    close(u);
}

static void item4_partial_wp(void) {
    int u = uffd_open(UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_WP_HUGETLBFS_SHMEM, NULL);
    int fd = memfd(4);
    for (int i = 0; i < 4; ++i) fill(fd, i, 'b');
    char* a = map2m(fd, 4, MAP_SHARED, PROT_READ | PROT_WRITE);
    for (int i = 0; i < 4; ++i) (void)*(volatile char*)(a + i * PG);
    reg(u, a, 2 * PG, UFFDIO_REGISTER_MODE_WP);
    int r = wp(u, a, 4 * PG, 1);
    printf("4 partial-wp: writeprotect 0..4 (0..2 registered) %d; pages %s %s %s %s\n", r, pm(a), pm(a + PG), pm(a + 2 * PG), pm(a + 3 * PG));
    // the unregistered VMA first: nothing done
    int u2 = uffd_open(UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_WP_HUGETLBFS_SHMEM, NULL);
    char* b = map2m(fd, 4, MAP_SHARED, PROT_READ | PROT_WRITE);
    for (int i = 0; i < 4; ++i) (void)*(volatile char*)(b + i * PG);
    reg(u2, b + 2 * PG, 2 * PG, UFFDIO_REGISTER_MODE_WP);
    r = wp(u2, b, 4 * PG, 1);
    printf("4 partial-wp-hole-first: writeprotect 0..4 (2..4 registered) %d; pages %s %s %s %s\n", r, pm(b), pm(b + PG), pm(b + 2 * PG), pm(b + 3 * PG));
    close(u); close(u2);
}

static void item5_merge(void) {
    int u = uffd_open(UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_WP_HUGETLBFS_SHMEM, NULL);
    int fd = memfd(8);
    char* a = map2m(fd, 8, MAP_SHARED, PROT_READ | PROT_WRITE);
    printf("5 merge: vmas %d; ", vmas_in(a, a + 8 * PG));
    reg(u, a, 4 * PG, UFFDIO_REGISTER_MODE_MISSING);
    printf("after register 0..4: %d; ", vmas_in(a, a + 8 * PG));
    unreg(u, a + 2 * PG, 2 * PG);
    printf("after unregister 2..4: %d; ", vmas_in(a, a + 8 * PG));
    unreg(u, a, 2 * PG);
    printf("after unregister 0..2: %d\n", vmas_in(a, a + 8 * PG));
    close(u);
}

static void* munmap_thread(void* p) { munmap(p, PG); return NULL; }
static void* munmap2_thread(void* p) { munmap(p, 2 * PG); return NULL; }
static void* madv_thread(void* p) { madvise(p, 2 * PG, MADV_DONTNEED); return NULL; }
static void item6_remove_event(void) {
    int u = uffd_open(UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_EVENT_UNMAP, NULL);
    int fd = memfd(4);
    for (int i = 0; i < 4; ++i) fill(fd, i, 'b');
    char* a = map2m(fd, 4, MAP_SHARED, PROT_READ | PROT_WRITE);
    reg(u, a, 4 * PG, UFFDIO_REGISTER_MODE_MISSING);
    for (int i = 0; i < 4; ++i) (void)*(volatile char*)(a + i * PG);
    pthread_t t;
    pthread_create(&t, NULL, madv_thread, a + PG);
    char msg[64];
    read_msg(u, 500, msg, sizeof msg, a);
    pthread_join(t, NULL);
    printf("6 dontneed-event-remove: %s; ", msg);
    // MADV_REMOVE: punch + REMOVE
    pthread_t t2;
    struct { char* p; } x = {a + 2 * PG};
    (void)x;
    int r = 0;
    pid_t pid = 0; (void)pid;
    // fallocate punch raises no event
    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PG);
    read_msg(u, 200, msg, sizeof msg, a);
    printf("punch: %s; ", msg);
    (void)t2; (void)r;
    pthread_create(&t, NULL, munmap_thread, a + 3 * PG);
    read_msg(u, 200, msg, sizeof msg, a);
    pthread_join(t, NULL);
    printf("munmap 3: %s\n", msg);
    int u2 = uffd_open(UFFD_FEATURE_MISSING_SHMEM, NULL);
    char* b = map2m(fd, 4, MAP_SHARED, PROT_READ | PROT_WRITE);
    reg(u2, b, 4 * PG, UFFDIO_REGISTER_MODE_MISSING);
    madvise(b, PG, MADV_DONTNEED);
    read_msg(u2, 200, msg, sizeof msg, b);
    printf("6 dontneed-without-event-remove: %s\n", msg);
    close(u); close(u2);
}

static void* madv_remove_thread(void* p) { long r = madvise(p, PG, MADV_REMOVE); return (void*)r; }
static void vocab_madv_remove(void) {
    int u = uffd_open(UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_EVENT_REMOVE, NULL);
    int fd = memfd(4);
    for (int i = 0; i < 4; ++i) fill(fd, i, 'b');
    char* a = map2m(fd, 4, MAP_SHARED, PROT_READ | PROT_WRITE);
    reg(u, a, 4 * PG, UFFDIO_REGISTER_MODE_MISSING);
    pthread_t t;
    pthread_create(&t, NULL, madv_remove_thread, a + PG);
    char msg[64];
    read_msg(u, 500, msg, sizeof msg, a);
    void* rv;
    pthread_join(t, &rv);
    printf("madv-remove: %s ret %ld; page1 hole-in-file: data %d\n", msg, (long)rv, peek(fd, 1));
    close(u);
}

static void item7_register_replaces(void) {
    int u = uffd_open(UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_WP_HUGETLBFS_SHMEM, NULL);
    int fd = memfd(4);
    fill(fd, 0, 'b');
    char* a = map2m(fd, 4, MAP_SHARED, PROT_READ | PROT_WRITE);
    printf("7 register-replaces: MISSING|WP %d; ", reg(u, a, 4 * PG, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP));
    printf("then MISSING %d; ", reg(u, a, 4 * PG, UFFDIO_REGISTER_MODE_MISSING));
    printf("writeprotect %d; ", wp(u, a, 4 * PG, 1));
    printf("then WP %d; ", reg(u, a, 4 * PG, UFFDIO_REGISTER_MODE_WP));
    printf("writeprotect %d; read of hole page1: ", wp(u, a, 4 * PG, 0));
    struct access r = {a + PG, 0};
    pthread_t t = start_access(&r);
    char msg[64];
    read_msg(u, 300, msg, sizeof msg, a);
    if (strcmp(msg, "none")) { struct uffdio_zeropage z = {.range = {(uintptr_t)a + PG, PG}}; ioctl(u, UFFDIO_ZEROPAGE, &z); }
    pthread_join(t, NULL);
    printf("%s; ", msg);
    // MISSING, then WP (not a subset): the mode is replaced, MISSING dropped
    char* b = map2m(fd, 4, MAP_SHARED, PROT_READ | PROT_WRITE);
    printf("MISSING %d; ", reg(u, b, 4 * PG, UFFDIO_REGISTER_MODE_MISSING));
    printf("then WP %d; read of hole page2: ", reg(u, b, 4 * PG, UFFDIO_REGISTER_MODE_WP));
    struct access r2 = {b + 2 * PG, 0};
    t = start_access(&r2);
    read_msg(u, 300, msg, sizeof msg, b);
    if (strcmp(msg, "none")) { struct uffdio_zeropage z = {.range = {(uintptr_t)b + 2 * PG, PG}}; ioctl(u, UFFDIO_ZEROPAGE, &z); }
    pthread_join(t, NULL);
    printf("%s\n", msg);
    close(u);
}

static void item8_private(void) {
    int fd = memfd(4);
    fill(fd, 0, 'b');
    fill(fd, 1, 'b');
    char* a = map2m(fd, 4, MAP_PRIVATE, PROT_READ | PROT_WRITE);
    char r0 = a[0];
    printf("8 map-private: read %c %s; ", r0, pm(a));
    a[0] = 'a';
    printf("after write %s mem %c file %c; ", pm(a), a[0], peek(fd, 0));
    fill(fd, 0, 'c');
    printf("file rewritten to c: mem %c; ", a[0]);
    a[PG] = 'a';
    printf("write-first page1: mem %c file %c\n", a[PG], peek(fd, 1));
    // UFFDIO_COPY into a MAP_PRIVATE file mapping registered MISSING
    int u = uffd_open(UFFD_FEATURE_MISSING_SHMEM, NULL);
    char* b = map2m(fd, 4, MAP_PRIVATE, PROT_READ | PROT_WRITE);
    printf("8 map-private-copy: register MISSING %d; ", reg(u, b, 4 * PG, UFFDIO_REGISTER_MODE_MISSING));
    struct access rr = {b + 2 * PG, 0};
    pthread_t t = start_access(&rr);
    char msg[64];
    read_msg(u, 300, msg, sizeof msg, b);
    static char src[PG] __attribute__((aligned(4096)));
    memset(src, 'm', PG);
    struct uffdio_copy c = {.dst = (uintptr_t)(b + 2 * PG), .src = (uintptr_t)src, .len = PG};
    int cr = ioctl(u, UFFDIO_COPY, &c) ? -errno : 0;
    pthread_join(t, NULL);
    printf("%s; copy %d; read %c; file %d; missing on cached page0: ", msg, cr, rr.v, peek(fd, 2));
    struct access r0b = {b, 0};
    t = start_access(&r0b);
    read_msg(u, 300, msg, sizeof msg, b);
    printf("%s\n", msg);
    if (!strcmp(msg, "none")) pthread_join(t, NULL);
    else { struct uffdio_zeropage z = {.range = {(uintptr_t)b, PG}}; ioctl(u, UFFDIO_ZEROPAGE, &z); pthread_join(t, NULL); }
    close(u);
}

static void item9_prot_read(void) {
    int fd = memfd(4);
    fill(fd, 0, 'b');
    char* a = map2m(fd, 4, MAP_SHARED, PROT_READ);
    int rs = try_access(a, 0);
    int ws = try_access(a, 1);
    printf("9 write-to-prot-read: read %d, write %d (SIGSEGV=%d), file %c\n", rs, ws, SIGSEGV, peek(fd, 0));
    char* b = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(b, PG);
    printf("unmapped: read %d\n", try_access(b, 0));
    char* c = map2m(fd, 4, MAP_SHARED, PROT_READ | PROT_WRITE);
    c[0] = 'w';
    mprotect(c, 4 * PG, PROT_READ);
    ws = try_access(c, 1);
    printf("mprotect RO: %s write %d; ", pm(c), ws);
    mprotect(c, 4 * PG, PROT_READ | PROT_WRITE);
    printf("mprotect RW: write %d\n", try_access(c, 1));
}

static void vocab_ftruncate(void) {
    int u = uffd_open(UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_WP_HUGETLBFS_SHMEM, NULL);
    int fd = memfd(8);
    for (int i = 0; i < 6; ++i) fill(fd, i, 'b');
    char* a = map2m(fd, 8, MAP_SHARED, PROT_READ | PROT_WRITE);
    reg(u, a, 8 * PG, UFFDIO_REGISTER_MODE_WP);
    for (int i = 0; i < 4; ++i) (void)*(volatile char*)(a + i * PG);  // 0-3 mapped; 4,5 cached unmapped; 6,7 holes
    wp(u, a, 8 * PG, 1);
    int rs;
    printf("ftruncate: before:");
    for (int i = 0; i < 8; ++i) printf(" %s", pm(a + i * PG));
    ftruncate(fd, 2 * PG);
    printf("; after shrink to 2:");
    for (int i = 0; i < 8; ++i) printf(" %s", pm(a + i * PG));
    rs = try_access(a + 3 * PG, 0);
    printf("; read page 3: sig %d (SIGBUS=%d); ", rs, SIGBUS);
    printf("write page 3 sig %d", try_access(a + 3 * PG, 1));
    ftruncate(fd, 8 * PG);
    printf("; extend to 8:");
    for (int i = 0; i < 8; ++i) printf(" %s", pm(a + i * PG));
    (void)*(volatile char*)(a + 3 * PG);
    printf("; read page 3 data %d %s", a[3 * PG], pm(a + 3 * PG));
    struct access w = {a + 3 * PG, 1, 'w'};
    pthread_t t = start_access(&w);
    char msg[64];
    read_msg(u, 300, msg, sizeof msg, a);
    if (strcmp(msg, "none")) wp(u, a + 3 * PG, PG, 0);
    pthread_join(t, NULL);
    printf("; write page 3 raises %s", msg);
    struct access w1 = {a + 1 * PG, 1, 'w'};
    t = start_access(&w1);
    read_msg(u, 300, msg, sizeof msg, a);
    if (strcmp(msg, "none")) wp(u, a + PG, PG, 0);
    pthread_join(t, NULL);
    printf("; write page 1 raises %s\n", msg);
    // partial: shrink to mid-page
    int fd2 = memfd(2);
    fill(fd2, 0, 'b'); fill(fd2, 1, 'b');
    char* b = map2m(fd2, 2, MAP_SHARED, PROT_READ | PROT_WRITE);
    b[PG] = 'x';
    ftruncate(fd2, PG + 100);
    printf("ftruncate mid-page: page1 %s byte0 %c byte200 %d\n", pm(b + PG), b[PG], b[PG + 200]);
    close(u);
}

static void vocab_unmap_event(void) {
    int u = uffd_open(UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_EVENT_UNMAP, NULL);
    int fd = memfd(4);
    char* a = map2m(fd, 4, MAP_SHARED, PROT_READ | PROT_WRITE);
    reg(u, a, 4 * PG, UFFDIO_REGISTER_MODE_MISSING);
    pthread_t t;
    pthread_create(&t, NULL, munmap2_thread, a + PG);
    char msg[64];
    read_msg(u, 300, msg, sizeof msg, a);
    pthread_join(t, NULL);
    printf("unmap-event: munmap 1..3 -> %s; ", msg);
    pthread_create(&t, NULL, munmap_thread, a);
    read_msg(u, 300, msg, sizeof msg, a);
    pthread_join(t, NULL);
    printf("munmap 0 -> %s\n", msg);
    close(u);
}

int main(void) {
    struct sigaction sa = {.sa_handler = on_sig};
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
    setvbuf(stdout, NULL, _IONBF, 0);
    item1_anon_wp_unpopulated();
    item2_minor_without_feature();
    item3_continue_on_missing_only();
    item4_partial_wp();
    item5_merge();
    item6_remove_event();
    vocab_madv_remove();
    item7_register_replaces();
    item8_private();
    item9_prot_read();
    vocab_ftruncate();
    vocab_unmap_event();
    return 0;
}
