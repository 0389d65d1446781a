/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * twin_rt: the kernel twin's runtime, in plain C (libc + kernel headers only).
 *
 * It builds a session's world on the running kernel (a memfd, one forked
 * process per mm with its VMAs at the session's addresses, the userfaultfds
 * in the processes of their mms, each process's served by a monitor thread), runs operations one after another, and prints what the
 * kernel shows after each one as text lines:
 *
 *     op N LABEL              an operation ran (N counts from 1)
 *     result TEXT             "ok", "-EEXIST", "SIGBUS", "blocked", "read=b0", "unsupported"
 *     msgs TEXT               uffd messages delivered while it ran: "MISS(8) WP(8,W) REMOVE(5-7)" or "-"
 *     cell NAME VALUE         one state cell in the engine's canonical text;
 *                             "?" marks what the kernel cannot show (pte write/dirty bits)
 *
 * The same file is compiled into faultline-cli (which parses these lines and
 * compares them with the simulation) and pasted verbatim into the standalone
 * reproducer that `faultline-cli kernel --emit-c` writes, so both print the
 * same observations by construction.
 */
#ifndef FAULTLINE_TWIN_RT_H
#define FAULTLINE_TWIN_RT_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum tw_op_kind {
    TW_READ,
    TW_WRITE,
    TW_FILE_WRITE,
    TW_PUNCH,
    TW_DONTNEED,
    TW_PAGEOUT,
    TW_RECLAIM,
    TW_NOOP,
    TW_MUNMAP,
    TW_API,
    TW_REGISTER,
    TW_UNREGISTER,
    TW_WRITEPROTECT,
    TW_COPY,
    TW_ZEROPAGE,
    TW_CONTINUE,
    TW_WAKE,
    /* later additions */
    TW_REMOVE,     /* madvise(MADV_REMOVE) of pages of the VMA */
    TW_FTRUNCATE,  /* ftruncate(memfd, page) — page holds the size in bytes */
    TW_MPROTECT,   /* mprotect(pages of the VMA, arg = PROT_READ|PROT_WRITE bits) */
    TW_MMAP,       /* the VMA mapped again at its place (MAP_FIXED_NOREPLACE) */
    TW_UFFD_CLOSE, /* close(uffd): the monitor thread stops first */
    TW_POISON,     /* UFFDIO_POISON of pages of the VMA */
    TW_FORK,       /* fork(2) of the mm's process; arg = the fork child's mm, whose process it becomes */
    TW_MREMAP,     /* mremap(2) of the whole VMA to arg (bytes), MREMAP_MAYMOVE | MREMAP_FIXED */
    TW_MOVE        /* UFFDIO_MOVE of page src_page of VMA src_vma to page of vma; arg = mode */
};

#define TW_MAX_MMS 4
#define TW_MAX_VMAS 8
#define TW_MAX_RACERS 4
#define TW_MAX_UFFDS 8 /* userfaultfd contexts a session names ("uffd": 0 ... 7) */

struct tw_vma {
    unsigned long start; /* bytes */
    unsigned long pages;
    unsigned long pgoff; /* file page of start (file VMA) */
    int file;            /* MAP_SHARED of the memfd, else private anonymous */
    int write;           /* PROT_WRITE */
    int shared;          /* file VMA: MAP_SHARED (else MAP_PRIVATE of the memfd) */
};

struct tw_mm {
    const char* name;
    int nvmas;
    struct tw_vma vmas[TW_MAX_VMAS];
    int fork_of1; /* a fork child: 1 + its parent mm (its VMAs are the parent's, no process until TW_FORK); 0: none */
};

struct tw_policy {
    int copy_mode_wp;      /* answer MISSING with UFFDIO_COPY(MODE_WP) */
    const char* copy_tag;  /* data of the copied page; "{i}" = file page index */
    int zeropage;          /* answer MISSING with UFFDIO_ZEROPAGE */
    int clear_on_wp;       /* answer WP with UFFDIO_WRITEPROTECT(0) */
    int continue_on_minor; /* answer MINOR with UFFDIO_CONTINUE */
    int continue_mode_wp;
    int close_forked; /* a FORK message: close the child's new userfaultfd instead of serving it */
    long move_src_offset; /* != 0: answer MISSING in an anonymous VMA by UFFDIO_MOVE from this many pages on
                             (failing otherwise than -EEXIST/-EAGAIN: as without it) */
};

struct tw_op {
    const char* label;      /* "A1: read A[8]" */
    int kind;               /* enum tw_op_kind */
    int mm;                 /* process that runs it; -1: the controller (file ops) */
    int vma;                /* VMA of that mm */
    unsigned long page;     /* file page (file VMA, file ops) or page in the VMA (anon) */
    unsigned long count;    /* pages */
    unsigned long long arg; /* register/writeprotect/copy mode (uffd ABI bits), api features, mprotect prot,
                                 pageout: 1 = stands in for reclaim (drain, repeat while mapped) */
    const char* tag;        /* write / file_write / copy data */
    int src_vma;            /* TW_MOVE: the source VMA of the mm */
    unsigned long src_page; /* TW_MOVE: the source page in it */
    int uffd;               /* uffd ops: which userfaultfd context of the mm's process (the session's "uffd") */
};

enum tw_cell_kind { TW_CELL_PTE, TW_CELL_XA, TW_CELL_DATA };

struct tw_cell {
    const char* name; /* "A.pte[8]", "xa[8]", "data[8]" */
    int kind;         /* enum tw_cell_kind */
    int mm, vma;      /* PTE */
    unsigned long page;
};

struct tw_world {
    const char* name;
    unsigned long file_pages;
    int nmms;
    struct tw_mm mms[TW_MAX_MMS];
    int uffd_mm; /* mm of userfaultfd context 0 (its uffdio_api op's), -1: none */
    struct tw_policy policy;
    int nops;
    const struct tw_op* ops;
    int ncells;
    const struct tw_cell* cells;
    int need_swap; /* a swap area is needed (pageout/reclaim); made if none is active */
};

/* The race loop: ops racers[] start together (each pinned to its own CPU,
 * SCHED_FIFO where permitted), racer 1 at an offset from racer 0 chosen per
 * iteration, then follow[] run one after another; the world is re-armed by
 * rearm[] before every iteration. The offsets sweep a window (see window_us)
 * and are aimed at the offsets where the checker flagged an outcome before. `watch` is the cell of
 * the page the race is about (its pte after the race is part of the outcome). */
struct tw_race {
    int nracers;
    int racers[TW_MAX_RACERS]; /* op indexes */
    int nfollow;
    const int* follow;
    int nrearm;
    const int* rearm;
    int watch;           /* cell index of the watched pte */
    int watch_protected; /* the monitor had the page write-protected before the race */
    long iterations;     /* 0: unbounded */
    double seconds;      /* 0: unbounded */
    int window_us;       /* > 0: sweep start offsets over +-window_us; 0: over the range where the
                            operations overlap, from their durations measured on this kernel */
    int uniform;         /* 1: offsets uniform over the window; 0: aimed at the offsets that hit */
};

/* 0 when this kernel and these permissions allow a twin run; else 77 with why. */
int tw_preflight(char* why, unsigned long n);

/* Runs ops [0, nops) in order and prints their observations on out.
 * Returns 0 (ran; the observations say what happened), 2 (the world cannot be
 * built as described: address in use, ...), 77 (not allowed), 3 (a system
 * call of the twin itself failed). */
int tw_run(const struct tw_world* w, int nsetup, FILE* out);

/* Runs setup ops [0, nsetup) once, then the race loop; prints one line per
 * distinct outcome with its count and a histogram by start offset. */
int tw_race_run(const struct tw_world* w, int nsetup, const struct tw_race* r, FILE* out);

/* How the simulation's checker classifies an outcome of the race (pure code):
 * a write that went through silently on a page the monitor protected is C1
 * (silent write); a pte that lost uffd-wp while the monitor still wanted it is
 * C2 (protection dropped). Writes "C1+C2", "C1", "C2" or "clean" into buf.
 * pte: the watched pte after the race ("M", "P(?,?,1)", "P(?,?,0)", "none");
 * follow_msgs: messages of the follow-up ops ("-" if none); wrote: a
 * follow-up op writes the watched page. */
const char* tw_classify(int watch_protected, const char* pte, const char* follow_msgs, int wrote, char* buf,
                        unsigned long n);

/* Swap file management (shared with faultline-probe): makes, formats and
 * swapon()s a swap file of `bytes` at path (root only); tw_swap_cleanup()
 * swapoff()s and removes it and is async-signal-safe. tw_swap_remove_stale()
 * removes leftovers of dead processes named PREFIX-PID.swap in /var/tmp. */
int tw_swap_make(const char* path, unsigned long bytes, char* note, unsigned long n);
void tw_swap_cleanup(void);
void tw_swap_remove_stale(const char* prefix);
int tw_swap_active(void);

#ifdef __cplusplus
}
#endif

#endif
