/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * twin_rt: the kernel twin's runtime (see twin_rt.h). Plain C on Linux
 * syscalls so that the reproducer `faultline-cli kernel --emit-c` writes is
 * this very code.
 *
 * Processes: the controller (the caller) owns the memfd, a read-only probe
 * mapping of it (for mincore, never touched) and runs the file operations
 * (write(2), fallocate); each mm is a forked child that maps its VMAs at the
 * session's addresses with MAP_FIXED_NOREPLACE and runs that mm's operations
 * on command over a SOCK_SEQPACKET socket. Each userfaultfd context is opened
 * by the process of the mm its uffdio_api op names (userfaultfd(2) binds it to
 * the caller's mm); one monitor thread per such process polls all of its
 * contexts (and those fork children's FORK messages hand over), answers each
 * message through the fd it came from by the session's policy and logs it, in
 * order, into memory shared with the controller. User accesses run in a thread of their child so that one left
 * blocked in handle_userfault() (a policy that never answers) is reported as
 * "blocked" instead of hanging the run.
 */
#define _GNU_SOURCE
#include "twin_rt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <time.h>
#include <unistd.h>

/* The build host's uapi headers may predate the running kernel. */
#ifndef UFFDIO_CONTINUE_MODE_WP
#define UFFDIO_CONTINUE_MODE_WP ((__u64)1 << 1)
#endif
#ifndef UFFD_EVENT_REMOVE
#define UFFD_EVENT_REMOVE 0x15
#endif
#ifndef UFFD_EVENT_REMAP
#define UFFD_EVENT_REMAP 0x14
#endif
#ifndef UFFD_EVENT_UNMAP
#define UFFD_EVENT_UNMAP 0x16
#endif
/* UFFDIO_POISON (Linux 6.6). */
struct tw_uffdio_poison {
    struct uffdio_range range;
    uint64_t mode;
    int64_t updated;
};
#ifndef UFFDIO_POISON
#define UFFDIO_POISON _IOWR(UFFDIO, 0x08, struct tw_uffdio_poison)
#endif
/* UFFDIO_MOVE (Linux 6.8). */
struct tw_uffdio_move {
    uint64_t dst, src, len, mode;
    int64_t move;
};
#ifndef UFFDIO_MOVE
#define UFFDIO_MOVE _IOWR(UFFDIO, 0x05, struct tw_uffdio_move)
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1U
#endif

/* cachestat(2) (Linux 6.5) is newer than the build host's headers. */
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
struct tw_cachestat_range {
    uint64_t off, len;
};
struct tw_cachestat {
    uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

#define TW_MAX_MSGS 4096
#define TW_MSG_LEN 48
#define TW_REPLY 65536
#define TW_ACCESS_TIMEOUT_MS 3000

struct tw_shared {
    volatile int nmsg;
    volatile int msg_lock; /* monitors of several processes log into msg[] */
    char msg[TW_MAX_MSGS][TW_MSG_LEN];
    volatile long long start_ns[TW_MAX_RACERS];
    volatile int done[TW_MAX_RACERS];
    char result[TW_MAX_RACERS][64];
    /* the race loop (see racer_thread): */
    volatile int go;                   /* futex word: bumped to start the armed racers */
    volatile int ready[TW_MAX_RACERS]; /* a racer waits for go */
    volatile long long began_ns[TW_MAX_RACERS], ended_ns[TW_MAX_RACERS]; /* its operation, measured */
};

enum { CMD_OP, CMD_OBSERVE, CMD_PAGEOUT_IF_MAPPED, CMD_RACE_ARM, CMD_RACE_JOIN, CMD_EXIT };
struct tw_cmd {
    int type, op, slot, cpu;
};

static const struct tw_world* W;
static long PS;
static int g_memfd = -1;
static char* g_probe;
static struct tw_shared* g_sh;
static pid_t g_pid[TW_MAX_MMS];
static int g_sock[TW_MAX_MMS];
static int g_nchildren;
static int g_me = -1;       /* child: its mm index */
static int g_uffd[TW_MAX_UFFDS]; /* child: its mm's userfaultfds by context number, -1: none */
static pthread_t g_monitor;      /* child with a userfaultfd: the monitor thread */
static int g_monitor_on;
static volatile int g_monitor_stop; /* set before close(uffd): the monitor returns */
static int g_unmapped[TW_MAX_VMAS]; /* child: VMAs munmap()ed */
static unsigned long g_moved[TW_MAX_VMAS]; /* child: where mremap() moved a VMA (bytes), 0: at its place */
/* Fork children (tw_mm.fork_of1): the process that forks one hands the
 * socket's child end (inherited from the controller) to the new process; the
 * monitor serves the userfaultfd a FORK message hands over. */
static int g_fork_sock[TW_MAX_MMS];
static int g_fork_uffd[TW_MAX_MMS]; /* uffd mm child, monitor: the fork children's contexts, -1: none */
static volatile int g_forking = -1; /* uffd mm child: the fork child being created (for FORK's text) */
static void child_loop(int sock, char* reply);
static volatile sig_atomic_t g_stop;
static __thread sigjmp_buf* tl_jmp;
static int map_vma(int mm, int i, char* why, size_t n);

/* ---- small helpers ----------------------------------------------------- */

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char* errname(int e) {
    switch (e) {
    case 0: return "ok";
    case EEXIST: return "-EEXIST";
    case EINVAL: return "-EINVAL";
    case ENOENT: return "-ENOENT";
    case EFAULT: return "-EFAULT";
    case EBUSY: return "-EBUSY";
    case EAGAIN: return "-EAGAIN";
    case EPERM: return "-EPERM";
    case ENOMEM: return "-ENOMEM";
    case ESRCH: return "-ESRCH";
    case ENOSPC: return "-ENOSPC";
    case EBADF: return "-EBADF";
    case ENOTTY: return "-ENOTTY";
    case EACCES: return "-EACCES";
    default: return "-E?";
    }
}

/* A page's content tag as the engine spells it: its first bytes up to NUL
 * (at most 7), "0" for a zero-filled page. */
static void tag_text(const unsigned char* b, char* out) {
    int i;
    if (b[0] == 0) {
        strcpy(out, "0");
        return;
    }
    for (i = 0; i < 7 && b[i] > ' ' && b[i] < 127; ++i) out[i] = (char)b[i];
    out[i] = 0;
}

static void tag_page(char* page, const char* tag) {
    memset(page, 0, (size_t)PS);
    if (tag) memcpy(page, tag, strnlen(tag, 7));
}

static void copy_tag_for(unsigned long index, char* out) {
    const char* t = W->policy.copy_tag ? W->policy.copy_tag : "m{i}";
    const char* p = strstr(t, "{i}");
    if (p) snprintf(out, 16, "%.*s%lu%s", (int)(p - t), t, index, p + 3);
    else snprintf(out, 16, "%s", t);
    out[7] = 0;
}

/* Where VMA i of mm starts now: moved by mremap() in this process, or the session's place. */
static unsigned long vma_start(int mm, int i) {
    return mm == g_me && g_moved[i] ? g_moved[i] : W->mms[mm].vmas[i].start;
}

static char* vma_addr(int mm, int vma, unsigned long page) {
    const struct tw_vma* v = &W->mms[mm].vmas[vma];
    return (char*)(vma_start(mm, vma) + (v->file ? page - v->pgoff : page) * (unsigned long)PS);
}

/* ---- the monitor (thread of the uffd mm's child) ------------------------ */

static void log_msg(const char* s) {
    while (__atomic_exchange_n(&g_sh->msg_lock, 1, __ATOMIC_ACQUIRE)) sched_yield();
    int n = g_sh->nmsg;
    if (n < TW_MAX_MSGS) {
        snprintf(g_sh->msg[n], TW_MSG_LEN, "%s", s);
        __atomic_store_n(&g_sh->nmsg, n + 1, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&g_sh->msg_lock, 0, __ATOMIC_RELEASE);
}

/* The page an address of this process's mm is: every context the monitor
 * serves here acts on this mm (a fork child's context on the child's copy of
 * the same VMAs). */
static int page_of(unsigned long addr, unsigned long* index) {
    const struct tw_mm* m = &W->mms[g_me];
    for (int i = 0; i < m->nvmas; ++i) {
        const struct tw_vma* v = &m->vmas[i];
        const unsigned long start = vma_start(g_me, i);
        if (addr >= start && addr < start + v->pages * (unsigned long)PS) {
            unsigned long k = (addr - start) / (unsigned long)PS;
            *index = v->file ? v->pgoff + k : k;
            return 1;
        }
    }
    *index = addr;
    return 0;
}

/* Whether an address of this process's mm lies in an anonymous VMA. */
static int in_anon_vma(unsigned long addr) {
    const struct tw_mm* m = &W->mms[g_me];
    for (int i = 0; i < m->nvmas; ++i) {
        const unsigned long start = vma_start(g_me, i);
        if (addr >= start && addr < start + m->vmas[i].pages * (unsigned long)PS) return !m->vmas[i].file;
    }
    return 0;
}

/* An event's range [start, end) in bytes as the engine spells it: pages
 * [a, b) of the VMA holding start (file pages for a file VMA). */
static void range_text(const char* what, unsigned long start, unsigned long end, char* out, size_t n) {
    unsigned long lo, hi;
    page_of(start, &lo);
    hi = lo + (end - start + (unsigned long)PS - 1) / (unsigned long)PS;
    snprintf(out, n, "%s(%lu-%lu)", what, lo, hi);
}

static void* monitor(void* arg) {
    (void)arg;
    char* src = mmap(NULL, (size_t)PS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    while (!g_monitor_stop) {
        /* This mm's userfaultfds and those of fork children (the child's
         * VMAs are its parent's: page_of() names their pages alike). A
         * context opened meanwhile is polled from the next round on. */
        struct pollfd p[TW_MAX_UFFDS + TW_MAX_MMS];
        int np = 0;
        for (int i = 0; i < TW_MAX_UFFDS; ++i) {
            int u = __atomic_load_n(&g_uffd[i], __ATOMIC_ACQUIRE);
            if (u >= 0) p[np++] = (struct pollfd){u, POLLIN, 0};
        }
        for (int i = 0; i < TW_MAX_MMS; ++i)
            if (g_fork_uffd[i] >= 0) p[np++] = (struct pollfd){g_fork_uffd[i], POLLIN, 0};
        if (poll(p, (nfds_t)np, 100) <= 0) continue;
        int fd = -1;
        for (int i = 0; i < np && fd < 0; ++i)
            if (p[i].revents & POLLIN) fd = p[i].fd;
        if (fd < 0) continue;
        struct uffd_msg msg;
        if (read(fd, &msg, sizeof msg) != (ssize_t)sizeof msg) continue;
        char text[TW_MSG_LEN];
        if (msg.event == UFFD_EVENT_FORK) {
            /* The read installed the child's context as a new fd here; the
             * fork returns. Serve it, or close it (policy). */
            int c = g_forking;
            snprintf(text, sizeof text, "FORK(%s)", c >= 0 ? W->mms[c].name : "?");
            log_msg(text);
            if (W->policy.close_forked || c < 0) close((int)msg.arg.fork.ufd);
            else g_fork_uffd[c] = (int)msg.arg.fork.ufd;
            continue;
        }
        if (msg.event != UFFD_EVENT_PAGEFAULT) {
            /* Reading an event completes it (userfaultfd_event_complete): the
             * sender wakes; no ioctl answers it. */
            if (msg.event == UFFD_EVENT_REMOVE || msg.event == UFFD_EVENT_UNMAP)
                range_text(msg.event == UFFD_EVENT_REMOVE ? "REMOVE" : "UNMAP", (unsigned long)msg.arg.remove.start,
                           (unsigned long)msg.arg.remove.end, text, sizeof text);
            else if (msg.event == UFFD_EVENT_REMAP)
                snprintf(text, sizeof text, "REMAP(0x%llx,0x%llx,%llu)", (unsigned long long)msg.arg.remap.from,
                         (unsigned long long)msg.arg.remap.to, (unsigned long long)(msg.arg.remap.len / (unsigned long)PS));
            else snprintf(text, sizeof text, "event(%d)", msg.event);
            log_msg(text);
            continue;
        }
        unsigned long long flags = msg.arg.pagefault.flags;
        unsigned long addr = (unsigned long)msg.arg.pagefault.address & ~((unsigned long)PS - 1);
        unsigned long index;
        page_of(addr, &index);
        const char* kind = flags & UFFD_PAGEFAULT_FLAG_WP ? "WP" : flags & UFFD_PAGEFAULT_FLAG_MINOR ? "MINOR" : "MISS";
        snprintf(text, sizeof text, "%s(%lu%s)", kind, index, flags & UFFD_PAGEFAULT_FLAG_WRITE ? ",W" : "");
        log_msg(text);
        int r = 0;
        struct uffdio_range range = {addr, (unsigned long)PS};
        if (flags & UFFD_PAGEFAULT_FLAG_WP) {
            if (!W->policy.clear_on_wp) continue;
            struct uffdio_writeprotect w = {range, 0};
            r = ioctl(fd, UFFDIO_WRITEPROTECT, &w);
        } else if (flags & UFFD_PAGEFAULT_FLAG_MINOR) {
            if (!W->policy.continue_on_minor) continue;
            struct uffdio_continue c = {range, W->policy.continue_mode_wp ? UFFDIO_CONTINUE_MODE_WP : 0, 0};
            r = ioctl(fd, UFFDIO_CONTINUE, &c);
        } else {
            if (W->policy.move_src_offset && in_anon_vma(addr)) {
                /* A staging page of the same VMA moves in; the move wakes the fault. */
                struct tw_uffdio_move mv = {addr, addr + (unsigned long)(W->policy.move_src_offset * PS),
                                            (unsigned long)PS, 0, 0};
                r = ioctl(fd, UFFDIO_MOVE, &mv);
                if (r == 0) continue;
                if (errno == EEXIST) {
                    ioctl(fd, UFFDIO_WAKE, &range);
                    continue;
                }
                /* failing otherwise: answer as without it */
            }
            if (W->policy.zeropage) {
                struct uffdio_zeropage z = {range, 0, 0};
                r = ioctl(fd, UFFDIO_ZEROPAGE, &z);
            } else {
                char tag[16];
                copy_tag_for(index, tag);
                tag_page(src, tag);
                struct uffdio_copy c = {addr, (unsigned long)src, (unsigned long)PS,
                                        W->policy.copy_mode_wp ? UFFDIO_COPY_MODE_WP : 0, 0};
                r = ioctl(fd, UFFDIO_COPY, &c);
            }
        }
        if (r != 0 && errno == EEXIST) ioctl(fd, UFFDIO_WAKE, &range);
    }
    munmap(src, (size_t)PS);
    return NULL;
}

/* ---- operations ---------------------------------------------------------- */

static void on_fault_signal(int sig) {
    if (tl_jmp) siglongjmp(*tl_jmp, sig);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* A user access of every page of the op, one byte at a time (the compiler
 * must neither elide nor merge them). */
static void do_access(const struct tw_op* o, char* res) {
    sigjmp_buf jb;
    int sig = sigsetjmp(jb, 1);
    if (sig) {
        tl_jmp = NULL;
        strcpy(res, sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
        return;
    }
    tl_jmp = &jb;
    unsigned char got[8] = {0};
    for (unsigned long i = 0; i < o->count; ++i) {
        volatile unsigned char* p = (volatile unsigned char*)vma_addr(g_me, o->vma, o->page + i);
        if (o->kind == TW_WRITE) {
            char t[8] = {0};
            if (o->tag) memcpy(t, o->tag, strnlen(o->tag, 7));
            for (int b = 0; b < 8; ++b) p[b] = (unsigned char)t[b];
        } else {
            for (int b = 0; b < 8; ++b) got[b] = p[b];
        }
    }
    tl_jmp = NULL;
    if (o->kind == TW_READ && o->count == 1) {
        char t[8];
        tag_text(got, t);
        snprintf(res, 64, "read=%s", t);
    } else {
        strcpy(res, "ok");
    }
}

static int monitor_start(void) {
    if (g_monitor_on) return 0;
    g_monitor_stop = 0;
    if (pthread_create(&g_monitor, NULL, monitor, NULL) != 0) return EAGAIN;
    g_monitor_on = 1;
    return 0;
}

static void monitor_stop(void) {
    if (!g_monitor_on) return;
    g_monitor_stop = 1;
    pthread_join(g_monitor, NULL);
    g_monitor_on = 0;
}

static int uffd_ioctl(const struct tw_op* o) {
    char* a = vma_addr(g_me, o->vma, o->page);
    unsigned long len = o->count * (unsigned long)PS;
    struct uffdio_range range = {(unsigned long)a, len};
    if (o->uffd < 0 || o->uffd >= TW_MAX_UFFDS) return EINVAL;
    const int fd = g_uffd[o->uffd];
    switch (o->kind) {
    case TW_API: {
        /* userfaultfd(2) for a context not open yet; UFFDIO_API again on an
         * open one (the kernel answers -EINVAL, as the engine does). */
        int u = fd;
        if (u < 0) {
            u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
            if (u < 0) return errno;
            __atomic_store_n(&g_uffd[o->uffd], u, __ATOMIC_RELEASE);
        }
        struct uffdio_api api = {UFFD_API, o->arg, 0};
        if (ioctl(u, UFFDIO_API, &api) != 0) return errno;
        return monitor_start();
    }
    case TW_UFFD_CLOSE: {
        /* The monitor stops first: a poll() or read() of it in flight would
         * hold the file, and userfaultfd_release runs at the last fput. It
         * starts again for the contexts still open. */
        monitor_stop();
        int r = close(fd) ? errno : 0;
        __atomic_store_n(&g_uffd[o->uffd], -1, __ATOMIC_RELEASE);
        int others = 0;
        for (int i = 0; i < TW_MAX_UFFDS; ++i) others |= g_uffd[i] >= 0;
        for (int i = 0; i < TW_MAX_MMS; ++i) others |= g_fork_uffd[i] >= 0;
        if (others && monitor_start()) return EAGAIN;
        return r;
    }
    case TW_POISON: {
        struct tw_uffdio_poison pz = {range, 0, 0};
        return ioctl(fd, UFFDIO_POISON, &pz) ? errno : 0;
    }
    case TW_REGISTER: {
        struct uffdio_register r = {range, o->arg, 0};
        return ioctl(fd, UFFDIO_REGISTER, &r) ? errno : 0;
    }
    case TW_UNREGISTER: return ioctl(fd, UFFDIO_UNREGISTER, &range) ? errno : 0;
    case TW_WRITEPROTECT: {
        struct uffdio_writeprotect w = {range, o->arg};
        return ioctl(fd, UFFDIO_WRITEPROTECT, &w) ? errno : 0;
    }
    case TW_COPY: {
        char* src = mmap(NULL, (size_t)PS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        tag_page(src, o->tag);
        struct uffdio_copy c = {(unsigned long)a, (unsigned long)src, (unsigned long)PS, o->arg, 0};
        int r = ioctl(fd, UFFDIO_COPY, &c) ? errno : 0;
        munmap(src, (size_t)PS);
        return r;
    }
    case TW_ZEROPAGE: {
        struct uffdio_zeropage z = {{(unsigned long)a, (unsigned long)PS}, o->arg, 0};
        return ioctl(fd, UFFDIO_ZEROPAGE, &z) ? errno : 0;
    }
    case TW_CONTINUE: {
        struct uffdio_continue c = {{(unsigned long)a, (unsigned long)PS}, o->arg, 0};
        return ioctl(fd, UFFDIO_CONTINUE, &c) ? errno : 0;
    }
    case TW_WAKE: return ioctl(fd, UFFDIO_WAKE, &range) ? errno : 0;
    case TW_MOVE: {
        struct tw_uffdio_move mv = {(unsigned long)a, (unsigned long)vma_addr(g_me, o->src_vma, o->src_page), len,
                                    o->arg, 0};
        return ioctl(fd, UFFDIO_MOVE, &mv) ? errno : 0;
    }
    }
    return EINVAL;
}

/* lru_add_drain() on every CPU (what reclaim's lru_add_drain_all() does): a
 * folio still in some CPU's lru_add batch is not on an LRU list, and
 * MADV_PAGEOUT, which drains only the caller's CPU, skips it. madvise_pageout()
 * drains the local CPU first even when the range has nothing mapped, so the
 * calling thread runs it on an empty anonymous page on each CPU in turn. */
static void drain_lru_all_cpus(void) {
    cpu_set_t old, one;
    if (sched_getaffinity(0, sizeof old, &old) != 0) return;
    void* p = mmap(NULL, (size_t)PS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    for (long c = 0; c < ncpu && c < CPU_SETSIZE; ++c) {
        CPU_ZERO(&one);
        CPU_SET((int)c, &one);
        if (sched_setaffinity(0, sizeof one, &one) == 0) madvise(p, (size_t)PS, MADV_PAGEOUT);
    }
    sched_setaffinity(0, sizeof old, &old);
    munmap(p, (size_t)PS);
}

/* MADV_PAGEOUT standing in for global reclaim (arg 1): every CPU's lru_add
 * batch is drained first, and it is repeated while a page of the range is
 * still present. */
static int pageout_until_unmapped(const struct tw_op* o) {
    char* a = vma_addr(g_me, o->vma, o->page);
    int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    int e = 0;
    for (int attempt = 0; attempt < 50; ++attempt) {
        if (attempt) usleep(2000);
        drain_lru_all_cpus();
        if (madvise(a, o->count * (unsigned long)PS, MADV_PAGEOUT)) {
            e = errno;
            break;
        }
        int present = 0;
        for (unsigned long i = 0; i < o->count && pm >= 0; ++i) {
            uint64_t raw = 0;
            if (pread(pm, &raw, 8, (off_t)(((unsigned long)a / (unsigned long)PS + i) * 8)) == 8 && (raw >> 63 & 1))
                present = 1;
        }
        if (!present) break;
    }
    if (pm >= 0) close(pm);
    return e;
}

/* Executes op k in this process (child: an mm op; controller: a file op). */
static void exec_op(int k, char* res) {
    const struct tw_op* o = &W->ops[k];
    int e = 0;
    switch (o->kind) {
    case TW_READ:
    case TW_WRITE: do_access(o, res); return;
    case TW_FILE_WRITE: {
        char* buf = malloc((size_t)PS);
        tag_page(buf, o->tag);
        for (unsigned long i = 0; i < o->count && !e; ++i)
            if (pwrite(g_memfd, buf, (size_t)PS, (off_t)((o->page + i) * (unsigned long)PS)) != (ssize_t)PS) e = errno;
        free(buf);
        break;
    }
    case TW_PUNCH:
        e = fallocate(g_memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)o->page, (off_t)o->count) ? errno : 0;
        break;
    case TW_PAGEOUT:
        if (o->arg) { /* stand-in for reclaim: see pageout_until_unmapped() */
            e = pageout_until_unmapped(o);
            break;
        }
        /* fall through */
    case TW_DONTNEED:
    case TW_REMOVE:
        e = madvise(vma_addr(g_me, o->vma, o->page), o->count * (unsigned long)PS,
                    o->kind == TW_DONTNEED ? MADV_DONTNEED
                    : o->kind == TW_REMOVE ? MADV_REMOVE
                                           : MADV_PAGEOUT)
                ? errno
                : 0;
        break;
    case TW_FTRUNCATE: e = ftruncate(g_memfd, (off_t)o->page) ? errno : 0; break;
    case TW_MPROTECT:
        e = mprotect(vma_addr(g_me, o->vma, o->page), o->count * (unsigned long)PS, (int)o->arg) ? errno : 0;
        break;
    case TW_MMAP: {
        char why[256];
        e = map_vma(g_me, o->vma, why, sizeof why);
        if (!e) g_unmapped[o->vma] = 0, g_moved[o->vma] = 0;
        break;
    }
    case TW_MUNMAP: {
        const struct tw_vma* v = &W->mms[g_me].vmas[o->vma];
        e = munmap((void*)vma_start(g_me, o->vma), v->pages * (unsigned long)PS) ? errno : 0;
        if (!e) g_unmapped[o->vma] = 1;
        break;
    }
    case TW_MREMAP: {
        /* With EVENT_REMAP it returns once this process's monitor has read REMAP. */
        const struct tw_vma* v = &W->mms[g_me].vmas[o->vma];
        size_t len = v->pages * (size_t)PS;
        void* p = mremap((void*)vma_start(g_me, o->vma), len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void*)(uintptr_t)o->arg);
        e = p == MAP_FAILED ? errno : 0;
        if (!e) g_moved[o->vma] = (unsigned long)o->arg;
        break;
    }
    case TW_FORK: {
        /* With EVENT_FORK, fork() returns once this process's monitor thread
         * has read FORK (dup_userfaultfd_complete). */
        int c = (int)o->arg;
        g_forking = c;
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            /* The fork child's process: only this thread came along. It keeps
             * none of the parent's userfaultfds (they act on the parent's mm). */
            int sock = g_fork_sock[c];
            g_me = c;
            g_monitor_on = 0;
            for (int i = 0; i < TW_MAX_UFFDS; ++i) {
                if (g_uffd[i] >= 0) close(g_uffd[i]);
                g_uffd[i] = -1;
            }
            for (int i = 0; i < TW_MAX_MMS; ++i) {
                if (g_fork_uffd[i] >= 0) close(g_fork_uffd[i]);
                g_fork_uffd[i] = -1;
            }
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            char* reply = malloc(TW_REPLY);
            snprintf(reply, TW_REPLY, "%d", (int)getpid());
            if (send(sock, reply, strlen(reply) + 1, 0) < 0) _exit(2);
            child_loop(sock, reply);
        }
        e = pid < 0 ? errno : 0;
        break;
    }
    case TW_NOOP: break;
    default: e = uffd_ioctl(o); break;
    }
    strcpy(res, errname(e));
}

struct access_job {
    int op;
    volatile int done;
    char res[64];
};

static void* access_thread(void* arg) {
    struct access_job* j = arg;
    exec_op(j->op, j->res);
    __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* An access in its own thread; "blocked" if it has not returned in time (the
 * thread is left behind, still asleep in the kernel, and dies with the child). */
static void child_access(int k, char* res) {
    struct access_job* j = calloc(1, sizeof *j);
    j->op = k;
    pthread_t t;
    if (pthread_create(&t, NULL, access_thread, j) != 0) {
        strcpy(res, "-EAGAIN");
        free(j);
        return;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += TW_ACCESS_TIMEOUT_MS / 1000;
    if (pthread_timedjoin_np(t, NULL, &until) == 0) {
        strcpy(res, j->res);
        free(j);
    } else {
        pthread_detach(t);
        strcpy(res, "blocked");
    }
}

/* ---- observations ---------------------------------------------------------- */

static void pte_text(int pm, unsigned long addr, char* out) {
    uint64_t raw = 0;
    if (pread(pm, &raw, 8, (off_t)(addr / (unsigned long)PS * 8)) != 8) {
        strcpy(out, "?");
        return;
    }
    int wp = (int)(raw >> 57 & 1);
    if (raw >> 63 & 1) {
        /* pagemap shows neither the write nor the dirty bit. */
        sprintf(out, "P(?,?,%d)", wp);
    } else if (raw >> 62 & 1) {
        /* Swap-format entries: real swap areas have small types; pte markers
         * and other special entries use the top types (a uffd-wp marker
         * reads type 31, offset 1 on 6.18). */
        unsigned type = (unsigned)(raw & 0x1f);
        if (type >= 24) strcpy(out, wp ? "M" : "marker");
        else strcpy(out, wp ? "swap(wp)" : "swap");
    } else {
        strcpy(out, "none");
    }
}

/* Child: "cellindex value" lines for this mm's pte cells (only cell `only`
 * if it is >= 0). */
static void child_observe(char* reply, int only) {
    int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    size_t len = 0;
    reply[0] = 0;
    for (int i = 0; i < W->ncells; ++i) {
        const struct tw_cell* c = &W->cells[i];
        if (c->kind != TW_CELL_PTE || c->mm != g_me || (only >= 0 && i != only)) continue;
        char v[32];
        if (g_unmapped[c->vma]) strcpy(v, "unmapped");
        else pte_text(pm, (unsigned long)vma_addr(g_me, c->vma, c->page), v);
        len += (size_t)snprintf(reply + len, TW_REPLY - len, "%d %s\n", i, v);
    }
    close(pm);
}

/* Child: MADV_PAGEOUT of file page `index` if one of this mm's file VMAs has
 * it mapped; "1" if so. Global reclaim cannot be aimed at one folio from user
 * space: pageout by the mapping process stands in for it. */
static void child_pageout_if_mapped(unsigned long index, char* reply) {
    int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    strcpy(reply, "0");
    const struct tw_mm* m = &W->mms[g_me];
    for (int i = 0; i < m->nvmas && pm >= 0; ++i) {
        const struct tw_vma* v = &m->vmas[i];
        if (!v->file || g_unmapped[i] || index < v->pgoff || index >= v->pgoff + v->pages) continue;
        char* a = vma_addr(g_me, i, index);
        uint64_t raw = 0;
        if (pread(pm, &raw, 8, (off_t)((unsigned long)a / (unsigned long)PS * 8)) == 8 && (raw >> 63 & 1)) {
            sprintf(reply, "1 %s", errname(madvise(a, (size_t)PS, MADV_PAGEOUT) ? errno : 0));
            break;
        }
    }
    if (pm >= 0) close(pm);
}

/* ---- racers ------------------------------------------------------------------ */

struct racer {
    int slot, op, cpu;
    pthread_t t;
};
static struct racer g_racer[TW_MAX_RACERS];

/* g_sh is MAP_SHARED: a shared (not private) futex wakes racers in every process. */
static void futex_wait_on(volatile int* w, int val) {
    struct timespec ts = {0, 200 * 1000 * 1000};
    syscall(SYS_futex, w, FUTEX_WAIT, val, &ts, NULL, 0);
}
static void futex_wake_all(volatile int* w) { syscall(SYS_futex, w, FUTEX_WAKE, 1 << 30, NULL, NULL, 0); }

/* A racer: pinned to its CPU and, where permitted, SCHED_FIFO, so that neither
 * the twin's other threads nor other load on the machine delay its start (the
 * window is a microsecond wide; a time slice is milliseconds). It blocks on
 * the go futex (costing no CPU while the controller arms the others), then
 * spins until its start time, and measures its operation with the same clock
 * the controller plans with: the race is binned by the offsets that really
 * happened, not by the planned ones. */
static void* racer_thread(void* arg) {
    struct racer* r = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(r->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    struct sched_param sp = {1};
    pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp); /* not root: stays SCHED_OTHER */
    int gen = __atomic_load_n(&g_sh->go, __ATOMIC_ACQUIRE);
    __atomic_store_n(&g_sh->ready[r->slot], 1, __ATOMIC_RELEASE);
    long long give_up = now_ns() + 3000000000LL;
    while (__atomic_load_n(&g_sh->go, __ATOMIC_ACQUIRE) == gen && now_ns() < give_up) futex_wait_on(&g_sh->go, gen);
    while (now_ns() < g_sh->start_ns[r->slot]) {}
    g_sh->began_ns[r->slot] = now_ns();
    exec_op(r->op, g_sh->result[r->slot]);
    g_sh->ended_ns[r->slot] = now_ns();
    __atomic_store_n(&g_sh->done[r->slot], 1, __ATOMIC_RELEASE);
    return NULL;
}

static int racer_arm(int slot, int op, int cpu) {
    struct racer* r = &g_racer[slot];
    r->slot = slot, r->op = op, r->cpu = cpu;
    return pthread_create(&r->t, NULL, racer_thread, r);
}

/* ---- the child ----------------------------------------------------------------- */

/* Maps VMA i of mm at the session's address; 0 or the errno (why says it). */
static int map_vma(int mm, int i, char* why, size_t n) {
    const struct tw_vma* v = &W->mms[mm].vmas[i];
    int prot = PROT_READ | (v->write ? PROT_WRITE : 0);
    void* p = v->file ? mmap((void*)v->start, v->pages * (size_t)PS, prot,
                             (v->shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED_NOREPLACE, g_memfd,
                             (off_t)(v->pgoff * (unsigned long)PS))
                      : mmap((void*)v->start, v->pages * (size_t)PS, prot,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == (void*)v->start) return 0;
    int e = p == MAP_FAILED ? errno : EEXIST;
    if (p != MAP_FAILED) munmap(p, v->pages * (size_t)PS);
    snprintf(why, n, "cannot map %s's VMA %d at %#lx: %s", W->mms[mm].name, i, v->start,
             p == MAP_FAILED ? strerror(e) : "placed elsewhere (kernel without MAP_FIXED_NOREPLACE)");
    return e;
}

static void child_main(int mm, int sock) {
    g_me = mm;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fault_signal;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    signal(SIGINT, SIG_IGN); /* the controller decides; it kills us */
    char* reply = malloc(TW_REPLY);
    /* Map the VMAs at the session's addresses. */
    const struct tw_mm* m = &W->mms[mm];
    reply[0] = 0;
    for (int i = 0; i < m->nvmas; ++i)
        if (map_vma(mm, i, reply, TW_REPLY)) break;
    if (send(sock, reply, strlen(reply) + 1, 0) < 0 || reply[0]) _exit(2);
    child_loop(sock, reply);
}

/* A child's command loop (also a fork child's, entered from TW_FORK). */
static void child_loop(int sock, char* reply) {
    for (;;) {
        struct tw_cmd c;
        if (recv(sock, &c, sizeof c, 0) != (ssize_t)sizeof c) _exit(0);
        reply[0] = 0;
        switch (c.type) {
        case CMD_OP:
            if (W->ops[c.op].kind == TW_READ || W->ops[c.op].kind == TW_WRITE) child_access(c.op, reply);
            else exec_op(c.op, reply);
            break;
        case CMD_OBSERVE: child_observe(reply, c.op); break;
        case CMD_PAGEOUT_IF_MAPPED: child_pageout_if_mapped(W->ops[c.op].page, reply); break;
        case CMD_RACE_ARM: sprintf(reply, "%d", racer_arm(c.slot, c.op, c.cpu)); break;
        case CMD_RACE_JOIN: pthread_join(g_racer[c.slot].t, NULL); break;
        case CMD_EXIT: _exit(0);
        }
        if (send(sock, reply, strlen(reply) + 1, 0) < 0) _exit(0);
    }
}

static int ask(int mm, int type, int op, int slot, int cpu, char* reply) {
    struct tw_cmd c = {type, op, slot, cpu};
    if (send(g_sock[mm], &c, sizeof c, 0) != (ssize_t)sizeof c) return -1;
    struct pollfd p = {g_sock[mm], POLLIN, 0};
    if (poll(&p, 1, 10000) != 1) return -1;
    ssize_t n = recv(g_sock[mm], reply, TW_REPLY - 1, 0);
    if (n <= 0) return -1;
    reply[n] = 0;
    return 0;
}

/* ---- swap file ------------------------------------------------------------------ */

static char g_swap_path[128];
static volatile sig_atomic_t g_swap_on;

int tw_swap_active(void) {
    FILE* f = fopen("/proc/swaps", "r");
    char line[512];
    int lines = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (line[0] != '\n') ++lines;
    fclose(f);
    return lines > 1; /* the first line is the header */
}

void tw_swap_cleanup(void) {
    if (g_swap_path[0] == '\0') return;
    if (g_swap_on) swapoff(g_swap_path);
    g_swap_on = 0;
    unlink(g_swap_path);
    g_swap_path[0] = '\0';
}

void tw_swap_remove_stale(const char* prefix) {
    DIR* d = opendir("/var/tmp");
    struct dirent* e;
    size_t pl = strlen(prefix);
    if (!d) return;
    while ((e = readdir(d))) {
        int pid = 0;
        char tail[8] = "";
        if (strncmp(e->d_name, prefix, pl) != 0 || e->d_name[pl] != '-' ||
            sscanf(e->d_name + pl + 1, "%d.%5s", &pid, tail) != 2 || strcmp(tail, "swap") != 0 || pid <= 0 ||
            kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[300];
        snprintf(path, sizeof path, "/var/tmp/%s", e->d_name);
        swapoff(path); /* fails harmlessly if it was never swapped on */
        unlink(path);
    }
    closedir(d);
}

/* Swap header v1 (what mkswap writes): union swap_header has bootbits[1024],
 * then version, last_page, nr_badpages; magic "SWAPSPACE2" ends page 0. */
int tw_swap_make(const char* path, unsigned long bytes, char* note, unsigned long n) {
    long ps = sysconf(_SC_PAGESIZE);
    if (geteuid() != 0) {
        snprintf(note, n, "no swap device (not root, no temporary swapfile tried)");
        return 0;
    }
    snprintf(g_swap_path, sizeof g_swap_path, "%s", path);
    int fd = open(g_swap_path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(note, n, "no swap device (cannot create swapfile: %s)", strerror(errno));
        g_swap_path[0] = '\0';
        return 0;
    }
    char* buf = calloc(1, 1u << 20);
    int ok = buf != NULL;
    for (unsigned long off = 0; ok && off < bytes; off += 1u << 20) ok = write(fd, buf, 1u << 20) == (1 << 20);
    if (ok) {
        uint32_t info[3] = {1, (uint32_t)(bytes / (unsigned long)ps - 1), 0};
        memset(buf, 0, (size_t)ps);
        memcpy(buf + 1024, info, sizeof info);
        memcpy(buf + ps - 10, "SWAPSPACE2", 10);
        ok = pwrite(fd, buf, (size_t)ps, 0) == ps && fsync(fd) == 0;
    }
    free(buf);
    close(fd);
    if (!ok) {
        snprintf(note, n, "no swap device (writing swapfile failed: %s)", strerror(errno));
        tw_swap_cleanup();
        return 0;
    }
    if (swapon(g_swap_path, 0) != 0) {
        snprintf(note, n, "no swap device (swapon of a temporary swapfile failed: %s)", strerror(errno));
        tw_swap_cleanup();
        return 0;
    }
    g_swap_on = 1;
    snprintf(note, n, "temporary %lu MiB swapfile %s (swapped off and removed at exit)", bytes >> 20, g_swap_path);
    return 1;
}

/* ---- the controller ------------------------------------------------------------ */

int tw_preflight(char* why, unsigned long n) {
    struct utsname u;
    int major = 0, minor = 0;
    uname(&u);
    sscanf(u.release, "%d.%d", &major, &minor);
    if (major < 6 || (major == 6 && minor < 12)) {
        snprintf(why, n, "the twin expects Linux >= 6.12 (this is %s)", u.release);
        return 77;
    }
    int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(why, n,
                 errno == ENOSYS ? "userfaultfd not built into this kernel (ENOSYS)"
                                 : "userfaultfd not permitted: %s (needs root or vm.unprivileged_userfaultfd=1)",
                 strerror(errno));
        return 77;
    }
    close(fd);
    fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, n, "cannot read /proc/self/pagemap: %s", strerror(errno));
        return 77;
    }
    close(fd);
    return 0;
}

static void stop_children(void) {
    for (int i = 0; i < g_nchildren; ++i) {
        if (g_pid[i] > 0) {
            kill(g_pid[i], SIGKILL);
            waitpid(g_pid[i], NULL, 0);
            g_pid[i] = 0;
        }
        if (g_sock[i] >= 0) close(g_sock[i]);
        g_sock[i] = -1;
    }
    g_nchildren = 0;
}

static volatile sig_atomic_t g_racing;

static void on_interrupt(int sig) {
    (void)sig;
    if (g_racing) { /* the race loop stops after this iteration and reports */
        g_stop = 1;
        return;
    }
    for (int i = 0; i < g_nchildren; ++i)
        if (g_pid[i] > 0) kill(g_pid[i], SIGKILL);
    tw_swap_cleanup();
    _exit(130);
}

static void teardown(void) {
    stop_children();
    if (g_probe) munmap(g_probe, W->file_pages * (size_t)PS);
    g_probe = NULL;
    if (g_memfd >= 0) close(g_memfd);
    g_memfd = -1;
    if (g_sh) munmap(g_sh, sizeof *g_sh);
    g_sh = NULL;
    tw_swap_cleanup();
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}

static int setup_world(const struct tw_world* w, FILE* out) {
    W = w;
    PS = sysconf(_SC_PAGESIZE);
    g_stop = 0;
    char why[256];
    int pf = tw_preflight(why, sizeof why);
    if (pf) {
        fprintf(out, "# not allowed: %s\n", why);
        return pf;
    }
    signal(SIGINT, on_interrupt);
    signal(SIGTERM, on_interrupt);
    signal(SIGHUP, on_interrupt);
    if (w->need_swap) {
        if (geteuid() == 0) tw_swap_remove_stale("faultline-twin");
        if (tw_swap_active()) {
            fprintf(out, "# swap: a swap area is active already\n");
        } else {
            char path[128], note[256];
            snprintf(path, sizeof path, "/var/tmp/faultline-twin-%d.swap", (int)getpid());
            if (!tw_swap_make(path, 16ul << 20, note, sizeof note)) {
                /* Paging out without swap is another experiment: refuse. */
                fprintf(out, "# not allowed: the session pages out and %s\n", note);
                return 77;
            }
            fprintf(out, "# swap: %s\n", note);
        }
    }
    g_sh = mmap(NULL, sizeof *g_sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    g_memfd = (int)syscall(SYS_memfd_create, "faultline-twin", MFD_CLOEXEC);
    if (g_sh == MAP_FAILED || g_memfd < 0 || ftruncate(g_memfd, (off_t)(w->file_pages * (unsigned long)PS)) != 0) {
        fprintf(out, "# error: memfd: %s\n", strerror(errno));
        if (g_sh == MAP_FAILED) g_sh = NULL;
        return 3;
    }
    g_probe = mmap(NULL, w->file_pages * (size_t)PS, PROT_READ, MAP_SHARED, g_memfd, 0);
    if (g_probe == MAP_FAILED) {
        g_probe = NULL;
        fprintf(out, "# error: probe mapping: %s\n", strerror(errno));
        return 3;
    }
    fflush(out);
    /* A fork child's socket exists before the processes that may fork it, so
     * that they inherit its other end. */
    for (int i = 0; i < TW_MAX_MMS; ++i) g_fork_sock[i] = -1, g_fork_uffd[i] = -1, g_pid[i] = 0, g_sock[i] = -1;
    for (int i = 0; i < TW_MAX_UFFDS; ++i) g_uffd[i] = -1;
    for (int i = 0; i < w->nmms; ++i) {
        if (!w->mms[i].fork_of1) continue;
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return 3;
        g_sock[i] = sv[0];
        g_fork_sock[i] = sv[1];
    }
    g_nchildren = w->nmms;
    /* A fork child's process is a grandchild: when its parent is killed at
     * teardown it comes to us (PR_SET_DEATHSIG kills it) and is reaped here,
     * not left a zombie of an init that may not reap. */
    for (int i = 0; i < w->nmms; ++i)
        if (w->mms[i].fork_of1) prctl(PR_SET_CHILD_SUBREAPER, 1);
    for (int i = 0; i < w->nmms; ++i) {
        if (w->mms[i].fork_of1) continue; /* its process is made by TW_FORK */
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return 3;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) return 3;
        if (pid == 0) {
            close(sv[0]);
            child_main(i, sv[1]);
        }
        close(sv[1]);
        g_pid[i] = pid;
        g_sock[i] = sv[0];
        char reply[512];
        struct pollfd p = {sv[0], POLLIN, 0};
        ssize_t n = poll(&p, 1, 10000) == 1 ? recv(sv[0], reply, sizeof reply - 1, 0) : -1;
        if (n <= 0) {
            fprintf(out, "# error: process for %s did not start\n", w->mms[i].name);
            return 3;
        }
        reply[n] = 0;
        if (reply[0]) {
            fprintf(out, "# bad world: %s\n", reply);
            return 2;
        }
    }
    for (int i = 0; i < w->nmms; ++i) /* the processes that fork have their copies */
        if (g_fork_sock[i] >= 0) close(g_fork_sock[i]), g_fork_sock[i] = -1;
    return 0;
}

/* Whether file page `index` is in the page cache (a folio in the xarray, not
 * a swap entry); cachestat() tells them apart even while the folio is still in
 * the swap cache. */
static int in_page_cache(unsigned long index) {
    struct tw_cachestat_range range = {(uint64_t)index * (uint64_t)PS, (uint64_t)PS};
    struct tw_cachestat cs;
    if (syscall(__NR_cachestat, g_memfd, &range, &cs, 0) == 0) return cs.nr_cache > 0;
    unsigned char v = 0;
    mincore(g_probe + index * (unsigned long)PS, (size_t)PS, &v);
    return v & 1;
}

/* Runs op k to completion (where it runs) and writes its result. */
static void run_op(int k, char* res) {
    const struct tw_op* o = &W->ops[k];
    char* reply = malloc(TW_REPLY);
    if (o->kind == TW_RECLAIM) {
        /* MADV_PAGEOUT skips a folio not on the LRU yet (still in another CPU's
         * lru_add batch: folio_isolate_lru fails, lru_add_drain() drains only
         * the caller's CPU); global reclaim drains them all, so the stand-in
         * does too, and tries again while the page is still in the page cache. */
        for (int attempt = 0; attempt < 50; ++attempt) {
            if (attempt) usleep(2000);
            drain_lru_all_cpus();
            /* Whoever maps it pages it out; if nobody does, a helper maps just that
             * page, touches it and pages it out (the only mapper). */
            int done = 0;
            for (int m = 0; m < W->nmms && !done; ++m)
                if (ask(m, CMD_PAGEOUT_IF_MAPPED, k, 0, 0, reply) == 0 && reply[0] == '1') {
                    strcpy(res, reply + 2);
                    done = 1;
                }
            if (!done) {
                fflush(NULL);
                pid_t pid = fork();
                if (pid == 0) {
                    volatile char* p =
                        mmap(NULL, (size_t)PS, PROT_READ, MAP_SHARED, g_memfd, (off_t)(o->page * (unsigned long)PS));
                    if (p == MAP_FAILED) _exit(1);
                    (void)p[0];
                    _exit(madvise((void*)p, (size_t)PS, MADV_PAGEOUT) ? 1 : 0);
                }
                int st = 0;
                waitpid(pid, &st, 0);
                strcpy(res, WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "-EINVAL");
            }
            if (strcmp(res, "ok") != 0 || !in_page_cache(o->page)) break;
        }
    } else if (o->mm < 0) {
        exec_op(k, res);
    } else if (ask(o->mm, CMD_OP, k, 0, 0, reply) == 0) {
        snprintf(res, 64, "%s", reply);
        int c = (int)o->arg;
        if (o->kind == TW_FORK && !strcmp(res, "ok") && c >= 0 && c < W->nmms) {
            /* The fork child's process says its pid when it is ready. */
            struct pollfd p = {g_sock[c], POLLIN, 0};
            ssize_t n = poll(&p, 1, 10000) == 1 ? recv(g_sock[c], reply, TW_REPLY - 1, 0) : -1;
            if (n > 0) reply[n] = 0, g_pid[c] = atoi(reply);
            else strcpy(res, "lost");
        }
    } else {
        strcpy(res, "lost");
    }
    free(reply);
}

static void msgs_since(int from, char* buf, size_t n) {
    int to = __atomic_load_n(&g_sh->nmsg, __ATOMIC_ACQUIRE);
    size_t len = 0;
    buf[0] = 0;
    for (int i = from; i < to && len + TW_MSG_LEN + 2 < n; ++i)
        len += (size_t)sprintf(buf + len, "%s%s", len ? " " : "", g_sh->msg[i]);
    if (!len) strcpy(buf, "-");
}

/* Values of every cell (or only cell `only` if >= 0), in table order, into
 * vals[i] (32 bytes each). */
static int observe_cells(char (*vals)[32], int only) {
    char* reply = malloc(TW_REPLY);
    for (int m = 0; m < W->nmms; ++m) {
        if (only >= 0 && (W->cells[only].kind != TW_CELL_PTE || W->cells[only].mm != m)) continue;
        if (W->mms[m].fork_of1 && g_pid[m] <= 0) { /* a fork child before its fork: nothing is mapped */
            for (int i = 0; i < W->ncells; ++i)
                if (W->cells[i].kind == TW_CELL_PTE && W->cells[i].mm == m && (only < 0 || i == only))
                    strcpy(vals[i], "unmapped");
            continue;
        }
        if (ask(m, CMD_OBSERVE, only, 0, 0, reply) != 0) {
            free(reply);
            return -1;
        }
        for (char* line = strtok(reply, "\n"); line; line = strtok(NULL, "\n")) {
            int idx = -1;
            char v[32];
            if (sscanf(line, "%d %31s", &idx, v) == 2 && idx >= 0 && idx < W->ncells) strcpy(vals[idx], v);
        }
    }
    free(reply);
    struct stat fst;
    off_t isize = fstat(g_memfd, &fst) == 0 ? fst.st_size : (off_t)(W->file_pages * (unsigned long)PS);
    for (int i = 0; i < W->ncells; ++i) {
        const struct tw_cell* c = &W->cells[i];
        if (c->kind == TW_CELL_PTE || (only >= 0 && i != only)) continue;
        off_t off = (off_t)(c->page * (unsigned long)PS);
        if (off >= isize) { /* past i_size after an ftruncate: no page can be there */
            strcpy(vals[i], "beyond-eof");
            continue;
        }
        off_t d = lseek(g_memfd, off, SEEK_DATA);
        int hole = d < 0 ? errno == ENXIO : d != off;
        /* cachestat() tells the xarray's folio (nr_cache) from a swap entry
         * (nr_evicted) even while the folio is still in the swap cache, which
         * mincore() would count as resident. */
        struct tw_cachestat_range range = {(uint64_t)off, (uint64_t)PS};
        struct tw_cachestat cs;
        int inc;
        if (syscall(__NR_cachestat, g_memfd, &range, &cs, 0) == 0) {
            inc = cs.nr_cache > 0;
        } else {
            unsigned char v = 0;
            mincore(g_probe + c->page * (unsigned long)PS, (size_t)PS, &v);
            inc = v & 1;
        }
        unsigned char b[8] = {0};
        char t[8] = "?";
        if (!hole && inc && pread(g_memfd, b, 8, off) == 8) tag_text(b, t);
        if (c->kind == TW_CELL_XA) snprintf(vals[i], 32, hole ? "hole" : inc ? "F(%s)" : "S", t);
        else snprintf(vals[i], 32, "%s", hole ? "hole" : inc ? t : "?"); /* swapped: reading would swap it in */
    }
    return 0;
}

static int observe(char (*vals)[32]) { return observe_cells(vals, -1); }

int tw_run(const struct tw_world* w, int nsetup, FILE* out) {
    (void)nsetup;
    int rc = setup_world(w, out);
    if (rc) {
        teardown();
        return rc;
    }
    char(*vals)[32] = calloc((size_t)w->ncells + 1, 32);
    char res[64], msgs[4096];
    for (int k = 0; k < w->nops; ++k) {
        int from = __atomic_load_n(&g_sh->nmsg, __ATOMIC_ACQUIRE);
        run_op(k, res);
        usleep(1000); /* let the monitor log a message of a fault left blocked */
        msgs_since(from, msgs, sizeof msgs);
        fprintf(out, "op %d %s\nresult %s\nmsgs %s\n", k + 1, w->ops[k].label, res, msgs);
        if (observe(vals) != 0) {
            fprintf(out, "# error: an mm's process died\n");
            rc = 3;
            break;
        }
        for (int i = 0; i < w->ncells; ++i) fprintf(out, "cell %s %s\n", w->cells[i].name, vals[i]);
        fflush(out);
    }
    free(vals);
    teardown();
    return rc;
}

/* ---- the race loop ---------------------------------------------------------------- */

const char* tw_classify(int watch_protected, const char* pte, const char* follow_msgs, int wrote, char* buf,
                        unsigned long n) {
    int still = strcmp(pte, "M") == 0 || strcmp(pte, "swap(wp)") == 0 || strstr(pte, ",1)") != NULL;
    int c2 = watch_protected && !still;
    int c1 = watch_protected && wrote && strcmp(follow_msgs, "-") == 0;
    snprintf(buf, n, "%s", c1 && c2 ? "C1+C2" : c1 ? "C1" : c2 ? "C2" : "clean");
    return buf;
}

#define TW_MAX_OUTCOMES 32
#define TW_BINS 20
#define TW_CALIBRATE 15     /* solo runs of each racer to measure its duration */
#define TW_LEAD_NS 100000LL /* from go to the first start: a woken racer is spinning by then */
#define TW_LATE_NS 2000LL   /* a racer that began later than this after its start time was delayed */

struct outcome {
    char key[320];
    char cls[8];
    long count;
    long bins[TW_BINS];
};

/* Starts the racers in mask together: racer 0 at t0, racer 1 at t0 + d1,
 * racer k > 1 at t0 + dk; waits for them. 0, or -1 when one is stuck in the
 * kernel (2 s), -2 when the racers could not be armed. */
static int race_once(const struct tw_world* w, const struct tw_race* r, int mask, const long long* d, long ncpu) {
    char reply[64];
    long long lo = 0;
    for (int s = 0; s < r->nracers; ++s) {
        g_sh->done[s] = !(mask >> s & 1);
        g_sh->ready[s] = 0;
        g_sh->began_ns[s] = g_sh->ended_ns[s] = 0;
        if ((mask >> s & 1) && d[s] < lo) lo = d[s];
    }
    for (int s = 0; s < r->nracers; ++s) {
        if (!(mask >> s & 1)) continue;
        const struct tw_op* o = &w->ops[r->racers[s]];
        int cpu = (int)(s % ncpu);
        if (o->mm < 0) {
            if (racer_arm(s, r->racers[s], cpu)) return -2;
        } else if (ask(o->mm, CMD_RACE_ARM, r->racers[s], s, cpu, reply) || strcmp(reply, "0") != 0) {
            return -2;
        }
    }
    /* The controller sleeps while racers run: on a 2-CPU machine a spinning
     * controller would share a CPU with a racer and delay it by a time slice. */
    struct timespec nap = {0, 20000};
    long long deadline = now_ns() + 2000000000LL;
    for (int s = 0; s < r->nracers; ++s)
        while ((mask >> s & 1) && !__atomic_load_n(&g_sh->ready[s], __ATOMIC_ACQUIRE) && now_ns() < deadline)
            nanosleep(&nap, NULL);
    long long t0 = now_ns() + TW_LEAD_NS - lo;
    for (int s = 0; s < r->nracers; ++s) g_sh->start_ns[s] = t0 + d[s];
    __atomic_add_fetch(&g_sh->go, 1, __ATOMIC_RELEASE);
    futex_wake_all(&g_sh->go);
    deadline = now_ns() + 2000000000LL;
    int all = 0;
    while (!all && now_ns() < deadline) {
        all = 1;
        for (int s = 0; s < r->nracers; ++s) all = all && __atomic_load_n(&g_sh->done[s], __ATOMIC_ACQUIRE);
        if (!all) nanosleep(&nap, NULL);
    }
    if (!all) return -1;
    for (int s = 0; s < r->nracers; ++s) {
        if (!(mask >> s & 1)) continue;
        const struct tw_op* o = &w->ops[r->racers[s]];
        if (o->mm < 0) pthread_join(g_racer[s].t, NULL);
        else ask(o->mm, CMD_RACE_JOIN, 0, s, 0, reply);
    }
    return 0;
}

static unsigned long long xorshift(unsigned long long* x) {
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

static int cmp_ll(const void* a, const void* b) {
    long long x = *(const long long*)a, y = *(const long long*)b;
    return x < y ? -1 : x > y;
}

/* The bin to aim the next start offset at. Each bin's weight is the square of
 * its posterior mean hit rate, (hits + 1/2) / (tries + 1): bins never tried
 * or rarely tried keep a weight (exploration), bins whose offsets hit the
 * simulated violation are repeated (exploitation); a quarter of the
 * iterations, and the first 10 per bin, sweep the whole window uniformly. */
static int pick_bin(const long* tries, const long* hits, long iters, unsigned long long* rnd) {
    if (iters < 10 * TW_BINS || xorshift(rnd) % 4 == 0) return (int)(xorshift(rnd) % TW_BINS);
    double wsum = 0, wb[TW_BINS];
    for (int b = 0; b < TW_BINS; ++b) {
        double m = (hits[b] + 0.5) / (tries[b] + 1.0);
        wb[b] = m * m;
        wsum += wb[b];
    }
    double u = (double)(xorshift(rnd) % 1000000) / 1e6 * wsum;
    for (int b = 0; b < TW_BINS; ++b) {
        if (u < wb[b]) return b;
        u -= wb[b];
    }
    return TW_BINS - 1;
}

/* Re-arms the world (rearm ops) and checks the watched cell is as armed: 1 armed, 0 not, -1 failed. */
static int rearm_world(const struct tw_race* r, char (*vals)[32], const char* armed) {
    char res[64];
    for (int k = 0; k < r->nrearm; ++k) run_op(r->rearm[k], res);
    if (observe_cells(vals, r->watch) != 0) return -1;
    return strcmp(vals[r->watch], armed) == 0;
}

int tw_race_run(const struct tw_world* w, int nsetup, const struct tw_race* r, FILE* out) {
    int rc = setup_world(w, out);
    if (rc) {
        teardown();
        return rc;
    }
    char(*vals)[32] = calloc((size_t)w->ncells + 1, 32);
    char res[64], armed[32], msgs[4096];
    for (int k = 0; k < nsetup; ++k) {
        run_op(k, res);
        if (strcmp(res, "ok") != 0 && strncmp(res, "read=", 5) != 0) {
            fprintf(out, "# setup op %d (%s) failed: %s\n", k + 1, w->ops[k].label, res);
            rc = 3;
            goto done;
        }
    }
    if (observe(vals) != 0) {
        rc = 3;
        goto done;
    }
    strcpy(armed, vals[r->watch]);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1) ncpu = 1;
    struct outcome* oc = calloc(TW_MAX_OUTCOMES, sizeof *oc);
    int noc = 0;
    long iters = 0, rearm_failed = 0, lost = 0, late = 0;
    long tries[TW_BINS] = {0}, hits[TW_BINS] = {0};
    int wrote = 0;
    const struct tw_cell* wc = &w->cells[r->watch];
    for (int f = 0; f < r->nfollow; ++f) {
        const struct tw_op* o = &w->ops[r->follow[f]];
        if (o->kind == TW_WRITE && o->mm == wc->mm && o->vma == wc->vma && wc->page >= o->page &&
            wc->page < o->page + o->count)
            wrote = 1;
    }
    long long begin = now_ns();
    unsigned long long rnd = (unsigned long long)begin | 1;
    long long d[TW_MAX_RACERS] = {0};
    long long lo = 0, hi = 0;
    g_racing = 1;

    /* Calibration: each of the first two racers alone, re-armed every time;
     * the median of their durations on this kernel bounds the offsets at
     * which the two operations overlap at all: racer 1 starting between one
     * duration of it before racer 0 and one duration of racer 0 after. */
    long long dur[2] = {0, 0};
    {
        long long samples[2][TW_CALIBRATE];
        int ns[2] = {0, 0};
        for (int k = 0; k < TW_CALIBRATE && !g_stop; ++k)
            for (int s = 0; s < 2; ++s) {
                int a = rearm_world(r, vals, armed);
                if (a < 0) {
                    rc = 3;
                    goto report;
                }
                if (a == 0) continue;
                int q = race_once(w, r, 1 << s, d, ncpu);
                if (q == -1) {
                    fprintf(out, "# a racing operation did not complete within 2 s; stopping\n");
                    ++lost;
                    goto report;
                }
                if (q == 0) samples[s][ns[s]++] = g_sh->ended_ns[s] - g_sh->began_ns[s];
            }
        for (int s = 0; s < 2; ++s)
            if (ns[s]) {
                qsort(samples[s], (size_t)ns[s], sizeof samples[s][0], cmp_ll);
                dur[s] = samples[s][ns[s] / 2];
            }
    }
    if (r->window_us > 0) {
        lo = -(long long)r->window_us * 1000, hi = (long long)r->window_us * 1000;
    } else { /* the overlap range, with a margin for the operations being slower when they meet */
        lo = -(dur[1] + dur[1] / 2 + 500), hi = dur[0] + dur[0] / 2 + 500;
    }
    struct sched_param sp = {1};
    int fifo = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
    if (fifo) {
        sp.sched_priority = 0;
        pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
    }
    fprintf(out,
            "# calibration: %s takes %.2f us, %s %.2f us (medians of %d solo runs); start offsets swept over "
            "[%.2f, %.2f] us, %s; racers pinned to CPUs 0..%ld%s\n",
            w->ops[r->racers[0]].label, dur[0] / 1e3, w->ops[r->racers[1]].label, dur[1] / 1e3, TW_CALIBRATE, lo / 1e3,
            hi / 1e3, r->uniform ? "uniformly" : "aimed at the offsets that hit",
            (r->nracers < ncpu ? r->nracers : ncpu) - 1, fifo ? ", SCHED_FIFO" : " (not SCHED_FIFO: no permission)");

    while (!g_stop && (r->iterations <= 0 || iters < r->iterations) &&
           (r->seconds <= 0 || (now_ns() - begin) / 1e9 < r->seconds)) {
        int a = rearm_world(r, vals, armed);
        if (a < 0) {
            rc = 3;
            break;
        }
        if (a == 0) {
            if (++rearm_failed > 1000 + 10 * iters) break; /* re-arming does not work: stop */
            continue;
        }
        __atomic_store_n(&g_sh->nmsg, 0, __ATOMIC_RELEASE);
        int bin = r->uniform ? (int)(xorshift(&rnd) % TW_BINS) : pick_bin(tries, hits, iters, &rnd);
        long long span = hi - lo;
        d[1] = lo + (span * bin + (long long)(xorshift(&rnd) % (unsigned long long)(span > 0 ? span : 1))) / TW_BINS;
        for (int s = 2; s < r->nracers; ++s) d[s] = lo + (long long)(xorshift(&rnd) % (unsigned long long)(span + 1));
        int q = race_once(w, r, (1 << r->nracers) - 1, d, ncpu);
        if (q == -1) { /* a racer is stuck in the kernel: nothing more to learn */
            fprintf(out, "# a racing operation did not complete within 2 s; stopping\n");
            ++lost;
            break;
        }
        if (q == -2) {
            fprintf(out, "# the racers could not be started; stopping\n");
            rc = 3;
            break;
        }
        for (int s = 0; s < r->nracers; ++s)
            if (g_sh->began_ns[s] - g_sh->start_ns[s] > TW_LATE_NS) {
                ++late;
                break;
            }
        /* Binned by the offset that happened (what the kernel saw), not the planned one. */
        long long act = g_sh->began_ns[1] - g_sh->began_ns[0];
        int abin = (int)(act < lo ? 0 : act >= hi ? TW_BINS - 1 : (act - lo) * TW_BINS / (span > 0 ? span : 1));
        usleep(200);
        char race_msgs[1024], pte[32], cls[8];
        msgs_since(0, race_msgs, sizeof race_msgs);
        if (observe_cells(vals, r->watch) != 0) {
            rc = 3;
            break;
        }
        strcpy(pte, vals[r->watch]);
        int from = __atomic_load_n(&g_sh->nmsg, __ATOMIC_ACQUIRE);
        for (int f = 0; f < r->nfollow; ++f) run_op(r->follow[f], res);
        usleep(200);
        msgs_since(from, msgs, sizeof msgs);
        tw_classify(r->watch_protected, pte, msgs, wrote, cls, sizeof cls);
        char end[32];
        if (observe_cells(vals, r->watch) != 0) {
            rc = 3;
            break;
        }
        strcpy(end, vals[r->watch]);
        ++tries[abin];
        if (strcmp(cls, "clean") != 0) ++hits[abin]; /* aim at what the checker flags */
        char key[320];
        snprintf(key, sizeof key, "%.31s after the race, race msgs %.80s, then msgs %.80s, ends %.31s", pte, race_msgs,
                 msgs, end);
        int i;
        for (i = 0; i < noc && strcmp(oc[i].key, key) != 0; ++i) {}
        if (i == noc && noc < TW_MAX_OUTCOMES) {
            snprintf(oc[i].key, sizeof oc[i].key, "%s", key);
            strcpy(oc[i].cls, cls);
            ++noc;
        }
        if (i < noc) {
            ++oc[i].count;
            ++oc[i].bins[abin];
        }
        ++iters;
    }
report:
    g_racing = 0;
    /* Ctrl-C can land inside a re-arm or an observation and fail it: once
     * interrupted, that failure is the interruption, and the report stands. */
    if (g_stop && rc == 3) rc = 0;
    double secs = (now_ns() - begin) / 1e9;
    fprintf(out,
            "race iterations %ld seconds %.1f window_us %d offset_ns %lld %lld durations_ns %lld %lld late %ld "
            "sampling %s rearm_failed %ld stuck %ld%s\n",
            iters, secs, r->window_us, lo, hi, dur[0], dur[1], late, r->uniform ? "uniform" : "adaptive", rearm_failed,
            lost, g_stop ? " interrupted" : "");
    for (int i = 0; i < noc; ++i) {
        fprintf(out, "outcome %s %ld %s\n", oc[i].cls, oc[i].count, oc[i].key);
        fprintf(out, "histogram");
        for (int b = 0; b < TW_BINS; ++b) fprintf(out, " %ld", oc[i].bins[b]);
        fprintf(out, "\n");
    }
    free(oc);
done:
    free(vals);
    teardown();
    return rc;
}
