// SPDX-License-Identifier: GPL-3.0-or-later
// faultline-cli explore: search every schedule of a session within bounds,
// per variant; and `explore merge`, which combines the JSON of --shard runs.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli_commands.h"
#include "process_memory.h"
#include "explore/explore_output.h"
#include "explore/explorer.h"
#include "model/variants.h"
#include "session/session_io.h"

namespace faultline::cli {

namespace {

std::atomic<bool> gCancel{false};
extern "C" void onInterrupt(int) { gCancel = true; }

struct Args {
    std::string file;
    std::string variant;
    ToggleOverrides toggles;
    bool allVariants = false;
    uint64_t maxSteps = 400;
    int preemptions = -1;
    uint64_t maxStates = 20'000'000;
    double seconds = 0;
    uint64_t memoryMb = 0;
    unsigned threads = 1;
    std::string goals = "C1,C3";
    std::vector<std::string> finals;
    std::string out;
    bool json = false, noReduction = false, noPersistent = false, first = false, force = false;
    std::string shard;
    std::vector<std::string> mergeFiles;
};

std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

// All option checks in one place; "" or the message (exit 2).
std::string buildOptions(const Args& a, ExploreOptions& o) {
    o.maxSteps = a.maxSteps;
    o.maxPreemptions = a.preemptions;
    o.maxStates = a.maxStates;
    o.timeLimit = a.seconds;
    o.memoryLimit = a.memoryMb * 1024 * 1024;
    o.threads = a.threads;
    o.reduction = !a.noReduction;
    o.persistentSets = !a.noPersistent;
    o.stopWhenAllFound = a.first;
    o.toggles = a.toggles;
    for (const std::string& f : a.finals) {
        const auto eq = f.find('=');
        if (eq == std::string::npos || eq == 0) return "--final takes CELL=VALUE, not '" + f + "'";
        o.goals.finalCells.emplace_back(f.substr(0, eq), f.substr(eq + 1));
    }
    std::string goals = a.goals;
    if (!a.finals.empty() && goals.find("final") == std::string::npos) goals += ",final";
    if (std::string e = GoalSpec::parse(goals, o.goals); !e.empty()) return "--goal: " + e;
    if (!a.shard.empty()) {
        unsigned i = 0, n = 0;
        char slash = 0, extra = 0;
        std::istringstream in(a.shard);
        if (!(in >> i >> slash >> n) || slash != '/' || (in >> extra))
            return "--shard takes I/N (e.g. 0/4), not '" + a.shard + "'";
        o.shardIndex = i, o.shardCount = n;
    }
    if (a.allVariants && !a.variant.empty()) return "--kernel and --all-variants exclude each other";
    return validateOptions(o);
}

std::string mb(uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MB", double(bytes) / (1024.0 * 1024.0));
    return buf;
}

int mergeCommand(const Args& a) {
    std::vector<json::Value> shards;
    for (const std::string& f : a.mergeFiles) {
        std::ifstream in(f);
        if (!in) {
            std::fprintf(stderr, "%s: cannot read\n", f.c_str());
            return kBadInput;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        const json::ParseResult pr = json::parse(ss.str());
        if (!pr.ok()) {
            std::fprintf(stderr, "%s:%d:%d: %s\n", f.c_str(), pr.error().pos.line, pr.error().pos.column,
                         pr.error().message.c_str());
            return kBadInput;
        }
        shards.push_back(pr.value());
    }
    json::Value merged;
    if (std::string e = mergeResultsJson(shards, merged); !e.empty()) {
        std::fprintf(stderr, "explore merge: %s\n", e.c_str());
        return kBadInput;
    }
    std::fputs(json::write(merged).c_str(), stdout);
    std::fputs("\n", stdout);
    bool found = false;
    for (const json::Value& g : merged.find("goals")->asArray()) found |= g.find("found")->asBool();
    return found ? kFailed : kOk;
}

int exploreCommand(const Args& a) {
    ExploreOptions o;
    if (std::string e = buildOptions(a, o); !e.empty()) {
        std::fprintf(stderr, "faultline-cli explore: %s\n", e.c_str());
        return kBadInput;
    }
    const LoadResult lr = loadSession(a.file);
    if (!lr.session) {
        std::fprintf(stderr, "%s\n", lr.error.text().c_str());
        return kBadInput;
    }
    const Session& s = *lr.session;
    std::vector<std::string> vars;
    if (a.allVariants) {
        for (const Variant& v : variants()) vars.emplace_back(v.id);
    } else {
        vars.push_back(a.variant.empty() ? s.variant : a.variant);
    }
    if (!a.out.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(a.out, ec);
        if (ec) {
            std::fprintf(stderr, "%s: cannot create the output directory: %s\n", a.out.c_str(), ec.message().c_str());
            return kBadInput;
        }
    }
    const bool tty = isatty(2) && !a.json;
    o.memoryUsage = residentBytes;
    o.cancel = &gCancel;
    std::signal(SIGINT, onInterrupt);
    if (tty)
        o.progress = [](const ExploreOptions::Progress& p) {
            std::fprintf(stderr, "\r  %llu states, %.0f states/s, depth %llu, %s   ", (unsigned long long)p.states,
                         p.seconds > 0 ? double(p.states) / p.seconds : 0.0, (unsigned long long)p.depth,
                         mb(p.bytes).c_str());
            std::fflush(stderr);
        };
    bool found = false;
    json::Value all = json::Value::array();
    std::vector<ExploreResult> results;
    std::vector<std::pair<std::string, std::string>> refused;  // variant, why
    for (const std::string& v : vars) {
        o.variant = v;
        ExploreResult r = explore(s, o);
        if (tty) std::fputs("\r\033[K", stderr);
        if (!r.error.empty()) {
            std::fprintf(stderr, "%s: %s\n", a.file.c_str(), r.error.c_str());
            if (!a.allVariants) return kBadInput;
            // A variant that predates what the session's setup uses refuses it
            // (UFFDIO_MOVE, WP_UNPOPULATED ...): a row of the matrix, not the end.
            refused.emplace_back(v, r.error);
            json::Value jr = json::Value::object();
            jr.set("variant", v);
            jr.set("refused", r.error);
            all.push_back(jr);
            continue;
        }
        found |= r.anyFound();
        json::Value jr = exploreResultJson(r, o);
        // Counterexamples: written only by a search that was not cancelled, each atomically.
        if (!a.out.empty() && r.stop != StopReason::Cancelled) {
            json::Value files = json::Value::array();
            for (const GoalResult& g : r.goals) {
                if (!g.found) continue;
                const std::string path =
                    (std::filesystem::path(a.out) / (stem(a.file) + "." + v + "." + g.goal + ".json")).string();
                if (std::filesystem::exists(path) && !a.force) {
                    std::fprintf(stderr, "%s exists; not overwritten (use --force)\n", path.c_str());
                    return kBadInput;
                }
                if (std::string e = saveSession(counterexampleSession(s, r, g), path); !e.empty()) {
                    std::fprintf(stderr, "%s: %s\n", path.c_str(), e.c_str());
                    return kBadInput;
                }
                files.push_back(path);
            }
            jr.set("files", files);
        }
        all.push_back(jr);
        if (!a.json) {
            std::printf("%s under %s: %s — %llu states (%llu distinct), %llu transitions, reduction %.2fx, depth %llu, "
                        "%.2f s, %s%s\n",
                        a.file.c_str(), v.c_str(), stopReasonText(r.stop).c_str(), (unsigned long long)r.states,
                        (unsigned long long)r.distinct, (unsigned long long)r.transitions, r.reductionRatio(), (unsigned long long)r.maxDepth,
                        r.seconds, mb(r.peakBytes).c_str(), r.preemptionCut ? ", preemption bound cut schedules" : "");
            if (r.shortestStates)
                std::printf("  (shortest schedules from a second search without persistent sets: %llu states, %.2f s)\n",
                            (unsigned long long)r.shortestStates, r.shortestSeconds);
            for (const GoalResult& g : r.goals) {
                if (g.found)
                    std::printf("  %-8s %zu steps, %llu preemption(s): %s\n", g.goal.c_str(), g.schedule.size(),
                                (unsigned long long)g.preemptions, g.detail.c_str());
                else std::printf("  %-8s none within bound\n", g.goal.c_str());
            }
        }
        results.push_back(std::move(r));
        if (gCancel) break;
    }
    if (a.allVariants && !a.json && !results.empty()) {
        std::printf("\n%-18s", "variant");
        for (const GoalResult& g : results[0].goals) std::printf(" %-10s", g.goal.c_str());
        std::printf(" search\n");
        for (const ExploreResult& r : results) {
            std::printf("%-18s", r.variant.c_str());
            for (const GoalResult& g : r.goals)
                std::printf(
                    " %-10s",
                    g.found ? (std::to_string(g.schedule.size()) + "/" + std::to_string(g.preemptions) + "p").c_str()
                            : "none");
            std::printf(" %s\n", std::string(stopReasonName(r.stop)).c_str());
        }
        for (const auto& [v, why] : refused) std::printf("%-18s refused: %s\n", v.c_str(), why.c_str());
    }
    if (results.empty() && !refused.empty()) return kBadInput;  // every variant refused the session
    if (a.json) {
        if (all.asArray().size() == 1) {
            std::fputs(json::write(all.asArray()[0]).c_str(), stdout);
        } else {
            json::Value m = json::Value::object();
            m.set("format", "faultline-explore-matrix");
            m.set("results", all);
            std::fputs(json::write(m).c_str(), stdout);
        }
        std::fputs("\n", stdout);
    }
    return found ? kFailed : kOk;
}

}  // namespace

void addExploreCommand(CLI::App& app, int& exitCode) {
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("explore",
                                       "Search every schedule of a session's tasks within bounds; the shortest "
                                       "schedule per goal (exit 1 if one is reached)");
    cmd->add_option("SESSION", a->file, "session file (its schedule and recording are ignored)");
    addKernelOption(cmd, a->variant);
    addSetOption(cmd, a->toggles);
    cmd->add_flag("--all-variants", a->allVariants, "explore under every kernel variant and print a matrix");
    cmd->add_option("--max-steps", a->maxSteps, "longest schedule explored")
        ->type_name("N")
        ->check(wholeNumberIn(1, 100'000))
        ->capture_default_str();
    cmd->add_option("--preemptions", a->preemptions, "at most K preemptions per schedule (default: unbounded)")
        ->type_name("K")
        ->check(wholeNumberIn(0, 1000));
    cmd->add_option("--max-states", a->maxStates, "stop after N stored states")
        ->type_name("N")
        ->check(wholeNumberIn(1, uint64_t{1} << 31))
        ->capture_default_str();
    cmd->add_option("--time", a->seconds, "stop after S seconds of wall time")
        ->type_name("S")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--memory", a->memoryMb, "stop when the process uses more than MB megabytes")
        ->type_name("MB")
        ->check(wholeNumberIn(1, 1'000'000));
    cmd->add_option("--threads", a->threads, "worker threads (results do not depend on it)")
        ->type_name("N")
        ->check(wholeNumberIn(1, 256))
        ->capture_default_str();
    cmd->add_option("--goal", a->goals, "goals: C1,C2,C3,C4,engine,deadlock,final")
        ->type_name("LIST")
        ->capture_default_str();
    cmd->add_option("--final", a->finals, "goal 'final': a finished run whose final state has CELL=VALUE (repeatable)")
        ->type_name("CELL=VALUE");
    cmd->add_option("--out", a->out, "write each shortest schedule as a session with a recording into DIR")
        ->type_name("DIR");
    cmd->add_flag("--force", a->force, "overwrite counterexample files that exist");
    cmd->add_flag("--json", a->json, "print the result as JSON (format faultline-explore)");
    cmd->add_flag("--no-reduction", a->noReduction, "explore every order of independent steps too");
    cmd->add_flag("--no-persistent-sets", a->noPersistent,
                  "keep the sleep sets but try every task at every state (no persistent sets)");
    cmd->add_flag("--first", a->first, "stop as soon as every goal has been reached");
    cmd->add_option("--shard", a->shard, "explore only shard I of N (deterministic); combine with `explore merge`")
        ->type_name("I/N");
    CLI::App* merge = cmd->add_subcommand("merge", "Combine the --json results of the shards of one search");
    merge->add_option("RESULT", a->mergeFiles, "result files")->required();
    merge->callback([a, &exitCode] { exitCode = mergeCommand(*a); });
    cmd->callback([a, cmd, merge, &exitCode] {
        if (cmd->got_subcommand(merge)) return;
        if (a->file.empty()) {
            std::fprintf(stderr, "faultline-cli explore: a SESSION file is required\n");
            exitCode = kBadInput;
            return;
        }
        exitCode = exploreCommand(*a);
    });
}

}  // namespace faultline::cli
