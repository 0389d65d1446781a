// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Builds sessions in code for engine tests: the spec's common setup S0 and
// small programs, without going through the JSON loader.
#include <string>
#include <vector>

#include "engine/engine.h"
#include "session/initial_state.h"
#include "session/runner.h"
#include "session/session.h"

namespace faultline::test {

inline Op op(OpKind k, uint64_t page = 0, uint64_t count = 1, uint32_t mode = 0, std::string tag = "") {
    Op o;
    o.kind = k, o.page = page, o.count = count, o.mode = mode, o.tag = Tag(tag);
    return o;
}
inline Op read(uint64_t page) { return op(OpKind::Read, page); }
inline Op write(uint64_t page, std::string tag) { return op(OpKind::Write, page, 1, 0, tag); }
inline Op punch(uint64_t page, uint64_t pages = 1) { return op(OpKind::Punch, page * 4096, pages * 4096); }
inline Op reclaim(uint64_t page) { return op(OpKind::Reclaim, page); }
inline Op writebackEnd(uint64_t page) { return op(OpKind::WritebackEnd, page); }
inline Op dontneed(uint64_t page, uint64_t n = 1) { return op(OpKind::MadviseDontneed, page, n); }
inline Op serve() { return op(OpKind::Serve); }
inline Op onA(Op o) {
    o.mm = 0;
    return o;
}

// Tasks, in this order: M (monitor), A1 (mm A), P (puncher), B1 (mm B), R (reclaim).
enum TaskIx : int { M = 0, A1 = 1, P = 2, B1 = 3, R = 4 };

struct Scenario {
    Session s;

    explicit Scenario(uint64_t pages = 32) {
        s.filePages = pages;
        s.mms = {{"A", {{"file", 0x40000, 0, pages, true, true, true}}},
                 {"B", {{"file", 0x80000, 0, pages, true, true, true}}}};
        s.config.mmNames = {"A", "B"};
        s.config.vmaNames = {"file"};
        s.config.tasks = {{"M", -1, {serve()}}, {"A1", 0, {}}, {"P", -1, {}}, {"B1", 1, {}}, {"R", -1, {}}};
        s.config.uffdTask = M;
    }
    Scenario& setup(int task, Op o) {
        s.setup.push_back({task, o});
        return *this;
    }
    // Spec S0: B1 write(2)s `written` pages; A registers `mode` and reads
    // them all; M write-protects the whole range.
    Scenario& s0(uint32_t mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP, uint64_t written = UINT64_MAX,
                 bool protect = true) {
        const uint64_t pages = s.filePages;
        if (written == UINT64_MAX) written = pages;
        if (written) setup(B1, op(OpKind::FileWrite, 0, written, 0, "b0"));
        Op api = onA(op(OpKind::UffdApi));
        api.features = UFFD_FEATURE_MISSING_SHMEM |
                       ((mode & UFFDIO_REGISTER_MODE_MINOR) ? uint64_t(UFFD_FEATURE_MINOR_SHMEM) : uint64_t(0));
        setup(M, api);
        setup(M, onA(op(OpKind::UffdRegister, 0, pages, mode)));
        for (uint64_t i = 0; i < written; ++i) setup(A1, read(i));
        if (protect && (mode & UFFDIO_REGISTER_MODE_WP))
            setup(M, onA(op(OpKind::UffdWriteprotect, 0, pages, UFFDIO_WRITEPROTECT_MODE_WP)));
        return *this;
    }
    Scenario& program(int task, std::vector<Op> ops) {
        s.config.tasks[task].program = std::move(ops);
        if (task == M && (s.config.tasks[M].program.empty() || s.config.tasks[M].program.back().kind != OpKind::Serve))
            s.config.tasks[M].program.push_back(serve());
        return *this;
    }
    Scenario& until(int task, std::string stepId) {
        Directive d;
        d.kind = Directive::Kind::UntilStep, d.task = task, d.stepId = std::move(stepId);
        s.schedule.push_back(d);
        return *this;
    }
    Scenario& untilBlocked(int task) {
        Directive d;
        d.kind = Directive::Kind::UntilBlocked, d.task = task;
        s.schedule.push_back(d);
        return *this;
    }
    Scenario& untilDone(int task) {
        Directive d;
        d.kind = Directive::Kind::UntilDone, d.task = task;
        s.schedule.push_back(d);
        return *this;
    }
    Scenario& toggle(std::string name, std::string value) {
        s.toggles.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    RunResult run(const std::string& variant) const {
        RunOptions o;
        o.variant = variant;
        return runSession(s, o);
    }
    // The initial state under a variant (after setup).
    State initial(const std::string& variant) const {
        return buildInitialState(s, resolveToggles(variant, s.toggles).toggles).state;
    }
};

inline const Pte& pteA(const State& st, uint64_t i) { return st.mms[0].pt.get(0x40000 + i); }
inline const Pte& pteB(const State& st, uint64_t i) { return st.mms[1].pt.get(0x80000 + i); }
inline int count(const RunResult& r, Rule rule) {
    int n = 0;
    for (const Finding& f : r.findings) n += f.rule == rule;
    return n;
}

}  // namespace faultline::test
