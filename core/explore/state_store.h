// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The explorer's compact whole states (SPIN's COLLAPSE compression). A State
// is split into components — each task, each mm, the inode, the folio tree,
// the swap device, the uffd context, the lock table, the writeback list —
// and each distinct component value is stored once, in a pool; a state is
// then a row of component ids (4 bytes each: ~60 bytes for the benchmark
// systems instead of ~3 KB of vectors and cloned tree nodes). Values are
// compared exactly (==), never by hash alone, so a row rebuilds the very
// state it was made from. Between two frontier states most components are
// equal, so the pools stay small (they hold the distinct values of one task,
// one page table, ... — not of whole states).
//
// Threads: interning takes the pool's lock; reading a value by id takes none
// (values never move; an id is only read by a thread that got it from the
// pool or from a row written before the level's threads were joined).
//
// Each distinct component also keeps its future key (future_key.h), computed
// once when it enters its pool, so a state's key is one hash over its row's
// component keys: after a step most components are the parent's.
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "explore/future_key.h"
#include "model/state.h"
#include "util/hash.h"

namespace faultline {

// An append-only set of distinct values of T, addressed by a 32-bit id.
template <class T>
class InternPool {
public:
    InternPool() : chunks_(kMaxChunks), keyChunks_(kMaxChunks) {}
    InternPool(const InternPool&) = delete;
    InternPool& operator=(const InternPool&) = delete;

    const T& get(uint32_t id) const { return chunks_[id >> kChunkBits][id & (kChunk - 1)]; }
    // The key `keyOf` gave the value when it was stored (intern with a keyOf).
    const FutureKey& key(uint32_t id) const { return keyChunks_[id >> kChunkBits][id & (kChunk - 1)]; }

    // The id of a value equal to v (hash: any function of v consistent with ==), storing v if new.
    template <class V>
    uint32_t intern(V&& v, uint64_t hash) {
        return intern(std::forward<V>(v), hash, [](const T&) { return FutureKey{}; });
    }
    // The same, keeping keyOf(v) with a value stored for the first time.
    template <class V, class K>
    uint32_t intern(V&& v, uint64_t hash, K&& keyOf) {
        std::lock_guard<std::mutex> lock(mutex_);
        if ((count_ + 1) * 4 > index_.size() * 3) grow();
        const size_t mask = index_.size() - 1;
        for (size_t i = size_t(hash) & mask;; i = (i + 1) & mask) {
            Slot& s = index_[i];
            if (s.id == kEmpty) {
                const uint32_t id = uint32_t(count_);
                if ((id >> kChunkBits) >= kMaxChunks) throw std::length_error("explorer state pool full");
                auto& chunk = chunks_[id >> kChunkBits];
                if (!chunk) {
                    chunk = std::make_unique<T[]>(kChunk);
                    keyChunks_[id >> kChunkBits] = std::make_unique<FutureKey[]>(kChunk);
                }
                chunk[id & (kChunk - 1)] = std::forward<V>(v);
                keyChunks_[id >> kChunkBits][id & (kChunk - 1)] = keyOf(chunk[id & (kChunk - 1)]);
                s = {hash, id};
                ++count_;
                return id;
            }
            if (s.hash == hash && get(s.id) == v) return s.id;
        }
    }
    uint64_t size() const { return count_; }
    uint64_t bytes() const {
        return index_.capacity() * sizeof(Slot) + 2 * chunks_.capacity() * sizeof(chunks_[0]) +
               ((count_ + kChunk - 1) >> kChunkBits) * kChunk * (sizeof(T) + sizeof(FutureKey));
    }

private:
    static constexpr unsigned kChunkBits = 10;
    static constexpr size_t kChunk = size_t{1} << kChunkBits;
    static constexpr size_t kMaxChunks = size_t{1} << 16;  // 67 million values
    static constexpr uint32_t kEmpty = UINT32_MAX;
    struct Slot {
        uint64_t hash = 0;
        uint32_t id = kEmpty;
    };
    void grow() {
        std::vector<Slot> old(std::max<size_t>(64, index_.size() * 2));
        old.swap(index_);
        const size_t mask = index_.size() - 1;
        for (const Slot& s : old) {
            if (s.id == kEmpty) continue;
            size_t i = size_t(s.hash) & mask;
            while (index_[i].id != kEmpty) i = (i + 1) & mask;
            index_[i] = s;
        }
    }
    std::mutex mutex_;
    std::vector<std::unique_ptr<T[]>> chunks_;  // sized once: never reallocated
    std::vector<std::unique_ptr<FutureKey[]>> keyChunks_;
    std::vector<Slot> index_;
    uint64_t count_ = 0;
};

// States of one system (one config and toggles) as rows of component ids.
class StateStore {
public:
    explicit StateStore(const State& init) : template_(init) {
        ntasks_ = unsigned(init.tasks.size());
        nmms_ = unsigned(init.mms.size());
        if (ntasks_ + nmms_ > kMaxTasksAndMms) throw std::length_error("explorer: too many tasks and mms for a state row");
    }
    // Row layout: tasks, mms, inode, folios, swap, uffd, more uffds, locks, writeback, nextPfn, stepCount.
    unsigned width() const { return ntasks_ + nmms_ + 9; }

    // Writes s's row to out. With a parent (a state and its row), components
    // equal to the parent's reuse its ids without hashing.
    void put(const State& s, uint32_t* out, const State* parent = nullptr, const uint32_t* parentRow = nullptr) {
        unsigned c = 0;
        for (unsigned i = 0; i < ntasks_; ++i, ++c)
            out[c] = same(parent, [&](const State& p) { return p.tasks[i] == s.tasks[i]; }, parentRow, c)
                         ? parentRow[c]
                         : tasks_.intern(s.tasks[i], hashTask(s.tasks[i]), taskKey);
        for (unsigned i = 0; i < nmms_; ++i, ++c)
            out[c] = same(parent, [&](const State& p) { return p.mms[i] == s.mms[i]; }, parentRow, c)
                         ? parentRow[c]
                         : mms_.intern(s.mms[i], hashMm(s.mms[i]), mmKey);
        out[c] = same(parent, [&](const State& p) { return p.inode == s.inode; }, parentRow, c)
                     ? parentRow[c]
                     : inodes_.intern(s.inode, hashInode(s.inode), inodeKey);
        ++c;
        out[c] = same(parent, [&](const State& p) { return p.folios == s.folios; }, parentRow, c)
                     ? parentRow[c]
                     : folios_.intern(s.folios, Hasher().add(s.folios.hash()).add(s.folios.size()).value(), foliosKey);
        ++c;
        out[c] = same(parent, [&](const State& p) { return p.swap == s.swap; }, parentRow, c)
                     ? parentRow[c]
                     : swaps_.intern(s.swap, Hasher().add(s.swap.slots.hash()).add(s.swap.cursor).value(), swapKey);
        ++c;
        out[c] = same(parent, [&](const State& p) { return p.uffd == s.uffd; }, parentRow, c)
                     ? parentRow[c]
                     : uffds_.intern(s.uffd, hashUffd(s.uffd), uffdKey);
        ++c;
        out[c] = same(parent, [&](const State& p) { return p.moreUffds == s.moreUffds; }, parentRow, c)
                     ? parentRow[c]
                     : moreUffds_.intern(s.moreUffds, hashUffds(s.moreUffds), moreUffdsKey);
        ++c;
        out[c] = same(parent, [&](const State& p) { return p.locks == s.locks; }, parentRow, c)
                     ? parentRow[c]
                     : locks_.intern(s.locks, hashLocks(s.locks), locksKey);
        ++c;
        out[c] = same(parent, [&](const State& p) { return p.writeback == s.writeback; }, parentRow, c)
                     ? parentRow[c]
                     : writebacks_.intern(s.writeback, hashU32s(s.writeback), writebackKey);
        ++c;
        out[c++] = s.nextPfn;
        out[c++] = uint32_t(s.stepCount);
    }

    // Rebuilds the state of a row into out (assignment: out's buffers are reused).
    void get(const uint32_t* row, State& out) const {
        if (out.tasks.size() != ntasks_ || out.config != template_.config) out = template_;
        unsigned c = 0;
        for (unsigned i = 0; i < ntasks_; ++i) out.tasks[i] = tasks_.get(row[c++]);
        for (unsigned i = 0; i < nmms_; ++i) out.mms[i] = mms_.get(row[c++]);
        out.inode = inodes_.get(row[c++]);
        out.folios = folios_.get(row[c++]);
        out.swap = swaps_.get(row[c++]);
        out.uffd = uffds_.get(row[c++]);
        out.moreUffds = moreUffds_.get(row[c++]);
        out.locks = locks_.get(row[c++]);
        out.writeback = writebacks_.get(row[c++]);
        out.nextPfn = row[c++];
        out.stepCount = row[c++];
    }

    // futureKey() of the row's state (equal to futureKey(get(row))), from the
    // keys its components were stored with.
    FutureKey key(const uint32_t* row) const {
        FutureKey parts[kMaxTasksAndMms + 7];
        const unsigned n = ntasks_ + nmms_ + 7;
        unsigned c = 0, k = 0;
        for (unsigned i = 0; i < ntasks_; ++i) parts[k++] = tasks_.key(row[c++]);
        for (unsigned i = 0; i < nmms_; ++i) parts[k++] = mms_.key(row[c++]);
        parts[k++] = inodes_.key(row[c++]);
        parts[k++] = folios_.key(row[c++]);
        parts[k++] = swaps_.key(row[c++]);
        parts[k++] = uffds_.key(row[c++]);
        parts[k++] = moreUffds_.key(row[c++]);
        parts[k++] = locks_.key(row[c++]);
        parts[k++] = writebacks_.key(row[c++]);
        // The message ids' pattern spans components (tasks and contexts), so
        // it is computed from the values, not kept per component.
        const Task* tasks[kMaxTasksAndMms];
        for (unsigned i = 0; i < ntasks_; ++i) tasks[i] = &tasks_.get(row[i]);
        const unsigned u = ntasks_ + nmms_ + 3;  // the uffd context's column, then the further contexts'
        return combineKeys(template_.configHash, togglesHash_, parts, n, row[c],
                           msgIdKey(tasks, ntasks_, uffds_.get(row[u]), moreUffds_.get(row[u + 1])));
    }

    uint64_t bytes() const {
        return tasks_.bytes() + mms_.bytes() + inodes_.bytes() + folios_.bytes() + swaps_.bytes() + uffds_.bytes() +
               moreUffds_.bytes() + locks_.bytes() + writebacks_.bytes();
    }

private:
    template <class F>
    static bool same(const State* parent, F&& eq, const uint32_t* parentRow, unsigned) {
        return parent && parentRow && eq(*parent);
    }
    static uint64_t hashTask(const Task& t) {
        Hasher h;
        h.add(uint64_t(t.state)).add(t.waitArg).add(t.opIndex).add(t.faultRetries).add(t.stack.size());
        for (const StackFrame& f : t.stack) h.add(uint64_t(f.fn) << 8 | f.pc).add(f.pfn).add(f.cursor).add(f.aux);
        for (uint32_t r : t.refs) h.add(r);
        return h.value();
    }
    static uint64_t hashMm(const Mm& m) {
        return Hasher().add(m.pt.hash()).add(m.intent.hash()).add(m.vmas.size()).add(uint64_t(m.rssShmem)).value();
    }
    static uint64_t hashInode(const Inode& in) {
        return Hasher().add(in.xa.hash()).add(uint64_t(in.nrpages)).add(in.iPrivate.has_value()).add(in.fallocWaiters)
            .value();
    }
    static uint64_t hashUffd(const UffdCtx& u) {
        Hasher h;
        h.add(u.nextMsgId).add(u.pending.size()).add(u.readWaiting.size()).add(u.released).add(u.exists);
        for (const UffdMsg& m : u.pending) h.add(m.id).add(m.va);
        for (const UffdMsg& m : u.readWaiting) h.add(m.id).add(m.va);
        return h.value();
    }
    static uint64_t hashUffds(const std::vector<UffdCtx>& v) {
        Hasher h;
        for (const UffdCtx& u : v) h.add(hashUffd(u)).add(u.mm).add(u.features);
        return h.add(v.size()).value();
    }
    static uint64_t hashLocks(const std::vector<LockHold>& ls) {
        Hasher h;
        for (const LockHold& l : ls) h.add(uint64_t(l.id.kind) << 8 | l.id.mm).add(l.id.arg).add(l.holders);
        return h.value();
    }
    static uint64_t hashU32s(const std::vector<uint32_t>& v) {
        Hasher h;
        for (uint32_t x : v) h.add(x);
        return h.add(v.size()).value();
    }

    static constexpr unsigned kMaxTasksAndMms = 96;
    State template_;
    uint64_t togglesHash_ = template_.toggles.stableHash();
    unsigned ntasks_ = 0, nmms_ = 0;
    InternPool<Task> tasks_;
    InternPool<Mm> mms_;
    InternPool<Inode> inodes_;
    InternPool<CowRadix<Folio>> folios_;
    InternPool<SwapDevice> swaps_;
    InternPool<UffdCtx> uffds_;
    InternPool<std::vector<UffdCtx>> moreUffds_;
    InternPool<std::vector<LockHold>> locks_;
    InternPool<std::vector<uint32_t>> writebacks_;
};

}  // namespace faultline
