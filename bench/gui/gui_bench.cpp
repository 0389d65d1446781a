// SPDX-License-Identifier: GPL-3.0-or-later
// Run: QT_QPA_PLATFORM=offscreen build/.../bench/gui/faultline_gui_bench
//
// BM_StepAndRefresh/N: one debugger step (engine micro-step, new snapshot,
// every model updated) plus one turn of the event loop, which lays out,
// replots the timeline and paints every view the step changed: what a user
// waits for after F11. A file of N pages mapped by A and B, all of A's pages
// write-protected. Goal: < 16 ms, and N=262144 within 2x of N=32.
// BM_StepAndRepaintAll/N: the same plus a synchronous repaint of the whole
// 1600x1000 window (the worst case: every visible cell painted again).
// BM_StepAndRepaintAllOnce/N: the step and its layouts, then one synchronous
// paint of the whole window (the changed widgets are not painted twice).
// BM_StepModelsOnly/N: the step and model updates without painting.
// BM_ReverseStep*: reverse step at depth 100,000 (checkpoint + re-execution).
// BM_OpenDeep/N, BM_ManualStepAtDepth/N, BM_ReverseStepAtDepth/N: a run of
// N recorded steps opened at its last step (time, resident bytes per step),
// then a hand-made step / a reverse step with the window's refresh there;
// the ratio of N=1,000,000 to N=1,000 is the cost that grows with the run.
// Autosave journals and settings go to a temporary folder (XDG_*_HOME).
// --bytes-per-step=N (instead of benchmarks): resident bytes per recorded
// step of a window that opened N steps, in a process of its own.
#include <benchmark/benchmark.h>

#include <QApplication>
#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <chrono>
#include <cstdio>
#include <malloc.h>
#include <map>
#include <memory>
#include <unistd.h>

#include "process_memory.h"
#include "debug/debugger.h"
#include "gui/autosave.h"
#include "gui/controller.h"
#include "gui/main_window.h"
#include "memorymap/memory_map_view.h"
#include "timeline/timeline_view.h"
#include "common/qcp.h"

using namespace faultline;

namespace {

Op op(OpKind k, uint64_t page = 0, uint64_t count = 1, uint32_t mode = 0, const char* tag = "") {
    Op o;
    o.kind = k, o.page = page, o.count = count, o.mode = mode, o.tag = Tag(tag);
    return o;
}

// S0-like: B1 writes every page, A registers MISSING|WP, reads 64 pages, M
// write-protects everything; A1 then alternates reads and MADV_DONTNEED of
// those pages `ops` times.
Session bigSession(uint64_t pages, int ops) {
    Session s;
    s.name = "bench";
    s.filePages = pages;
    s.mms = {{"A", {{"file", 0x40000, 0, pages, true, true, true}}},
             {"B", {{"file", 0x4000000, 0, pages, true, true, true}}}};
    Config& c = s.config;
    c.mmNames = {"A", "B"};
    c.vmaNames = {"file"};
    std::vector<Op> prog;
    for (int i = 0; i < ops; ++i)
        prog.push_back(i % 2 ? op(OpKind::MadviseDontneed, (i / 2) % 16) : op(OpKind::Read, (i / 2) % 16));
    c.tasks = {{"M", -1, {op(OpKind::Serve)}}, {"A1", 0, prog}, {"P", -1, {}}, {"B1", 1, {}}};
    c.uffdTask = 0;
    s.setup.push_back({3, op(OpKind::FileWrite, 0, pages, 0, "b0")});
    Op api = op(OpKind::UffdApi);
    api.mm = 0;
    api.features = UFFD_FEATURE_MISSING_SHMEM;
    s.setup.push_back({0, api});
    Op reg = op(OpKind::UffdRegister, 0, pages, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP);
    reg.mm = 0;
    s.setup.push_back({0, reg});
    for (uint64_t i = 0; i < std::min<uint64_t>(pages, 64); ++i) s.setup.push_back({1, op(OpKind::Read, i)});
    Op wp = op(OpKind::UffdWriteprotect, 0, pages, UFFDIO_WRITEPROTECT_MODE_WP);
    wp.mm = 0;
    s.setup.push_back({0, wp});
    s.variant = "upstream";
    return s;
}

struct Fixture {
    gui::Controller c;
    gui::MainWindow w{&c};
    explicit Fixture(const Session& s, uint64_t position = 0) {
        w.setQuiet(true);
        w.resize(1600, 1000);
        w.show();
        const QString e = c.openSession(s, "bench.json", {}, {}, position);
        if (!e.isEmpty()) qFatal("bench session: %s", qPrintable(e));
        QApplication::processEvents();
    }
};

// Steps through the run (restarting at step 1 when it ends); `paint` is
// called after each step.
template <class Paint>
void stepLoop(benchmark::State& st, Paint paint) {
    const uint64_t pages = uint64_t(st.range(0));
    Fixture f(bigSession(pages, 400));
    f.c.runTo(1);
    f.w.memoryMap()->showRow(8);
    QApplication::processEvents();
    for (auto _ : st) {
        if (f.c.debugger().position() >= f.c.debugger().length()) {
            st.PauseTiming();
            f.c.runTo(1);
            QApplication::processEvents();
            st.ResumeTiming();
        }
        f.c.stepInto();
        paint(f);
    }
    st.counters["pages"] = double(pages);
    st.counters["steps_in_run"] = double(f.c.debugger().length());
}

void BM_StepAndRefresh(benchmark::State& st) {
    stepLoop(st, [](Fixture&) { QApplication::processEvents(); });
}
BENCHMARK(BM_StepAndRefresh)->Arg(32)->Arg(262144)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_StepAndRepaintAll(benchmark::State& st) {
    stepLoop(st, [](Fixture& f) {
        QApplication::processEvents();
        f.w.repaint();
    });
}

void BM_StepAndRepaintAllOnce(benchmark::State& st) {
    stepLoop(st, [](Fixture& f) {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        f.w.repaint();
        QApplication::processEvents();
    });
}
BENCHMARK(BM_StepAndRepaintAllOnce)->Arg(32)->Arg(262144)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_StepAndRepaintAll)->Arg(32)->Arg(262144)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_StepModelsOnly(benchmark::State& st) {
    stepLoop(st, [](Fixture&) {});
}
BENCHMARK(BM_StepModelsOnly)->Arg(32)->Arg(262144)->Unit(benchmark::kMillisecond)->MinTime(1.0);

// F11 with A1 chosen in "Next step" through a 4,000-operation run (the
// choice agrees with the recorded schedule, so nothing is cut), restarting
// at step 0 when A1 is done. Appending by hand: BM_ManualStepAtDepthAndRefresh.
void BM_ManualStepAndRefresh(benchmark::State& st) {
    const uint64_t pages = uint64_t(st.range(0));
    Fixture f(bigSession(pages, 4000));
    f.c.chooseTask(1);
    for (auto _ : st) {
        if (f.c.stepInto().reason == debug::StopReason::Blocked) {
            st.PauseTiming();
            f.c.runTo(0);
            st.ResumeTiming();
        }
        QApplication::processEvents();
    }
}
BENCHMARK(BM_ManualStepAndRefresh)->Arg(32)->Arg(262144)->Unit(benchmark::kMillisecond)->MinTime(2.0);

const Session& deepSession() {
    static const Session s = bigSession(32, 45000);
    return s;
}

void BM_ReverseStepDebugger(benchmark::State& st) {
    debug::Debugger d;
    if (!d.load(deepSession()).empty()) st.SkipWithError("load");
    const uint64_t depth = uint64_t(st.range(0));
    if (d.length() < depth + 1) st.SkipWithError("run too short");
    d.runTo(depth);
    for (auto _ : st) {
        d.reverseStep();
        st.PauseTiming();
        d.stepInto();
        st.ResumeTiming();
    }
    st.counters["run_length"] = double(d.length());
}
BENCHMARK(BM_ReverseStepDebugger)->Arg(100000)->Unit(benchmark::kMicrosecond);

// Steps chosen by hand at the end of a recorded run of 100,000 steps (the
// session's schedule stops there): each F11 appends a step, so the trace,
// the timeline and the autosave journal grow with it.
const Session& planStopsAt100k() {
    static const Session s = [] {
        Session x = bigSession(32, 45000);
        Directive d;
        d.kind = Directive::Kind::Steps;
        d.task = 1;  // A1
        d.count = 100000;
        x.schedule = {d};
        x.scheduleThenDefault = false;
        return x;
    }();
    return s;
}

void BM_ManualStepAtDepthAndRefresh(benchmark::State& st) {
    Fixture f(planStopsAt100k());
    f.c.runTo(f.c.debugger().length());
    f.c.chooseTask(1);
    QApplication::processEvents();
    const uint64_t start = f.c.debugger().length();
    for (auto _ : st) {
        if (f.c.stepInto().reason != debug::StopReason::Step) st.SkipWithError("A1 cannot step");
        QApplication::processEvents();
    }
    st.counters["run_length"] = double(start);
    st.counters["appended"] = double(f.c.debugger().length() - start);
}
BENCHMARK(BM_ManualStepAtDepthAndRefresh)->Unit(benchmark::kMillisecond);

void BM_ReverseStepAndRefresh(benchmark::State& st) {
    Fixture f(deepSession());
    const uint64_t depth = uint64_t(st.range(0));
    f.c.runTo(depth);
    for (auto _ : st) {
        f.c.reverseStep();
        QApplication::processEvents();
        st.PauseTiming();
        f.c.stepInto();
        st.ResumeTiming();
    }
}
BENCHMARK(BM_ReverseStepAndRefresh)->Arg(100000)->Unit(benchmark::kMillisecond);

// ---- costs that grow with the run ------------------------------------------------

// A planned run of exactly `steps` steps of A1 (reads and MADV_DONTNEED of
// 16 pages on a 32-page file), nothing after it: F11 with A1 chosen appends.
Session runOf(uint64_t steps) {
    Session x = bigSession(32, int(steps / 3 + 1000));
    Directive d;
    d.kind = Directive::Kind::Steps;
    d.task = 1;  // A1
    d.count = steps;
    x.schedule = {d};
    x.scheduleThenDefault = false;
    return x;
}

// One window per depth, opened at the run's last step once, kept for the
// process's life (leaked on purpose: it must not outlive QApplication's
// destructor).
struct DeepWindow {
    Fixture* f = nullptr;
    double openSeconds = 0, bytesPerStep = 0;
    double firstManualSeconds = 0;  // the first hand-made step starts the journal: all N steps written once
};
DeepWindow& deepWindow(uint64_t steps) {
    static std::map<uint64_t, DeepWindow> windows;
    DeepWindow& d = windows[steps];
    if (d.f) return d;
    const Session s = runOf(steps);
    const double rss0 = double(residentBytes());
    const auto t0 = std::chrono::steady_clock::now();
    d.f = new Fixture(s, steps);
    d.openSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    d.bytesPerStep = (double(residentBytes()) - rss0) / double(steps);
    if (d.f->c.debugger().position() != steps) qFatal("deep run: at %llu", (unsigned long long)d.f->c.debugger().position());
    d.f->c.chooseTask(1);
    QApplication::processEvents();
    const auto t1 = std::chrono::steady_clock::now();
    d.f->c.stepInto();
    QApplication::processEvents();
    d.firstManualSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    return d;
}

// Opening a run of N steps at its last step (the window shown and painted).
void BM_OpenDeep(benchmark::State& st) {
    DeepWindow* d = nullptr;
    for (auto _ : st) d = &deepWindow(uint64_t(st.range(0)));
    st.SetIterationTime(d->openSeconds);
    st.counters["open_s"] = d->openSeconds;
    st.counters["bytes_per_step"] = d->bytesPerStep;
    st.counters["first_manual_step_s"] = d->firstManualSeconds;
}
BENCHMARK(BM_OpenDeep)->Arg(1000)->Arg(1000000)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// F11 with A1 chosen at the end of a run of N steps: each one appends a step
// to the recording, the trace, the timeline and the autosave journal (after
// the first, which starts the journal: BM_OpenDeep's first_manual_step_s).
void BM_ManualStepAtDepth(benchmark::State& st) {
    DeepWindow& d = deepWindow(uint64_t(st.range(0)));
    Fixture& f = *d.f;
    f.c.runTo(f.c.debugger().length());
    f.c.chooseTask(1);
    QApplication::processEvents();
    // How the timeline was drawn: whole replots (asked for, or a layer's
    // replot that had to draw everything) and the marks' layer alone.
    views::TimelineView* tv = f.w.timelineView();
    int replots = 0;
    auto conn = QObject::connect(tv->plot(), &QCustomPlot::afterReplot, [&] { ++replots; });
    const int marks0 = tv->markRedraws(), asked0 = tv->replots();
    for (auto _ : st) {
        if (f.c.stepInto().reason != debug::StopReason::Step) st.SkipWithError("A1 cannot step");
        QApplication::processEvents();
    }
    QObject::disconnect(conn);
    st.counters["run_length"] = double(st.range(0));
    st.counters["replots"] = benchmark::Counter(replots, benchmark::Counter::kAvgIterations);
    st.counters["asked_replots"] = benchmark::Counter(tv->replots() - asked0, benchmark::Counter::kAvgIterations);
    st.counters["mark_redraws"] = benchmark::Counter(tv->markRedraws() - marks0, benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_ManualStepAtDepth)->Arg(1000)->Arg(1000000)->MinTime(2.0)->Unit(benchmark::kMillisecond);

// A reverse step (F6-like: one step back) with the window's refresh near the
// end of a run of N steps.
void BM_ReverseStepAtDepth(benchmark::State& st) {
    DeepWindow& d = deepWindow(uint64_t(st.range(0)));
    Fixture& f = *d.f;
    f.c.chooseTask(std::nullopt);
    f.c.runTo(f.c.debugger().length());
    QApplication::processEvents();
    for (auto _ : st) {
        f.c.reverseStep();
        QApplication::processEvents();
        st.PauseTiming();
        f.c.stepInto();
        QApplication::processEvents();
        st.ResumeTiming();
    }
    st.counters["run_length"] = double(st.range(0));
}
BENCHMARK(BM_ReverseStepAtDepth)->Arg(1000)->Arg(1000000)->MinTime(2.0)->Unit(benchmark::kMillisecond);

// A reverse-continue that finds nothing (no breakpoint, watchpoint or
// finding in the run) from the end of a run of N steps, engine only.
void BM_ReverseContinueNothing(benchmark::State& st) {
    const uint64_t n = uint64_t(st.range(0));
    debug::Debugger d;
    if (!d.load(runOf(n), "", {}, n).empty()) st.SkipWithError("load");
    for (auto _ : st) {
        d.reverseContinue();
        st.PauseTiming();
        d.runTo(n);
        st.ResumeTiming();
    }
    st.counters["run_length"] = double(d.length());
}
BENCHMARK(BM_ReverseContinueNothing)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

// --bytes-per-step=N: the resident memory a window holds per recorded step,
// measured in a process of its own (a benchmark run before it leaves freed
// heap that the open reuses, so BM_OpenDeep's bytes_per_step depends on what
// ran earlier). The window is first shown and painted with the same session
// planned to stop after 1,000 steps (fonts, styles, glyph and text caches,
// the session and its program of N/3 operations: what does not grow with
// the run), then opens the run of N steps in its place; freed heap is given
// back to the system before each reading, so both count what is in use.
int bytesPerStep(uint64_t n) {
    Session shortRun = runOf(n);
    shortRun.schedule[0].count = 1000;
    Fixture f(shortRun, 1000);
    f.w.repaint();
    QApplication::processEvents();
    malloc_trim(0);
    const uint64_t before = residentBytes();
    const auto t0 = std::chrono::steady_clock::now();
    const QString e = f.c.openSession(runOf(n), "bench.json", {}, {}, n);
    if (!e.isEmpty()) qFatal("bench session: %s", qPrintable(e));
    f.w.repaint();
    QApplication::processEvents();
    const double open = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (f.c.debugger().position() != n) qFatal("deep run: at %llu", (unsigned long long)f.c.debugger().position());
    malloc_trim(0);
    const uint64_t after = residentBytes();
    std::printf("bytes_per_step %.1f  (resident %.1f MB -> %.1f MB for %llu steps; open %.2f s)\n",
                (double(after) - double(before)) / double(n), double(before) / 1e6, double(after) / 1e6,
                (unsigned long long)n, open);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    // Autosave journals, settings and recent files of the benchmark's windows
    // go to a folder of their own, removed at exit: never the user's.
    QTemporaryDir home;
    if (!home.isValid()) qFatal("no temporary folder");
    for (const char* v : {"XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"})
        qputenv(v, (home.path() + "/" + v).toLocal8Bit());
    QApplication app(argc, argv);
    for (int i = 1; i < argc; ++i)
        if (const QString a = QString::fromLocal8Bit(argv[i]); a.startsWith("--bytes-per-step="))
            return bytesPerStep(a.section('=', 1).toULongLong());
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    // Where the windows' journals went (tests/bench_journals.cmake checks it is not HOME).
    const QString folder = gui::Autosave::folder();
    std::printf("faultline_gui_bench: %lld autosave journal(s) in %s\n",
                (long long)QDir(folder).entryList({"autosave-*.journal"}, QDir::Files).size(), qPrintable(folder));
    return 0;
}
