// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/future_key.h"

#include <algorithm>

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
        h.add(m.id).add(m.task).add(m.mm).add(m.va).add(m.flags);
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
// Kept although it looks like one: UffdCtx::nextMsgId. Message ids are only
// compared for equality, but a finished monitor frame keeps the id of the
// last message it read, so states that differ only in the counter go on to
// states that differ in a frame (the brute-force test caught this).
// Everything else State::hash() covers is in the key. The tests in
// tests/core/explore_test.cpp run the same schedule from states that differ
// only in these fields and check that the steps, findings and the keys that
// follow are the same.
namespace {
FutureKey done(const Hasher2& h) { return {h.a.value(), h.b.value()}; }
void addKey(Hasher2& h, FutureKey k) {
    h.a.add(k.lo);
    h.b.add(k.hi);
}
}  // namespace

FutureKey taskKey(const Task& t) {
    Hasher2 h;
    h.add(uint64_t(t.state)).add(uint64_t(t.waitLock.kind)).add(t.waitLock.mm).add(t.waitLock.arg).add(t.waitArg);
    h.add(t.opIndex).add(t.lastSignal).add(t.stack.size());
    for (size_t i = 0; i < t.stack.size(); ++i) {
        if (i + 1 == t.stack.size()) {
            addFrame(h, t.stack[i]);
        } else {
            StackFrame f = t.stack[i];
            f.ret = 0;  // dead in a caller: its callee's ret() overwrites it before the caller runs again
            addFrame(h, f);
        }
    }
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
    h.add(u.exists).add(u.mm).add(u.apiDone).add(u.features).add(u.released).add(u.nextMsgId);
    addMsgs(h, u.pending);
    addMsgs(h, u.readWaiting);
    h.add(u.changing.size());  // mmap_changing: decides whether the ioctls get -EAGAIN
    for (uint32_t id : u.changing) h.add(id);
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

FutureKey combineKeys(uint64_t configHash, uint64_t togglesHash, const FutureKey* parts, size_t n, uint32_t nextPfn) {
    Hasher2 h;
    h.add(configHash).add(togglesHash).add(n);
    for (size_t i = 0; i < n; ++i) addKey(h, parts[i]);
    h.add(nextPfn);
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
    return combineKeys(s.configHash, s.toggles.stableHash(), parts.data(), parts.size(), s.nextPfn);
}

FutureKey mixKey(FutureKey k, uint64_t a, uint64_t b) {
    return {Hasher().add(k.lo).add(a).add(b).value(), Hasher().add(k.hi).add(b).add(a).add(1).value()};
}

}  // namespace faultline
