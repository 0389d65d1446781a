// SPDX-License-Identifier: GPL-3.0-or-later
// The interleaving explorer on the two benchmark systems of bench/explore/:
// time to the shortest counterexample, time to exhaust the whole space, with
// and without the reduction, on 1 and 2 threads. Counters: states stored,
// transitions, reduction ratio (transitions skipped by sleep sets), bytes per
// stored state (visited table + parent links), peak resident memory (growth
// over the run: visited table, nodes, the frontier's state rows and the pools
// of distinct state components).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <malloc.h>

#include <fstream>

#include "explore/explorer.h"
#include "process_memory.h"
#include "session/session_io.h"

namespace faultline {
namespace {

const Session& system(int which) {
    static const Session seed = *loadSession(FAULTLINE_BENCH_SESSIONS "/seed-race-16.json").session;
    static const Session two = *loadSession(FAULTLINE_BENCH_SESSIONS "/two-pages-16.json").session;
    return which == 0 ? seed : two;
}

const char* const kVariants[] = {"baseline-2020", "skip-faultaround", "upstream"};

// Args: system (0 seed race, 1 two pages), variant index, reduction (0 none, 1 sleep sets, 2 sleep and
// persistent sets), threads, first counterexample only.
void BM_Explore(benchmark::State& state) {
    const Session& s = system(int(state.range(0)));
    ExploreOptions o;
    o.variant = kVariants[state.range(1)];
    o.reduction = state.range(2) != 0;
    o.persistentSets = state.range(2) == 2;
    o.threads = unsigned(state.range(3));
    o.stopWhenAllFound = state.range(4) != 0;
    o.goals.rules = {Rule::C1};
    // Memory is measured as resident growth over the run (earlier runs' freed
    // memory is handed back first, so it does not count).
    malloc_trim(0);
    const uint64_t base = residentBytes();
    o.memoryUsage = [base] {
        const uint64_t r = residentBytes();
        return r > base ? r - base : 0;
    };
    // On a shared 2-core machine: a search that cannot finish says where it stopped.
    o.timeLimit = 40;
    o.memoryLimit = uint64_t(1) << 30;
    ExploreResult r;
    for (auto _ : state) {
        r = explore(s, o);
        benchmark::DoNotOptimize(r.states);
    }
    state.SetLabel(std::string(state.range(0) ? "two-pages " : "seed-race ") + o.variant +
                   (!o.reduction ? " full" : o.persistentSets ? " sleep+persistent" : " sleep") + (o.stopWhenAllFound ? " first" : " exhaust") + " t" +
                   std::to_string(o.threads) + " " + std::string(stopReasonName(r.stop)) +
                   (r.goals[0].found ? " C1@" + std::to_string(r.goals[0].schedule.size()) : " noC1"));
    state.counters["states"] = double(r.states);
    state.counters["distinct"] = double(r.distinct);
    state.counters["transitions"] = double(r.transitions);
    state.counters["slept"] = double(r.slept);
    state.counters["pruned"] = double(r.pruned);
    state.counters["ratio"] = r.reductionRatio();
    state.counters["B/state"] = r.states ? double(r.storeBytes) / double(r.states) : 0;
    state.counters["peakMB"] = double(r.peakBytes) / 1048576.0;
}

void args(benchmark::internal::Benchmark* b) {
    b->Unit(benchmark::kMillisecond)->Iterations(1);
    // Shortest counterexample.
    for (int red : {1, 2}) b->Args({0, 0, red, 1, 1})->Args({1, 0, red, 1, 1})->Args({1, 0, red, 2, 1});
    // Whole spaces, without reduction, with sleep sets, with both; 1 and 2 threads.
    b->Args({0, 0, 0, 1, 0})->Args({1, 1, 0, 1, 0})->Args({1, 0, 0, 1, 0});
    for (int red : {1, 2}) {
        b->Args({0, 0, red, 1, 0})->Args({0, 2, red, 1, 0});
        b->Args({1, 1, red, 1, 0})->Args({1, 1, red, 2, 0});
        b->Args({1, 0, red, 1, 0})->Args({1, 0, red, 2, 0});
    }
}
BENCHMARK(BM_Explore)->Apply(args);

}  // namespace
}  // namespace faultline
