// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/explorer.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <thread>

#include "engine/engine.h"
#include "explore/footprint.h"
#include "explore/future_footprint.h"
#include "explore/hidden_deadlock.h"
#include "explore/persistent_set.h"
#include "explore/state_store.h"
#include "explore/visited_table.h"
#include "session/cells.h"
#include "session/initial_state.h"
#include "util/access_log.h"

namespace faultline {

std::string_view stopReasonName(StopReason r) {
    switch (r) {
    case StopReason::Exhausted: return "exhausted";
    case StopReason::StepBound: return "step-bound";
    case StopReason::StateLimit: return "state-limit";
    case StopReason::TimeLimit: return "time-limit";
    case StopReason::MemoryLimit: return "memory-limit";
    case StopReason::Cancelled: return "cancelled";
    case StopReason::AllGoalsFound: return "all-goals-found";
    }
    return "?";
}

std::string stopReasonText(StopReason r) {
    switch (r) {
    case StopReason::Exhausted: return "exhausted within bound";
    case StopReason::StepBound: return "exhausted up to the step bound (longer schedules were cut)";
    case StopReason::StateLimit: return "stopped at the state limit";
    case StopReason::TimeLimit: return "stopped at the time limit";
    case StopReason::MemoryLimit: return "stopped at the memory limit";
    case StopReason::Cancelled: return "cancelled";
    case StopReason::AllGoalsFound: return "stopped when every goal was reached";
    }
    return "?";
}

std::string GoalSpec::parse(const std::string& list, GoalSpec& out) {
    GoalSpec g;
    g.rules.clear();
    bool any = false, final = false;
    size_t pos = 0;
    while (pos <= list.size()) {
        const size_t comma = std::min(list.find(',', pos), list.size());
        const std::string name = list.substr(pos, comma - pos);
        pos = comma + 1;
        if (name.empty()) return "empty goal name in '" + list + "'";
        any = true;
        if (name == "C1") g.rules.push_back(Rule::C1);
        else if (name == "C2") g.rules.push_back(Rule::C2);
        else if (name == "C3") g.rules.push_back(Rule::C3);
        else if (name == "C4") g.rules.push_back(Rule::C4);
        else if (name == "engine") g.rules.push_back(Rule::Engine);
        else if (name == "deadlock") g.deadlock = true;
        else if (name == "final") final = true;
        else return "unknown goal '" + name + "' (goals: C1, C2, C3, C4, engine, deadlock, final)";
        if (comma == list.size()) break;
    }
    if (!any) return "no goal given";
    std::sort(g.rules.begin(), g.rules.end());
    g.rules.erase(std::unique(g.rules.begin(), g.rules.end()), g.rules.end());
    g.finalCells = out.finalCells;
    if (final && g.finalCells.empty()) return "goal 'final' needs at least one --final CELL=VALUE";
    if (!final) g.finalCells.clear();
    out = g;
    return "";
}

std::vector<std::string> GoalSpec::names() const {
    std::vector<std::string> n;
    for (Rule r : rules) n.emplace_back(ruleName(r));
    if (deadlock) n.emplace_back("deadlock");
    if (!finalCells.empty()) n.emplace_back("final");
    return n;
}

bool ExploreResult::anyFound() const {
    return std::any_of(goals.begin(), goals.end(), [](const GoalResult& g) { return g.found; });
}

std::string validateOptions(const ExploreOptions& o) {
    if (o.maxSteps == 0) return "--max-steps must be at least 1";
    if (o.maxSteps > 100'000) return "--max-steps " + std::to_string(o.maxSteps) + " is more than 100000";
    if (o.maxPreemptions < -1 || o.maxPreemptions > 1000) return "--preemptions must be between 0 and 1000";
    if (o.maxStates == 0) return "--max-states must be at least 1";
    if (o.maxStates > (uint64_t{1} << 31)) return "--max-states must be at most 2147483648";
    if (o.timeLimit < 0) return "--time must not be negative";
    if (o.threads == 0 || o.threads > 256) return "--threads must be between 1 and 256";
    if (o.shardCount == 0 || o.shardIndex >= o.shardCount) return "--shard I/N needs 0 <= I < N";
    if (o.goals.rules.empty() && !o.goals.deadlock && o.goals.finalCells.empty()) return "no goal given";
    return "";
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr uint32_t kNone = UINT32_MAX;
constexpr uint8_t kNoTask = 0xFF;
// Frontier states are expanded and merged in chunks of this many: the
// children of a chunk are all that exists beyond the two frontiers' rows.
constexpr size_t kChunk = 4096;

// A stored state: 12 bytes. Its depth is its level's (nodes are appended
// level by level; levelStart_ has each level's first node).
struct Node {
    uint32_t parent = kNone;
    uint32_t sleep = 0;  // tasks asleep in every expansion of this state (bit per task): what was not explored from it
    uint16_t pre = 0;    // preemptions on its schedule
    uint8_t task = kNoTask;  // the step that reached it
    bool again = false;      // a second node for a state stored before (expanded again with a smaller sleep set)
};

// A frontier entry. Its state is a row of the StateStore (rows[i * width]).
struct Item {
    uint32_t node = 0;
    uint32_t sleepSet = 0;  // id of its sleep set (footprint ids, by task) in sleepSets_
    uint32_t sleep = 0;     // the tasks in it
};

struct Child {
    uint8_t task = 0;
    bool rowless = false;  // engine error, finished or stuck: not expanded, no row
    bool preempt = false;
    bool engineError = false, finished = false, stuck = false, finalMatch = false;
    bool pureBlock = false;  // the step only blocked the task on a lock (its state keys as the parent's)
    FutureKey key, plainKey;
    uint32_t sleep = 0, sleepSet = 0;
    std::vector<Finding> findings;  // of the goal rules (and all, when collecting)
};

struct Expansion {
    std::vector<Child> children;
    std::vector<uint32_t> rows;  // a state row per child
    uint64_t slept = 0, pruned = 0;  // steps the sleep set / the persistent set left out
    bool preemptionCut = false;
    // A deadlock hidden in the parent's key: every runnable task's step only
    // blocks it, so these steps, in this order, leave no task runnable.
    std::vector<uint8_t> deadlockTail;
    FutureKey deadlockKey;
    void clear() {
        children.clear(), rows.clear(), deadlockTail.clear();
        slept = 0, pruned = 0, preemptionCut = false;
    }
};

// What a worker thread reuses from one expansion to the next.
struct Scratch {
    AccessLog log;
    State x;
    std::vector<State> ys;  // the children's states, by child
    std::vector<FutureFootprint> future;
    std::vector<const Footprint*> next;
    std::vector<Footprint> fps;      // of the children, in order
    std::vector<uint32_t> fpIds;     // their ids in the footprint pool, kNone until needed
    std::vector<uint32_t> sleepIds;  // building one sleep set
};

uint64_t hashFootprint(const Footprint& f) {
    Hasher h;
    h.add(f.task).add(f.otherTasksWritten).add(uint64_t(f.shared) | uint64_t(f.opaque) << 1);
    h.add(uint64_t(f.partReads) | uint64_t(f.partWrites) << 32).add(f.partShared);
    for (const auto& r : f.reads) h.add(uint64_t(r.space) << 48 ^ r.lo).add(r.hi);
    for (const auto& r : f.writes) h.add(uint64_t(r.space) << 48 ^ r.lo).add(r.hi ^ 1);
    for (uint64_t k : f.lockReads) h.add(k);
    for (uint64_t k : f.lockWrites) h.add(k ^ 2);
    for (uint64_t k : f.lockShared) h.add(k ^ 3);
    return h.value();
}

uint64_t hashIds(const std::vector<uint32_t>& v) {
    Hasher h;
    for (uint32_t x : v) h.add(x);
    return h.add(v.size()).value();
}

class Search {
public:
    Search(const ExploreOptions& o, State init) : o_(o), init_(std::move(init)), store_(init_) {
        bounded_ = o.maxPreemptions >= 0;
        por_ = o.reduction && !bounded_;
        persistent_ = por_ && o.persistentSets && !o.stopWhenAllFound;  // as explore() decides
        hiddenDeadlocks_ = o.goals.deadlock || o.collectFinals;
        ntasks_ = unsigned(init_.tasks.size());
        width_ = store_.width();
        for (Rule r : o.goals.rules) goalRules_ |= 1u << unsigned(r);
        names_ = o.goals.names();
        best_.resize(names_.size());
        sleepSets_.intern(std::vector<uint32_t>{}, hashIds({}));  // id 0: the empty sleep set
    }

    ExploreResult run();

private:
    void expand(const Item& it, const uint32_t* row, Expansion& out, Scratch& w);
    void merge(const Item* items, size_t n, std::vector<Expansion>& ex, uint32_t level);
    void offer(size_t goal, uint32_t parent, uint8_t task, uint64_t pre, uint64_t len, const std::string& detail,
               std::vector<uint8_t> more = {});
    void findHiddenDeadlock(const State& x, uint8_t last, Expansion& out);
    std::vector<uint8_t> path(uint32_t node) const;
    uint64_t bytes() const;
    bool checkLimits(double elapsed);
    uint32_t filterSleepSet(uint32_t id, uint32_t keep);

    const ExploreOptions& o_;
    State init_;
    StateStore store_;
    InternPool<Footprint> fps_;
    InternPool<std::vector<uint32_t>> sleepSets_;
    bool bounded_ = false, por_ = false, persistent_ = false;
    bool hiddenDeadlocks_ = false;  // deadlocks (a goal, or a final state collected) are looked for
    unsigned ntasks_ = 0, width_ = 0;
    uint32_t goalRules_ = 0;
    std::vector<std::string> names_;
    struct Best {
        bool found = false;
        uint64_t len = 0, pre = 0;
        uint32_t parent = kNone;
        uint8_t task = 0;
        std::vector<uint8_t> more;  // steps after `task` (a hidden deadlock's)
        std::string detail;
    };
    std::vector<Best> best_;
    std::vector<Node> nodes_;
    std::vector<uint32_t> levelStart_;  // first node of each level
    VisitedTable table_;
    // The level being built: its frontier entries and rows, and for each of
    // its nodes (from levelStart_.back()) the index of its entry, or kNone.
    std::vector<Item> next_;
    std::vector<uint32_t> nextRows_;
    std::vector<uint32_t> itemOf_;
    std::vector<Item> frontier_;
    std::vector<uint32_t> rows_;
    ExploreResult r_;
    Clock::time_point start_;
    std::atomic<bool> abort_{false};
    std::optional<StopReason> stop_;
    bool stepCut_ = false;
    double lastProgress_ = 0;
    std::vector<FutureKey> finals_;
    std::vector<FindingKey> seen_;
};

size_t goalIndex(const std::vector<std::string>& names, std::string_view name) {
    return size_t(std::find(names.begin(), names.end(), name) - names.begin());
}

void Search::expand(const Item& it, const uint32_t* row, Expansion& out, Scratch& w) {
    State& x = w.x;
    store_.get(row, x);
    const Node& n = nodes_[it.node];
    const bool lastRunnable = n.task != kNoTask && isRunnable(x, n.task);
    w.fps.clear();
    uint32_t enabled = 0;
    size_t k = 0;  // children stepped so far
    for (unsigned t = 0; t < ntasks_; ++t) {
        if (!isRunnable(x, uint8_t(t))) continue;
        enabled |= uint32_t{1} << t;
        if (it.sleep & (uint32_t{1} << t)) {
            ++out.slept;
            continue;
        }
        const bool preempt = lastRunnable && n.task != t;
        if (bounded_ && int(n.pre) + int(preempt) > o_.maxPreemptions) {
            out.preemptionCut = true;
            continue;
        }
        Child c;
        c.task = uint8_t(t);
        c.preempt = preempt;
        if (w.ys.size() <= k) w.ys.resize(k + 1);
        State& y = w.ys[k++];
        y = x;
        StepRecord rec;
        if (por_) {
            w.log.clear();
            ScopedAccessLog scope(w.log);
            rec = step(y, uint8_t(t), false, Narrate::No);
        } else {
            rec = step(y, uint8_t(t), false, Narrate::No);
        }
        for (Finding& f : rec.findings) {
            if (f.rule == Rule::Engine) c.engineError = true;
            if ((goalRules_ >> unsigned(f.rule) & 1) || o_.collectFinals) c.findings.push_back(std::move(f));
        }
        if (por_) w.fps.push_back(captureFootprint(x, y, uint8_t(t), w.log, c.engineError));
        if (hiddenDeadlocks_) c.pureBlock = onlyBlocked(x, y, uint8_t(t));
        c.finished = workDone(y);
        c.stuck = !c.finished && !anyRunnable(y);
        if (c.finished && !o_.goals.finalCells.empty()) {
            c.finalMatch = true;
            for (const auto& [cell, want] : o_.goals.finalCells) {
                std::string err;
                const auto got = cellValue(y, cell, &err);
                if (!got || *got != want) {
                    c.finalMatch = false;
                    break;
                }
            }
        }
        // The state after an engine error is not continued; a finished or
        // stuck one is not expanded: neither needs its row.
        c.rowless = c.engineError || c.finished || c.stuck;
        out.children.push_back(std::move(c));
    }
    if (hiddenDeadlocks_ && !out.children.empty() &&
        std::all_of(out.children.begin(), out.children.end(), [](const Child& c) { return c.pureBlock; }))
        findHiddenDeadlock(x, n.task, out);
    // Rows and keys of the children in `keep` (bit per child), in order.
    auto build = [&](uint64_t keep) {
        out.rows.clear();
        for (size_t i = 0; i < out.children.size(); ++i) {
            if (!(keep >> i & 1)) continue;
            Child& c = out.children[i];
            if (!c.rowless) {
                const size_t at = out.rows.size();
                out.rows.resize(at + width_);
                store_.put(w.ys[i], &out.rows[at], &x, row);
                c.plainKey = store_.key(&out.rows[at]);  // == futureKey(y), from the components' stored keys
            } else {
                c.plainKey = futureKey(w.ys[i]);
            }
            // Under a preemption bound, whether the last task can still run
            // decides whether switching away costs a preemption; the key
            // does not say it (a task blocked on a lock is keyed as runnable).
            c.key = bounded_ ? mixKey(c.plainKey, c.task | (isRunnable(w.ys[i], c.task) ? 0x100u : 0u),
                                      uint64_t(n.pre) + c.preempt)
                             : c.plainKey;
        }
    };
    const uint64_t all = out.children.size() >= 64 ? ~uint64_t{0} : (uint64_t{1} << out.children.size()) - 1;
    uint64_t keep = all;
    if (persistent_ && std::popcount(enabled) > 1) {
        // Persistent sets: the next step of every runnable task (a sleeping
        // one's is in the sleep set), every task's future, then the
        // smallest persistent set.
        w.future.resize(ntasks_);
        for (unsigned t = 0; t < ntasks_; ++t) futureFootprint(x, uint8_t(t), w.future[t]);
        w.next.assign(ntasks_, nullptr);
        for (size_t i = 0; i < out.children.size(); ++i) w.next[out.children[i].task] = &w.fps[i];
        for (uint32_t z : sleepSets_.get(it.sleepSet)) w.next[fps_.get(z).task] = &fps_.get(z);
        const uint32_t p = persistentSet(x, enabled, it.sleep, w.next, w.future);
        if (p != enabled) {
            keep = 0;
            for (size_t i = 0; i < out.children.size(); ++i)
                if (p >> out.children[i].task & 1) keep |= uint64_t{1} << i;
            // The proviso: a step of P back to a state of this level or an
            // earlier one may close a cycle, and every cycle needs a state
            // where every task was tried; then try them all here.
            build(keep);
            for (size_t i = 0; i < out.children.size() && keep != all; ++i) {
                if (!(keep >> i & 1)) continue;
                const uint32_t* m = table_.lookup(out.children[i].key);
                if (m && (*m < levelStart_.back() || nodes_[*m].again)) keep = all;
            }
            if (keep != all) {
                out.pruned = out.children.size() - size_t(std::popcount(keep));
                std::vector<Child> kept;
                std::vector<Footprint> keptFps;
                size_t j = 0;
                for (size_t i = 0; i < out.children.size(); ++i) {
                    if (!(keep >> i & 1)) continue;
                    kept.push_back(std::move(out.children[i]));
                    keptFps.push_back(std::move(w.fps[i]));
                    if (i != j) std::swap(w.ys[i], w.ys[j]);
                    ++j;
                }
                out.children.swap(kept);
                w.fps.swap(keptFps);
            }
        }
    }
    if (keep == all) build(all);
    if (!por_) return;
    // Sleep sets (Godefroid): a child inherits every sleeping or earlier
    // explored sibling transition that is independent of its own step.
    const std::vector<uint32_t>& asleep = sleepSets_.get(it.sleepSet);
    w.fpIds.assign(w.fps.size(), kNone);
    for (size_t i = 0; i < out.children.size(); ++i) {
        Child& c = out.children[i];
        w.sleepIds.clear();
        for (uint32_t z : asleep) {
            const Footprint& f = fps_.get(z);
            if (independent(f, w.fps[i])) c.sleep |= uint32_t{1} << f.task, w.sleepIds.push_back(z);
        }
        for (size_t j = 0; j < i; ++j) {
            if (!independent(w.fps[j], w.fps[i])) continue;
            if (w.fpIds[j] == kNone) w.fpIds[j] = fps_.intern(w.fps[j], hashFootprint(w.fps[j]));
            c.sleep |= uint32_t{1} << w.fps[j].task, w.sleepIds.push_back(w.fpIds[j]);
        }
        if (w.sleepIds.empty()) continue;
        std::sort(w.sleepIds.begin(), w.sleepIds.end(),
                  [&](uint32_t a, uint32_t b) { return fps_.get(a).task < fps_.get(b).task; });
        c.sleepSet = sleepSets_.intern(w.sleepIds, hashIds(w.sleepIds));
    }
}

// Preemptions of a schedule from s: switches away from a task that could still run.
uint64_t countPreemptions(State s, const std::vector<uint8_t>& schedule) {
    uint64_t pre = 0;
    uint8_t last = kNoTask;
    for (uint8_t t : schedule) {
        if (last != kNoTask && last != t && isRunnable(s, last)) ++pre;
        step(s, t, false, Narrate::No);
        last = t;
    }
    return pre;
}

// A deadlock the key hides (explore/hidden_deadlock.h). Called when every
// task stepped here only blocked; the tasks the sleep set or the preemption
// bound left out are tried too.
void Search::findHiddenDeadlock(const State& x, uint8_t last, Expansion& out) {
    if (std::optional<HiddenDeadlock> d = hiddenDeadlock(x, last)) {
        out.deadlockTail = std::move(d->steps);
        out.deadlockKey = futureKey(d->state);
    }
}

// The sleep set `id` without the tasks not in `keep`.
uint32_t Search::filterSleepSet(uint32_t id, uint32_t keep) {
    std::vector<uint32_t> v = sleepSets_.get(id);
    std::erase_if(v, [&](uint32_t z) { return !(keep >> fps_.get(z).task & 1); });
    return v.empty() ? 0 : sleepSets_.intern(v, hashIds(v));
}

void Search::offer(size_t goal, uint32_t parent, uint8_t task, uint64_t pre, uint64_t len, const std::string& detail,
                   std::vector<uint8_t> more) {
    if (goal >= best_.size()) return;
    Best& b = best_[goal];
    if (b.found && (b.len < len || (b.len == len && b.pre <= pre))) return;
    b = {true, len, pre, parent, task, std::move(more), detail};
}

std::vector<uint8_t> Search::path(uint32_t node) const {
    std::vector<uint8_t> p;
    for (uint32_t n = node; n != kNone && nodes_[n].parent != kNone; n = nodes_[n].parent) p.push_back(nodes_[n].task);
    std::reverse(p.begin(), p.end());
    return p;
}

uint64_t Search::bytes() const {
    return table_.bytes() + nodes_.capacity() * sizeof(Node) + store_.bytes() + fps_.bytes() + sleepSets_.bytes() +
           (frontier_.capacity() + next_.capacity()) * sizeof(Item) +
           (rows_.capacity() + nextRows_.capacity() + itemOf_.capacity()) * sizeof(uint32_t);
}

void Search::merge(const Item* items, size_t count, std::vector<Expansion>& ex, uint32_t level) {
    const uint32_t base = levelStart_.back();  // first node of level + 1
    for (size_t i = 0; i < count; ++i) {
        const uint32_t p = items[i].node;
        Expansion& e = ex[i];
        r_.slept += e.slept;
        r_.pruned += e.pruned;
        r_.preemptionCut |= e.preemptionCut;
        if (!e.deadlockTail.empty()) {
            if (o_.collectFinals) finals_.push_back(e.deadlockKey);
            const uint64_t len = uint64_t(level) + e.deadlockTail.size();
            if (o_.goals.deadlock && len <= o_.maxSteps)
                offer(goalIndex(names_, "deadlock"), p, e.deadlockTail.front(), nodes_[p].pre, len, "no task can run",
                      std::vector<uint8_t>(e.deadlockTail.begin() + 1, e.deadlockTail.end()));
        }
        size_t rowAt = 0;
        for (Child& c : e.children) {
            ++r_.transitions;
            const uint64_t pre = uint64_t(nodes_[p].pre) + c.preempt;
            for (const Finding& f : c.findings) {
                if (o_.collectFinals) seen_.push_back({int(f.rule), int(f.task), f.mm, f.index});
                if (goalRules_ >> unsigned(f.rule) & 1)
                    offer(goalIndex(names_, ruleName(f.rule)), p, c.task, pre, level + 1, f.text);
            }
            if (c.engineError) continue;  // the state after an engine error is not trusted
            if (c.stuck && o_.goals.deadlock) offer(goalIndex(names_, "deadlock"), p, c.task, pre, level + 1, "no task can run");
            if (c.finalMatch)
                offer(goalIndex(names_, "final"), p, c.task, pre, level + 1, "the final state matches every cell");
            const bool terminal = c.finished || c.stuck;
            if (terminal && o_.collectFinals) finals_.push_back(c.plainKey);
            const uint32_t* row = terminal ? nullptr : &e.rows[rowAt];
            if (!terminal) rowAt += width_;
            uint32_t* slot = nullptr;
            bool fresh;
            if (nodes_.size() >= o_.maxStates) {
                slot = table_.find(c.key);
                fresh = !slot;
                if (fresh) {
                    stop_ = StopReason::StateLimit;
                    continue;
                }
            } else {
                fresh = table_.insert(c.key, uint32_t(nodes_.size()), slot);
            }
            uint32_t explored = c.sleep;  // the new node's "not explored" set
            if (!fresh) {
                const uint32_t m = *slot;
                Node& n = nodes_[m];
                if (m >= base && itemOf_[m - base] != kNone) {
                    // Reached twice in this level: explore what either path would.
                    Item& it = next_[itemOf_[m - base]];
                    if (it.sleep & ~c.sleep) {
                        it.sleep &= c.sleep;
                        it.sleepSet = filterSleepSet(it.sleepSet, it.sleep);
                    }
                    n.sleep = it.sleep;
                    if (pre < n.pre) n.parent = p, n.task = c.task, n.pre = uint16_t(pre);
                    continue;
                }
                // Reached before with a sleep set that is a subset of this one:
                // what this path would explore from here was explored there.
                // Otherwise a second node for the same state explores it with
                // this path's sleep set; after both, what is left unexplored is
                // what both left (the table now names the second node).
                if (terminal || !por_ || !(n.sleep & ~c.sleep)) continue;
                if (nodes_.size() >= o_.maxStates) {
                    stop_ = StopReason::StateLimit;
                    continue;
                }
                explored = n.sleep & c.sleep;
                *slot = uint32_t(nodes_.size());
            }
            Node nn;
            nn.again = !fresh;
            nn.parent = p;
            nn.sleep = explored;
            nn.pre = uint16_t(pre);
            nn.task = c.task;
            if (!terminal) {
                itemOf_.push_back(uint32_t(next_.size()));
                next_.push_back({uint32_t(nodes_.size()), c.sleepSet, c.sleep});
                nextRows_.insert(nextRows_.end(), row, row + width_);
            } else {
                itemOf_.push_back(kNone);
            }
            nodes_.push_back(nn);
            r_.maxDepth = std::max<uint64_t>(r_.maxDepth, level + 1);
        }
        e.clear();
    }
}

bool Search::checkLimits(double elapsed) {
    if (o_.cancel && o_.cancel->load()) {
        stop_ = StopReason::Cancelled;
        return true;
    }
    if (o_.timeLimit > 0 && elapsed > o_.timeLimit) {
        stop_ = StopReason::TimeLimit;
        return true;
    }
    const uint64_t mem = o_.memoryUsage ? o_.memoryUsage() : bytes();
    r_.peakBytes = std::max(r_.peakBytes, mem);
    if (o_.memoryLimit && mem > o_.memoryLimit) {
        stop_ = StopReason::MemoryLimit;
        return true;
    }
    return false;
}

ExploreResult Search::run() {
    start_ = Clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start_).count(); };
    nodes_.push_back(Node{});
    levelStart_.push_back(0);
    uint32_t* slot = nullptr;
    const FutureKey k0 = bounded_ ? mixKey(futureKey(init_), kNoTask, 0) : futureKey(init_);
    table_.insert(k0, 0, slot);
    if (workDone(init_) || !anyRunnable(init_)) {
        if (o_.collectFinals) finals_.push_back(futureKey(init_));
    } else {
        frontier_.push_back({0, 0, 0});
        rows_.resize(width_);
        store_.put(init_, rows_.data());
    }
    bool split = o_.shardCount <= 1;
    const unsigned threads = std::max(1u, o_.threads);
    std::vector<Scratch> scratch(threads);
    std::vector<Expansion> ex(kChunk);
    for (uint32_t level = 0; !frontier_.empty() && !stop_; ++level) {
        if (level >= o_.maxSteps) {
            stepCut_ = true;
            break;
        }
        levelStart_.push_back(uint32_t(nodes_.size()));
        itemOf_.clear();
        for (size_t from = 0; from < frontier_.size() && !stop_ && !abort_; from += kChunk) {
            const size_t count = std::min(kChunk, frontier_.size() - from);
            std::atomic<size_t> nextIdx{0};
            auto work = [&](unsigned w) {
                for (;;) {
                    const size_t i = nextIdx.fetch_add(1);
                    if (i >= count || abort_.load(std::memory_order_relaxed)) return;
                    expand(frontier_[from + i], &rows_[(from + i) * width_], ex[i], scratch[w]);
                    if (w == 0 && (i & 31) == 0) {
                        const double t = elapsed();
                        if (checkLimits(t)) abort_ = true;
                        if (o_.progress && t - lastProgress_ >= 0.25) {
                            lastProgress_ = t;
                            o_.progress({nodes_.size(), r_.transitions, level, r_.peakBytes, t});
                        }
                    }
                }
            };
            if (threads == 1 || count < 2 * threads) {
                work(0);
            } else {
                std::vector<std::thread> pool;
                for (unsigned w = 1; w < threads; ++w) pool.emplace_back(work, w);
                work(0);
                for (auto& th : pool) th.join();
            }
            if (abort_) break;
            merge(&frontier_[from], count, ex, level);
        }
        if (abort_) break;
        frontier_.swap(next_);
        rows_.swap(nextRows_);
        next_.clear();
        nextRows_.clear();
        if (!split && frontier_.size() >= 8 * o_.shardCount) {
            std::vector<Item> mine;
            std::vector<uint32_t> mineRows;
            for (size_t i = o_.shardIndex; i < frontier_.size(); i += o_.shardCount) {
                mine.push_back(frontier_[i]);
                mineRows.insert(mineRows.end(), &rows_[i * width_], &rows_[i * width_] + width_);
            }
            frontier_.swap(mine);
            rows_.swap(mineRows);
            split = true;
        }
        if (checkLimits(elapsed())) break;
        // (A hidden deadlock's schedule can be longer than this level: a
        // shorter one may still be found.)
        if (o_.stopWhenAllFound &&
            std::all_of(best_.begin(), best_.end(), [&](const Best& b) { return b.found && b.len <= level + 1; })) {
            stop_ = StopReason::AllGoalsFound;
            break;
        }
    }
    r_.stop = stop_ ? *stop_ : stepCut_ ? StopReason::StepBound : StopReason::Exhausted;
    r_.states = nodes_.size();
    r_.distinct = table_.size();
    r_.storeBytes = table_.bytes() + nodes_.capacity() * sizeof(Node);
    r_.peakBytes = std::max(r_.peakBytes, o_.memoryUsage ? o_.memoryUsage() : bytes());
    r_.seconds = elapsed();
    r_.shardIndex = o_.shardIndex;
    r_.shardCount = o_.shardCount;
    for (size_t g = 0; g < names_.size(); ++g) {
        GoalResult gr;
        gr.goal = names_[g];
        if (best_[g].found) {
            gr.found = true;
            gr.schedule = path(best_[g].parent);
            gr.schedule.push_back(best_[g].task);
            gr.schedule.insert(gr.schedule.end(), best_[g].more.begin(), best_[g].more.end());
            // Counted on the schedule itself: without a preemption bound the
            // key does not say whether the last task can still run (a blocked
            // task keys as runnable), so the count along the stored states
            // may differ from the schedule's own.
            gr.preemptions = bounded_ ? best_[g].pre : countPreemptions(init_, gr.schedule);
            gr.detail = best_[g].detail;
            gr.task = gr.schedule.back();
        }
        r_.goals.push_back(std::move(gr));
    }
    std::sort(finals_.begin(), finals_.end());
    finals_.erase(std::unique(finals_.begin(), finals_.end()), finals_.end());
    std::sort(seen_.begin(), seen_.end());
    seen_.erase(std::unique(seen_.begin(), seen_.end()), seen_.end());
    r_.finals = std::move(finals_);
    r_.findingsSeen = std::move(seen_);
    return std::move(r_);
}

}  // namespace

ExploreResult explore(const Session& s, const ExploreOptions& opt) {
    ExploreResult r;
    if (std::string e = validateOptions(opt); !e.empty()) {
        r.error = e;
        return r;
    }
    SessionStart init = startSession(s, opt.variant, opt.toggles);
    r.variant = init.variant;
    if (!init.error.empty()) {
        r.error = init.error;
        return r;
    }
    if (init.state.tasks.size() > 32) {
        r.error = "the explorer handles at most 32 tasks";
        return r;
    }
    for (const auto& [cell, want] : opt.goals.finalCells) {
        std::string err;
        if (!cellValue(init.state, cell, &err)) {
            r.error = "final-state predicate: " + err;
            return r;
        }
    }
    // With --first the breadth-first search without persistent sets is
    // already the shortest-first answer (and what the second search would
    // run again): persistent sets serve the searches of a whole space.
    const bool persistent = opt.reduction && opt.persistentSets && opt.maxPreemptions < 0 && !opt.stopWhenAllFound;
    ExploreResult out;
    {
        Search search(opt, persistent ? init.state : std::move(init.state));
        out = search.run();
    }
    if (persistent && out.stop == StopReason::StepBound) {
        // Persistent sets postpone steps, so a schedule within the step bound
        // may be represented only by a longer one: that bound needs the search
        // without them.
        ExploreOptions o = opt;
        o.persistentSets = false;
        if (opt.timeLimit > 0) o.timeLimit = std::max(0.001, opt.timeLimit - out.seconds);
        Search search(o, std::move(init.state));
        out = search.run();
    } else if (persistent && out.anyFound()) {
        // Persistent sets keep a schedule for every goal but not always the
        // shortest (a step of another task may come first). Breadth first
        // without them, up to the longest schedule found, finds the shortest
        // of each: the one found proves it is within that bound.
        ExploreOptions o = opt;
        o.persistentSets = false;
        o.stopWhenAllFound = true;
        o.shardIndex = 0, o.shardCount = 1;
        o.collectFinals = false;
        o.goals.rules.clear();
        o.goals.deadlock = false;
        std::vector<std::pair<std::string, std::string>> cells = o.goals.finalCells;
        o.goals.finalCells.clear();
        uint64_t longest = 0;
        for (const GoalResult& g : out.goals) {
            if (!g.found) continue;
            longest = std::max<uint64_t>(longest, g.schedule.size());
            if (g.goal == "deadlock") o.goals.deadlock = true;
            else if (g.goal == "final") o.goals.finalCells = cells;
            else
                for (Rule rule : opt.goals.rules)
                    if (ruleName(rule) == g.goal) o.goals.rules.push_back(rule);
        }
        o.maxSteps = std::min<uint64_t>(opt.maxSteps, longest);
        if (opt.timeLimit > 0) o.timeLimit = std::max(0.001, opt.timeLimit - out.seconds);
        Search search(o, std::move(init.state));
        const ExploreResult s2 = search.run();
        for (GoalResult& g : out.goals)
            for (const GoalResult& h : s2.goals)
                if (h.found && h.goal == g.goal &&
                    (h.schedule.size() < g.schedule.size() ||
                     (h.schedule.size() == g.schedule.size() && h.preemptions < g.preemptions)))
                    g = h;
        out.shortestStates = s2.states;
        out.shortestSeconds = s2.seconds;
        out.seconds += s2.seconds;
        out.peakBytes = std::max(out.peakBytes, s2.peakBytes);
        if (s2.stop == StopReason::Cancelled) out.stop = StopReason::Cancelled;
    }
    out.variant = r.variant;
    out.toggles = init.toggles;
    return out;
}

}  // namespace faultline
