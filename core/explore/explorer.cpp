// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/explorer.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "engine/engine.h"
#include "explore/footprint.h"
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

struct Node {
    uint32_t parent = kNone;
    uint32_t depth = 0;
    uint64_t sleep = 0;      // sleep set it was expanded with (bit per task)
    uint32_t item = kNone;   // index in the next frontier while it is being built
    uint16_t pre = 0;        // preemptions on its schedule
    uint8_t task = kNoTask;  // the step that reached it
};

struct Item {
    uint32_t node = 0;
    State state;
    uint64_t sleep = 0;
    std::vector<Footprint> sleepFp;  // footprints of the sleeping tasks (at this state)
};

struct Child {
    uint8_t task = 0;
    bool preempt = false;
    bool engineError = false, finished = false, stuck = false, finalMatch = false;
    uint32_t rules = 0;  // bit per Rule found by the step
    State state;
    FutureKey key, plainKey;
    Footprint fp;
    std::vector<Finding> findings;  // of the goal rules (and all, when collecting)
    uint64_t sleep = 0;
    std::vector<Footprint> sleepFp;
};

struct Expansion {
    std::vector<Child> children;
    uint64_t slept = 0;
    bool preemptionCut = false;
};

class Search {
public:
    Search(const ExploreOptions& o, State init) : o_(o), init_(std::move(init)) {
        bounded_ = o.maxPreemptions >= 0;
        por_ = o.reduction && !bounded_;
        ntasks_ = unsigned(init_.tasks.size());
        for (Rule r : o.goals.rules) goalRules_ |= 1u << unsigned(r);
        names_ = o.goals.names();
        best_.resize(names_.size());
    }

    ExploreResult run();

private:
    void expand(const Item& it, Expansion& out, AccessLog& log) const;
    void merge(std::vector<Item>& items, std::vector<Expansion>& ex, std::vector<Item>& next, uint32_t level);
    void offer(size_t goal, uint32_t parent, uint8_t task, uint64_t pre, const std::string& detail);
    std::vector<uint8_t> path(uint32_t node) const;
    uint64_t bytes() const;
    bool checkLimits(double elapsed);

    const ExploreOptions& o_;
    State init_;
    bool bounded_ = false, por_ = false;
    unsigned ntasks_ = 0;
    uint32_t goalRules_ = 0;
    std::vector<std::string> names_;
    struct Best {
        bool found = false;
        uint64_t len = 0, pre = 0;
        uint32_t parent = kNone;
        uint8_t task = 0;
        std::string detail;
    };
    std::vector<Best> best_;
    std::vector<Node> nodes_;
    VisitedTable table_;
    ExploreResult r_;
    Clock::time_point start_;
    std::atomic<bool> abort_{false};
    std::optional<StopReason> stop_;
    bool stepCut_ = false;
    double lastProgress_ = 0;
    std::vector<FutureKey> finals_;
    std::vector<FindingKey> seen_;
};

size_t ruleGoal(const std::vector<std::string>& names, Rule r) {
    return size_t(std::find(names.begin(), names.end(), std::string(ruleName(r))) - names.begin());
}

void Search::expand(const Item& it, Expansion& out, AccessLog& log) const {
    const State& x = it.state;
    const Node& n = nodes_[it.node];
    const bool lastRunnable = n.task != kNoTask && isRunnable(x, n.task);
    for (unsigned t = 0; t < ntasks_; ++t) {
        if (!isRunnable(x, uint8_t(t))) continue;
        if (it.sleep & (uint64_t{1} << t)) {
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
        c.state = x;
        StepRecord rec;
        if (por_) {
            log.clear();
            ScopedAccessLog scope(log);
            rec = step(c.state, uint8_t(t));
        } else {
            rec = step(c.state, uint8_t(t));
        }
        for (Finding& f : rec.findings) {
            c.rules |= 1u << unsigned(f.rule);
            if (f.rule == Rule::Engine) c.engineError = true;
            if ((goalRules_ >> unsigned(f.rule) & 1) || o_.collectFinals) c.findings.push_back(std::move(f));
        }
        if (por_) c.fp = captureFootprint(x, c.state, uint8_t(t), log, c.engineError);
        c.finished = workDone(c.state);
        c.stuck = !c.finished && !anyRunnable(c.state);
        if (c.finished && !o_.goals.finalCells.empty()) {
            c.finalMatch = true;
            for (const auto& [cell, want] : o_.goals.finalCells) {
                std::string err;
                const auto got = cellValue(c.state, cell, &err);
                if (!got || *got != want) {
                    c.finalMatch = false;
                    break;
                }
            }
        }
        c.plainKey = futureKey(c.state);
        c.key = bounded_ ? mixKey(c.plainKey, t, uint64_t(n.pre) + preempt) : c.plainKey;
        out.children.push_back(std::move(c));
    }
    if (!por_) return;
    // Sleep sets (Godefroid): a child inherits every sleeping or earlier
    // explored sibling transition that is independent of its own step.
    for (size_t i = 0; i < out.children.size(); ++i) {
        Child& c = out.children[i];
        for (const Footprint& z : it.sleepFp)
            if (independent(z, c.fp)) c.sleep |= uint64_t{1} << z.task, c.sleepFp.push_back(z);
        for (size_t j = 0; j < i; ++j)
            if (independent(out.children[j].fp, c.fp))
                c.sleep |= uint64_t{1} << out.children[j].task, c.sleepFp.push_back(out.children[j].fp);
    }
}

void Search::offer(size_t goal, uint32_t parent, uint8_t task, uint64_t pre, const std::string& detail) {
    if (goal >= best_.size()) return;
    Best& b = best_[goal];
    const uint64_t len = uint64_t(nodes_[parent].depth) + 1;
    if (b.found && (b.len < len || (b.len == len && b.pre <= pre))) return;
    b = {true, len, pre, parent, task, detail};
}

std::vector<uint8_t> Search::path(uint32_t node) const {
    std::vector<uint8_t> p;
    for (uint32_t n = node; n != kNone && nodes_[n].parent != kNone; n = nodes_[n].parent) p.push_back(nodes_[n].task);
    std::reverse(p.begin(), p.end());
    return p;
}

uint64_t Search::bytes() const { return table_.bytes() + nodes_.capacity() * sizeof(Node); }

void Search::merge(std::vector<Item>& items, std::vector<Expansion>& ex, std::vector<Item>& next, uint32_t level) {
    for (size_t i = 0; i < items.size(); ++i) {
        const uint32_t p = items[i].node;
        Expansion& e = ex[i];
        r_.slept += e.slept;
        r_.preemptionCut |= e.preemptionCut;
        for (Child& c : e.children) {
            ++r_.transitions;
            const uint64_t pre = uint64_t(nodes_[p].pre) + c.preempt;
            for (const Finding& f : c.findings) {
                if (o_.collectFinals) seen_.push_back({int(f.rule), int(f.task), f.mm, f.index});
                if (goalRules_ >> unsigned(f.rule) & 1) offer(ruleGoal(names_, f.rule), p, c.task, pre, f.text);
            }
            if (c.engineError) continue;  // the state after an engine error is not trusted
            if (c.stuck && o_.goals.deadlock) {
                const size_t g = size_t(std::find(names_.begin(), names_.end(), "deadlock") - names_.begin());
                offer(g, p, c.task, pre, "no task can run");
            }
            if (c.finalMatch) {
                const size_t g = size_t(std::find(names_.begin(), names_.end(), "final") - names_.begin());
                offer(g, p, c.task, pre, "the final state matches every cell");
            }
            if ((c.finished || c.stuck) && o_.collectFinals) finals_.push_back(c.plainKey);
            const bool terminal = c.finished || c.stuck;
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
            if (!fresh) {
                Node& n = nodes_[*slot];
                if (n.depth == level + 1 && n.item != kNone) {
                    // Reached twice in this level: explore what either path would.
                    Item& it = next[n.item];
                    if (it.sleep & ~c.sleep) {
                        it.sleep &= c.sleep;
                        std::erase_if(it.sleepFp, [&](const Footprint& f) { return !(it.sleep >> f.task & 1); });
                    }
                    n.sleep = it.sleep;
                    if (pre < n.pre) n.parent = p, n.task = c.task, n.pre = uint16_t(pre);
                    continue;
                }
                // Reached before with a sleep set that is a subset of this one:
                // what this path would explore from here was explored there.
                // Otherwise a second node for the same state explores it
                // with this path's sleep set.
                if (terminal || !por_ || !(n.sleep & ~c.sleep)) continue;
                if (nodes_.size() >= o_.maxStates) {
                    stop_ = StopReason::StateLimit;
                    continue;
                }
            }
            Node nn;
            nn.parent = p;
            nn.depth = level + 1;
            nn.sleep = c.sleep;
            nn.pre = uint16_t(pre);
            nn.task = c.task;
            if (!terminal) {
                nn.item = uint32_t(next.size());
                next.push_back({uint32_t(nodes_.size()), std::move(c.state), c.sleep, std::move(c.sleepFp)});
            }
            nodes_.push_back(nn);
            r_.maxDepth = std::max<uint64_t>(r_.maxDepth, level + 1);
        }
        e.children.clear();
    }
    for (Item& it : next) nodes_[it.node].item = kNone;
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
    uint32_t* slot = nullptr;
    const FutureKey k0 = bounded_ ? mixKey(futureKey(init_), kNoTask, 0) : futureKey(init_);
    table_.insert(k0, 0, slot);
    std::vector<Item> frontier;
    if (workDone(init_) || !anyRunnable(init_)) {
        if (o_.collectFinals) finals_.push_back(futureKey(init_));
    } else {
        frontier.push_back({0, init_, 0, {}});
    }
    bool split = o_.shardCount <= 1;
    const unsigned threads = std::max(1u, o_.threads);
    std::vector<AccessLog> logs(threads);
    for (uint32_t level = 0; !frontier.empty() && !stop_; ++level) {
        if (level >= o_.maxSteps) {
            stepCut_ = true;
            break;
        }
        std::vector<Expansion> ex(frontier.size());
        std::atomic<size_t> nextIdx{0};
        auto work = [&](unsigned w) {
            for (;;) {
                const size_t i = nextIdx.fetch_add(1);
                if (i >= frontier.size() || abort_.load(std::memory_order_relaxed)) return;
                expand(frontier[i], ex[i], logs[w]);
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
        if (threads == 1 || frontier.size() < 2 * threads) {
            work(0);
        } else {
            std::vector<std::thread> pool;
            for (unsigned w = 1; w < threads; ++w) pool.emplace_back(work, w);
            work(0);
            for (auto& th : pool) th.join();
        }
        if (abort_) break;
        std::vector<Item> next;
        merge(frontier, ex, next, level);
        frontier.swap(next);
        if (!split && frontier.size() >= 8 * o_.shardCount) {
            std::vector<Item> mine;
            for (size_t i = o_.shardIndex; i < frontier.size(); i += o_.shardCount)
                mine.push_back(std::move(frontier[i]));
            frontier.swap(mine);
            split = true;
        }
        if (checkLimits(elapsed())) break;
        if (o_.stopWhenAllFound && std::all_of(best_.begin(), best_.end(), [](const Best& b) { return b.found; })) {
            stop_ = StopReason::AllGoalsFound;
            break;
        }
    }
    r_.stop = stop_ ? *stop_ : stepCut_ ? StopReason::StepBound : StopReason::Exhausted;
    r_.states = nodes_.size();
    r_.storeBytes = bytes();
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
            gr.preemptions = best_[g].pre;
            gr.detail = best_[g].detail;
            gr.task = best_[g].task;
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
    Search search(opt, std::move(init.state));
    ExploreResult out = search.run();
    out.variant = r.variant;
    out.toggles = init.toggles;
    return out;
}

}  // namespace faultline
