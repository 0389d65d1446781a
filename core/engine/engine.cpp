// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/engine.h"

#include <algorithm>
#include <stdexcept>

#include "engine/engine_error.h"

#include "engine/accounting.h"
#include "engine/fault_codes.h"
#include "engine/op_entry.h"
#include "engine/step_context.h"
#include "paths/registry.h"

namespace faultline {

bool isRunnable(const State& s, uint8_t task) {
    const Task& t = s.tasks[task];
    if (t.state != TaskState::Runnable) return false;
    if (int(task) == s.config->ioTask) return !t.stack.empty() || !s.writeback.empty();
    return !t.stack.empty() || t.opIndex < s.config->tasks[task].program.size();
}

bool anyRunnable(const State& s) {
    for (size_t i = 0; i < s.tasks.size(); ++i)
        if (isRunnable(s, uint8_t(i))) return true;
    return false;
}

bool workDone(const State& s) {
    for (size_t i = 0; i < s.tasks.size(); ++i)
        if (int(i) != s.config->uffdTask && int(i) != s.config->ioTask && s.tasks[i].state != TaskState::Done)
            return false;
    return true;
}

void startOp(State& s, uint8_t task, const Op& op) {
    Task& t = s.tasks[task];
    t.stack.push_back(entryFrame(s, task, op));
    t.state = TaskState::Runnable;
    t.faultRetries = 0;
    t.lastSignal = 0;
}

std::string whereIs(const State& s, uint8_t task) {
    const Task& t = s.tasks[task];
    if (t.state == TaskState::Done) return "done";
    if (t.stack.empty()) {
        const auto& prog = s.config->tasks[task].program;
        return t.opIndex < prog.size() ? "before " + prog[t.opIndex].text() : "idle";
    }
    const StackFrame& f = t.stack.back();
    std::string id(stepId(f.fn, f.pc));
    return std::string(fnName(f.fn)) + (id.empty() ? "" : " " + id);
}

std::string nextStepId(const State& s, uint8_t task) {
    const Task& t = s.tasks[task];
    if (t.stack.empty()) return "";
    return std::string(stepId(t.stack.back().fn, t.stack.back().pc));
}

namespace {

constexpr int kMaxFusedPieces = 4096;  // a loop that never ends a micro-step is an engine bug

// userfaultfd_event_wait_completion(), after the wait: the sender of an event
// that was read (or whose context was released) runs again, and
// atomic_dec(&ctx->mmap_changing); a monitor waiting for that retries.
void eventSenderResumes(StepContext& c) {
    State& s = c.s;
    const uint32_t id = uint32_t(s.tasks[c.t].waitArg);
    if (!id) return;
    for (size_t i = 0; i < s.ctxCount(); ++i) {
        auto& ch = s.ctx(i).changing;
        if (std::find(ch.begin(), ch.end(), id) == ch.end()) continue;
        c.editCtx(uint8_t(i), [&](UffdCtx& u) { std::erase(u.changing, id); });
        if (!s.ctx(i).changing.empty()) continue;
        for (size_t k = 0; k < s.tasks.size(); ++k)
            if (s.tasks[k].state == TaskState::Idle) {
                s.tasks[k].state = TaskState::Runnable;
                c.touch({CellKind::Task, 0, k});
            }
    }
}

void runPieces(StepContext& c) {
    State& s = c.s;
    eventSenderResumes(c);
    Task& t = s.tasks[c.t];
    if (t.stack.empty() && int(c.t) == s.config->ioTask) {
        // I/O completion for the oldest folio under writeback.
        StackFrame f;
        f.fn = Fn::folio_end_writeback;
        f.pfn = s.writeback.front();
        t.stack.push_back(f);
        c.touch({CellKind::Task, 0, c.t});
    } else if (t.stack.empty()) {
        const Op& op = s.config->tasks[c.t].program.at(t.opIndex);
        t.stack.push_back(entryFrame(s, c.t, op));
        t.faultRetries = 0;
        t.lastSignal = 0;
        c.touch({CellKind::Task, 0, c.t});
    }
    for (int n = 0; n < kMaxFusedPieces; ++n) {
        c.flowSet = false;
        c.continueNow = false;
        const StackFrame& top = s.tasks[c.t].stack.back();
        fnInfo(top.fn).step(c);
        if (!c.flowSet) throw EngineError(std::string(fnName(top.fn)) + " step ended without a control-flow call");
        if (c.opFinished || !c.continueNow) return;
    }
    throw EngineError("more than 4096 pieces in one micro-step");
}

void finishOp(StepContext& c) {
    State& s = c.s;
    Task& t = s.tasks[c.t];
    if (!t.refs.empty()) throw EngineError(c.taskName() + " finished an operation still holding folio references");
    if (s.heldBy(c.t)) throw EngineError(c.taskName() + " finished an operation still holding locks");
    if (int(c.t) == s.config->ioTask) return;  // no program: it stays ready for the next completion
    c.rec.opSignal = t.lastSignal;
    ++t.opIndex;
    if (t.opIndex >= s.config->tasks[c.t].program.size()) t.state = TaskState::Done;
    c.touch({CellKind::Task, 0, c.t});
}

}  // namespace

StepRecord step(State& s, uint8_t task, bool withHash, Narrate narrate) {
    StepRecord rec;
    rec.number = ++s.stepCount;
    rec.task = task;
    // Most steps run a few pieces and change under 16 cells: one allocation
    // each instead of a vector's doublings (a long run's load is 10^6 steps).
    rec.pieces.reserve(4);
    rec.changed.reserve(16);
    StepContext c(s, task, rec, narrate == Narrate::Yes);
    try {
        if (!isRunnable(s, task)) throw EngineError(s.config->tasks[task].name + " is not runnable");
        runPieces(c);
        if (c.opFinished) finishOp(c);
        std::sort(rec.changed.begin(), rec.changed.end());
        rec.changed.erase(std::unique(rec.changed.begin(), rec.changed.end()), rec.changed.end());
        for (std::string& m : checkTouched(s, rec.changed)) c.finding(Rule::C4, -1, -1, std::move(m));
    } catch (const std::exception& e) {
        if (rec.pieces.empty()) rec.pieces.push_back({Fn::user_access, 0, ""});
        c.finding(Rule::Engine, -1, -1, e.what());
    }
    if (withHash) rec.hashAfter = s.hash();
    return rec;
}

}  // namespace faultline
