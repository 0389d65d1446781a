// SPDX-License-Identifier: GPL-3.0-or-later
// mremap(2) of a uffd-wp registered shmem VMA, with and without EVENT_REMAP:
// what the moved ptes keep, whether the VMA stays registered, and the REMAP
// message (docs/real-kernel-checks.md, "mremap").
//   cc -O2 -pthread -o /tmp/mremap_uffd tools/kernel-checks/mremap_uffd.c && sudo /tmp/mremap_uffd
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
static int g_u;

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
static void vmflags(char* at) {
    FILE* f = fopen("/proc/self/smaps", "r");
    char line[256], want[32];
    int in = 0;
    snprintf(want, sizeof want, "%lx-", (unsigned long)at);
    while (f && fgets(line, sizeof line, f)) {
        if (!strncmp(line, want, strlen(want))) in = 1;
        if (in && !strncmp(line, "VmFlags:", 8)) {
            printf(" VMA uffd flags:%s%s;", strstr(line, " um") ? " um" : "", strstr(line, " uw") ? " uw" : "");
            break;
        }
    }
    if (f) fclose(f);
}
static void* monitor(void* arg) {
    (void)arg;
    struct pollfd p = {g_u, POLLIN, 0};
    struct uffd_msg m;
    if (poll(&p, 1, 2000) == 1 && read(g_u, &m, sizeof m) == sizeof m && m.event == UFFD_EVENT_REMAP)
        printf(" monitor read REMAP(0x%llx,0x%llx,%llu);", (unsigned long long)m.arg.remap.from,
               (unsigned long long)m.arg.remap.to, (unsigned long long)(m.arg.remap.len / PG));
    return NULL;
}

static void check(int eventRemap) {
    int fd = memfd_create("f", 0);
    if (ftruncate(fd, 4 * PG)) return;
    char* m = mmap((void*)0x40000000, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
    char* to = (char*)0x50000000;
    m[0] = m[PG] = 'a';  // 0-1 present, 2-3 none
    g_u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    struct uffdio_api api = {.api = UFFD_API,
                             .features = UFFD_FEATURE_MISSING_SHMEM | (eventRemap ? UFFD_FEATURE_EVENT_REMAP : 0)};
    ioctl(g_u, UFFDIO_API, &api);
    struct uffdio_register r = {.range = {(uintptr_t)m, 4 * PG}, .mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP};
    ioctl(g_u, UFFDIO_REGISTER, &r);
    struct uffdio_writeprotect w = {.range = {(uintptr_t)m, 4 * PG}, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
    ioctl(g_u, UFFDIO_WRITEPROTECT, &w);
    printf("mremap %s:", eventRemap ? "with EVENT_REMAP" : "without EVENT_REMAP");
    bits("before", m, 4);
    pthread_t t;
    if (eventRemap) pthread_create(&t, NULL, monitor, NULL);
    char* p = mremap(m, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, to);
    if (eventRemap) pthread_join(t, NULL);
    printf(" mremap %s;", p == to ? "ok" : strerror(errno));
    bits("after", to, 4);
    vmflags(to);
    printf("\n");
    munmap(to, 4 * PG);
    close(g_u);
    close(fd);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    check(0);
    check(1);
    return 0;
}
