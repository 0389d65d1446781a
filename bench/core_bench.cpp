// SPDX-License-Identifier: GPL-3.0-or-later
// Engine benchmarks. Figures and ratios go to docs/performance.md
// (tools/bench_ratios.py runs this and prints the large/small ratios).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>

#include "../tests/core/scenario.h"
#include "process_memory.h"
#include "session/session_io.h"

namespace faultline::test {
namespace {

// The seed race under baseline-2020, run start to finish (setup excluded).
void BM_SeedRaceMicroSteps(benchmark::State& state) {
    Scenario sc;
    sc.s0()
        .program(A1, {read(8), write(8, "a1")})
        .program(P, {punch(8)})
        .until(P, "PH.5")
        .untilBlocked(A1)
        .untilDone(P);
    const State init = sc.initial("baseline-2020");
    uint64_t steps = 0;
    for (auto _ : state) {
        Timeline tl(init);
        for (const Directive& d : sc.s.schedule) tl.runDirective(d, 100000);
        tl.runDefault(100000);
        steps += tl.length();
        benchmark::DoNotOptimize(tl.current().hash());
    }
    state.counters["steps/s"] = benchmark::Counter(double(steps), benchmark::Counter::kIsRate);
    state.counters["steps/run"] = double(steps) / double(state.iterations());
}
BENCHMARK(BM_SeedRaceMicroSteps)->Unit(benchmark::kMicrosecond);

// A file of N pages, fully cached, mapped whole by A and B; A1 then reads and
// MADV_DONTNEEDs page 8 over and over. Each iteration is one micro-step.
State bigState(uint64_t pages, uint64_t ops) {
    Scenario sc(pages);
    sc.setup(B1, op(OpKind::FileWrite, 0, pages, 0, "b0"));
    std::vector<Op> prog;
    for (uint64_t i = 0; i < ops; ++i) prog.push_back(i % 2 ? dontneed(8) : read(8));
    sc.program(A1, prog);
    return sc.initial("upstream");
}

void BM_Step(benchmark::State& state) {
    const uint64_t pages = uint64_t(state.range(0));
    const State init = bigState(pages, 4000);
    State s = init;
    for (auto _ : state) {
        if (!isRunnable(s, A1)) {
            state.PauseTiming();
            s = init;
            state.ResumeTiming();
        }
        benchmark::DoNotOptimize(step(s, A1).hashAfter);
    }
    state.counters["pages"] = double(pages);
}
BENCHMARK(BM_Step)->Arg(32)->Arg(262144)->Unit(benchmark::kNanosecond);

// Copying a whole state (as a checkpoint or an explorer fork does) and hashing it.
void BM_CopyAndHash(benchmark::State& state) {
    const State init = bigState(uint64_t(state.range(0)), 2);
    for (auto _ : state) {
        State c = init;
        benchmark::DoNotOptimize(c.hash());
    }
}
BENCHMARK(BM_CopyAndHash)->Arg(32)->Arg(262144)->Unit(benchmark::kNanosecond);

// A step taken on a fresh copy: the first write after a copy clones the
// nodes on one path (copy-on-write), the worst case for a forking explorer.
void BM_CopyThenStep(benchmark::State& state) {
    const State init = bigState(uint64_t(state.range(0)), 4000);
    State s = init;
    for (auto _ : state) {
        if (!isRunnable(s, A1)) s = init;
        State c = s;
        benchmark::DoNotOptimize(step(c, A1).hashAfter);
        s = std::move(c);
    }
}
BENCHMARK(BM_CopyThenStep)->Arg(32)->Arg(262144)->Unit(benchmark::kNanosecond);

// The setup of a session whose B1 writes a whole file of N pages (part of
// the state every load, variant switch, compare and check starts from); Arg(1) runs
// every micro-step of the write, Arg(0) the write of holes in one go.
void BM_BuildInitialState(benchmark::State& state) {
    const uint64_t pages = uint64_t(state.range(0));
    const bool stepByStep = state.range(1) != 0;
    Scenario sc(pages);
    sc.setup(B1, op(OpKind::FileWrite, 0, pages, 0, "b0"));
    ToggleResult tr = resolveToggles("upstream", {});
    for (auto _ : state) benchmark::DoNotOptimize(buildInitialState(sc.s, tr.toggles, !stepByStep).state.hash());
    state.counters["pages"] = double(pages);
}
BENCHMARK(BM_BuildInitialState)
    ->Args({262144, 0})
    ->Args({262144, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

// Resident bytes per recorded step of a debugger's run of N steps (engine
// only: schedule, briefs, hashes, counts, checkpoints, the newest records).
void BM_TimelineBytesPerStep(benchmark::State& state) {
    const uint64_t n = uint64_t(state.range(0));
    const State init = bigState(32, n / 3 + 1000);
    double bytes = 0;
    for (auto _ : state) {
        const double before = double(residentBytes());
        Timeline tl(init, false);
        for (uint64_t i = 0; i < n; ++i) tl.stepTask(A1);
        bytes = (double(residentBytes()) - before) / double(n);
        benchmark::DoNotOptimize(tl.current().hash());
    }
    state.counters["bytes_per_step"] = bytes;
}
BENCHMARK(BM_TimelineBytesPerStep)->Arg(1000000)->Iterations(1)->Unit(benchmark::kMillisecond);

// A program of N operations ({"op":"read","page":0,"pages":N} over a fresh
// N-page file) run as `faultline-cli run` and `check` run it (runSession,
// records not kept): time and resident bytes per operation. The 65,536 / 4,096
// ratio of the time per operation is the per-op cost's growth (1.0: none).
void BM_RunLongProgram(benchmark::State& state) {
    const uint64_t n = uint64_t(state.range(0));
    const bool keep = state.range(1) != 0;
    const std::string json = R"({"format":"faultline-session","schema_version":1,"file":{"pages":)" +
                             std::to_string(n) + R"(},"mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000000","pages":)" +
                             std::to_string(n) + R"(}]}],"tasks":[{"name":"A1","mm":"A","program":[{"op":"read","page":0,"pages":)" +
                             std::to_string(n) + "}]}]}";
    const auto parsed = parseSession(json, "long.json");
    if (!parsed.session) {
        state.SkipWithError(parsed.error.text().c_str());
        return;
    }
    double bytes = 0, steps = 0;
    for (auto _ : state) {
        const double before = double(residentBytes());
        RunOptions o;
        o.keepRecords = keep;
        const RunResult r = runSession(*parsed.session, o);
        bytes = (double(residentBytes()) - before) / double(n);
        steps = double(r.timeline->length());
        benchmark::DoNotOptimize(r.timeline->current().hash());
    }
    state.counters["s_per_op"] = benchmark::Counter(double(n) * double(state.iterations()),
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["bytes_per_op"] = bytes;
    state.counters["steps_per_op"] = steps / double(n);
}
BENCHMARK(BM_RunLongProgram)
    ->Args({4096, 0})
    ->Args({65536, 0})
    ->Args({65536, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace faultline::test

BENCHMARK_MAIN();
