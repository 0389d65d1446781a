// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/future_key.h"

#include <algorithm>

#include "paths/registry.h"
#include "paths/step_pcs.h"
#include "util/hash.h"

namespace faultline {
namespace {

// Two independently seeded hashers walk the same fields; for a radix tree the
// low half takes its incremental sum and the high half its second sum, mixed
// with a different function (CowRadix::hash2), so the halves fail
// independently and the key costs O(tasks), not O(pages).
struct Hasher2 {
    Hasher a, b;
    Hasher2() { b.add(0x5bd1e9955bd1e995ULL); }
    Hasher2& add(uint64_t v) {
        a.add(v), b.add(v);
        return *this;
    }
};

template <class T>
void addTree(Hasher2& h, const CowRadix<T>& t) {
    h.a.add(t.hash()).add(t.size());
    h.b.add(t.hash2()).add(t.size());
}

void addFrame(Hasher2& h, const StackFrame& f) {
    h.add(uint64_t(f.fn)).add(f.pc).add(f.mm).add(f.write).add(f.pfn).add(f.slot).add(f.va).add(f.index);
    h.add(f.lo)
        .add(f.hi)
        .add(f.cursor)
        .add(f.aux)
        .add(uint64_t(uint32_t(f.ret)))
        .add(f.flags)
        .add(f.orig_pte.stableHash());
    h.add(f.tag.bits());
    if (f.ctx) h.add(0xc7c7).add(f.ctx);
}

void addMsgs(Hasher2& h, const std::vector<UffdMsg>& q) {
    h.add(q.size());
    for (const UffdMsg& m : q) {
        h.add(m.task).add(m.mm).add(m.va).add(m.flags);
        if (m.event != UffdEvent::Pagefault) h.add(uint64_t(m.event)).add(m.lo).add(m.hi);  // REMOVE/UNMAP events
    }
}

}  // namespace

// What is left out, and why it cannot change what happens next:
//  - stepCount: a counter of steps taken; no path reads it (State::hash()
//    leaves it out too).
//  - Task::faultRetries: counts how often the current access re-faulted. Only
//    the narration of the access reads it ("after 2 fault(s)"); no path
//    branches on it (there is no retry limit) and findings do not name it.
//  - StackFrame::ret of every frame below the top one: it holds the value
//    the last callee returned, and the frame can only run again after its
//    current callee returns, which (StepContext::ret, the only place a frame
//    leaves a stack) writes ret first. A caller's stale ret can never be read.
//    (The top frame's ret is kept: a function may read it in a later step.)
//    This merges about a third of the states of the two-page benchmark.
//  - the order of Task::refs: a multiset of held folio references; paths
//    find and drop a reference by value, never by position.
//  - locals a frame writes before it reads them again (dead locals), where
//    the frame lives long: the monitor's loop (uffd_monitor) keeps the last
//    message it handled — its mm, va, flags, index, the callee's ret and the
//    fd it read — until MON_READ overwrites them, so at MON_POLL and MON_END
//    they are dead (and at MON_READ all but the fd). Its `aux` (the message
//    id) is only shown, never read. handle_userfault's `aux` is its message
//    id at HU_4 only: HU_1 writes it before reading it, HU_6 returns.
//  - message ids themselves, up to renaming (a symmetry reduction). Paths
//    compare message ids for equality only (which message wakes which task,
//    which event an event sender waits for) and take new ones from a counter
//    above every id ever issued. Two states that are equal except for an
//    order-preserving renaming of the ids they hold behave alike step for
//    step (the new ids renamed the same way), so the key hashes the ids'
//    pattern — each id replaced by its rank among the ids the state holds —
//    and not the values or the counter (msgIdKey). Where ids are held: the
//    messages of every context's pending and read queues, every context's
//    mmap_changing list, a task's waitArg while it is asleep on a message or
//    still names an event in an mmap_changing list (else it is spent: a
//    fresh id never equals it), and handle_userfault's aux at HU_4. This
//    merges about half of the states of the two-page benchmark, which differ
//    only in the order the two faults' messages were numbered.
//  - whether a task waits on a lock (TaskState::Blocked and its waitLock,
//    which a woken task keeps, stale, and nothing reads then): a
//    task blocks only in the step that fails to take the lock, it blocks
//    with its frame at the row that retries the attempt (every lock a path
//    takes is its row's first action, or the row changes nothing before it),
//    and only the holder's release wakes it, so at any state with the same
//    key in which it is runnable instead, its step would fail the same way
//    and block it again, changing nothing else; and every other step does
//    the same from either state, except the release, which leaves both the
//    same (runnable). The two states have the same futures (the blocked
//    one lacks only the failed attempt, which leads back to it). Leaving
//    out the stale waitLock cut the two-page benchmark's whole space under
//    baseline-2020 from 10.6 million states to 553,216; keying a blocked
//    task as runnable, to 498,206. A deadlock the merge hides (every
//    runnable task would only block) is made where it is
//    (explore/hidden_deadlock.h). Under a preemption bound the explorer
//    mixes whether the last task can run into the key (a switch away from
//    a blocked task is free).
// Everything else State::hash() covers is in the key. The tests in
// tests/core/explore_test.cpp run the same schedule from states that differ
// only in these fields (and with every message id renumbered) and check that
// the steps, findings and the keys that follow are the same.
namespace {
FutureKey done(const Hasher2& h) { return {h.a.value(), h.b.value()}; }
void addKey(Hasher2& h, FutureKey k) {
    h.a.add(k.lo);
    h.b.add(k.hi);
}

// The frame as the key sees it: dead locals (see above) zeroed.
StackFrame liveFrame(const StackFrame& in, bool top) {
    using namespace paths;
    StackFrame f = in;
    if (!top) f.ret = 0;  // dead in a caller: its callee's ret() overwrites it before the caller runs again
    if (f.fn == Fn::uffd_monitor) {
        f.aux = 0;
        if (f.pc == MON_POLL || f.pc == MON_READ || f.pc == MON_END) {
            f.mm = 0, f.va = 0, f.flags = 0, f.index = 0, f.ret = 0;
            if (f.pc != MON_READ) f.ctx = 0;
        }
    } else if (f.fn == Fn::handle_userfault) {
        f.aux = 0;  // a message id at HU_4 (msgIdKey), dead elsewhere
    }
    return f;
}

}  // namespace

FutureKey taskKey(const Task& t) {
    Hasher2 h;
    // waitArg: a pfn while asleep on writeback; otherwise a message id or spent (msgIdKey).
    const uint64_t waitArg = t.state == TaskState::SleepWriteback ? t.waitArg : 0;
    // A task blocked on a lock is keyed as the runnable task it was, and
    // waitLock not at all: it is read only while the task is blocked (a
    // woken task keeps it, stale). See above.
    h.add(uint64_t(t.state == TaskState::Blocked ? TaskState::Runnable : t.state)).add(waitArg);
    h.add(t.opIndex).add(t.lastSignal).add(t.stack.size());
    for (size_t i = 0; i < t.stack.size(); ++i) addFrame(h, liveFrame(t.stack[i], i + 1 == t.stack.size()));
    std::vector<uint32_t> refs = t.refs;
    std::sort(refs.begin(), refs.end());
    h.add(refs.size());
    for (uint32_t r : refs) h.add(r);
    return done(h);
}

FutureKey mmKey(const Mm& m) {
    Hasher2 h;
    h.add(m.vmas.size());
    for (const Vma& v : m.vmas) {
        h.add(v.start).add(v.end).add(v.pgoff).add(v.flags).add(v.file).add(v.uffd).add(v.nameId);
        if (v.ctx) h.add(0xc7c7).add(v.ctx);
    }
    addTree(h, m.pt);
    addTree(h, m.intent);
    h.add(uint64_t(m.rssShmem)).add(uint64_t(m.rssAnon)).add(uint64_t(m.rssSwapents));
    return done(h);
}

FutureKey inodeKey(const Inode& in) {
    Hasher2 h;
    h.add(in.sizePages);
    addTree(h, in.xa);
    h.add(uint64_t(in.nrpages)).add(in.iPrivate.has_value());
    if (in.iPrivate) h.add(in.iPrivate->waitq).add(in.iPrivate->start).add(in.iPrivate->next);
    h.add(in.fallocWaiters).add(uint64_t(in.alloced)).add(uint64_t(in.swapped)).add(in.writeSealed);
    return done(h);
}

FutureKey foliosKey(const CowRadix<Folio>& folios) {
    Hasher2 h;
    addTree(h, folios);
    return done(h);
}

FutureKey swapKey(const SwapDevice& swap) {
    Hasher2 h;
    h.add(swap.nslots).add(swap.cursor);
    addTree(h, swap.slots);
    return done(h);
}

FutureKey uffdKey(const UffdCtx& u) {
    Hasher2 h;
    // The ids and the id counter: msgIdKey.
    h.add(u.exists).add(u.mm).add(u.apiDone).add(u.features).add(u.released);
    addMsgs(h, u.pending);
    addMsgs(h, u.readWaiting);
    h.add(u.changing.size());  // mmap_changing: decides whether the ioctls get -EAGAIN
    return done(h);
}

FutureKey moreUffdsKey(const std::vector<UffdCtx>& v) {
    Hasher2 h;
    h.add(v.size());  // contexts 1, 2, … (more UFFDIO_APIs, fork's): each decides where messages go
    for (const UffdCtx& u : v) addKey(h, uffdKey(u));
    return done(h);
}

FutureKey locksKey(const std::vector<LockHold>& locks) {
    Hasher2 h;
    h.add(locks.size());
    for (const LockHold& l : locks) h.add(uint64_t(l.id.kind)).add(l.id.mm).add(l.id.arg).add(l.write).add(l.holders);
    return done(h);
}

FutureKey writebackKey(const std::vector<uint32_t>& wb) {
    Hasher2 h;
    h.add(wb.size());
    for (uint32_t p : wb) h.add(p);
    return done(h);
}

namespace {

bool inChanging(const UffdCtx& u0, const std::vector<UffdCtx>& more, uint32_t id) {
    auto in = [id](const UffdCtx& u) { return std::find(u.changing.begin(), u.changing.end(), id) != u.changing.end(); };
    return in(u0) || std::any_of(more.begin(), more.end(), in);
}

}  // namespace

FutureKey msgIdKey(const Task* const* tasks, size_t ntasks, const UffdCtx& u0, const std::vector<UffdCtx>& more) {
    // The ids the state holds, in a fixed order, each with where it is held;
    // reused per thread (every state the explorer makes is keyed here).
    thread_local std::vector<std::pair<uint32_t, uint32_t>> held;  // (where, id)
    thread_local std::vector<uint32_t> sorted;
    held.clear();
    for (size_t c = 0; c <= more.size(); ++c) {
        const UffdCtx& u = c ? more[c - 1] : u0;
        for (const UffdMsg& m : u.pending) held.emplace_back(uint32_t(c) << 8 | 1, m.id);
        for (const UffdMsg& m : u.readWaiting) held.emplace_back(uint32_t(c) << 8 | 2, m.id);
        for (uint32_t id : u.changing) held.emplace_back(uint32_t(c) << 8 | 3, id);
    }
    for (size_t t = 0; t < ntasks; ++t) {
        const Task& k = *tasks[t];
        const uint32_t w = uint32_t(t + 1) << 16;
        if (k.state != TaskState::SleepWriteback && k.waitArg &&
            (k.state == TaskState::SleepUffd || inChanging(u0, more, uint32_t(k.waitArg))))
            held.emplace_back(w, uint32_t(k.waitArg));
        for (size_t i = 0; i < k.stack.size(); ++i)
            if (k.stack[i].fn == Fn::handle_userfault && k.stack[i].pc == paths::HU_4)
                held.emplace_back(w | uint32_t(i + 1), uint32_t(k.stack[i].aux));
    }
    sorted.clear();
    for (const auto& [where, id] : held) sorted.push_back(id);
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    Hasher2 h;
    h.add(held.size());
    for (const auto& [where, id] : held)
        h.add(uint64_t(where) << 32 | uint64_t(std::lower_bound(sorted.begin(), sorted.end(), id) - sorted.begin()));
    return done(h);
}

FutureKey combineKeys(uint64_t configHash, uint64_t togglesHash, const FutureKey* parts, size_t n, uint32_t nextPfn,
                      FutureKey msgIds) {
    Hasher2 h;
    h.add(configHash).add(togglesHash).add(n);
    for (size_t i = 0; i < n; ++i) addKey(h, parts[i]);
    h.add(nextPfn);
    addKey(h, msgIds);
    return done(h);
}

FutureKey futureKey(const State& s) {
    std::vector<FutureKey> parts;
    parts.reserve(s.tasks.size() + s.mms.size() + 7);
    for (const Task& t : s.tasks) parts.push_back(taskKey(t));
    for (const Mm& m : s.mms) parts.push_back(mmKey(m));
    parts.push_back(inodeKey(s.inode));
    parts.push_back(foliosKey(s.folios));
    parts.push_back(swapKey(s.swap));
    parts.push_back(uffdKey(s.uffd));
    parts.push_back(moreUffdsKey(s.moreUffds));
    parts.push_back(locksKey(s.locks));
    parts.push_back(writebackKey(s.writeback));
    std::vector<const Task*> tasks;
    for (const Task& t : s.tasks) tasks.push_back(&t);
    return combineKeys(s.configHash, s.toggles.stableHash(), parts.data(), parts.size(), s.nextPfn,
                       msgIdKey(tasks.data(), tasks.size(), s.uffd, s.moreUffds));
}

FutureKey mixKey(FutureKey k, uint64_t a, uint64_t b) {
    return {Hasher().add(k.lo).add(a).add(b).value(), Hasher().add(k.hi).add(b).add(a).add(1).value()};
}

}  // namespace faultline
