// SPDX-License-Identifier: GPL-3.0-or-later
// The reproducer: one C file made of twin_rt.h, twin_rt.c (verbatim), the
// plan's tables, what the simulation shows after every operation, and a main()
// that runs the operations (or the race loop) and prints a verdict.
#include <sstream>

#include "twin_run.h"

namespace faultline::kernel {

extern const char* const kTwinRtHeader;
extern const char* const kTwinRtSource;

namespace {

std::string cstr(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\', o += c;
        else if (c == '\n') o += "\\n";
        else o += c;
    }
    return o + "\"";
}

std::string commentText(const std::string& s) {
    std::string t = s;
    for (size_t p; (p = t.find("*/")) != std::string::npos;) t.replace(p, 2, "* /");
    return t;
}

// Wraps text to ~76 columns as " * " comment lines.
std::string wrapped(const std::string& text) {
    std::istringstream in(commentText(text));
    std::string word, line, out;
    while (in >> word) {
        if (!line.empty() && line.size() + 1 + word.size() > 74) {
            out += " * " + line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty()) out += " * " + line + "\n";
    return out;
}

std::string stripped(std::string src) {
    for (const char* drop : {"#define _GNU_SOURCE\n", "#include \"twin_rt.h\"\n"})
        if (auto p = src.find(drop); p != std::string::npos) src.erase(p, std::string(drop).size());
    return src;
}

std::string intArray(const char* name, const std::vector<int>& v) {
    std::string s = "static const int " + std::string(name) + "[] = {";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + (v.empty() ? "-1" : "") + "};\n";
}

const char* kMain = R"C(
/* ---- the verdict ---------------------------------------------------------- */

static int agrees(const char *k, const char *s) {
    if (strlen(k) != strlen(s)) return 0;
    for (; *k; ++k, ++s)
        if (*k != '?' && *k != *s) return 0;
    return 1;
}

static int comparable(const char *k) {
    for (; *k; ++k)
        if (*k != '?') return 1;
    return 0;
}

/* Compares the observation lines with what the simulation shows. */
static int verdict(char *text) {
    long agreed = 0, total = 0;
    int e = 0, first = 1;
    char op[512] = "";
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') continue;
        if (!expected[e]) break;
        const char *want = expected[e++];
        if (strncmp(line, "op ", 3) == 0) {
            snprintf(op, sizeof op, "%s", line + 3);
            continue;
        }
        /* "result V", "msgs V", "cell NAME V": compare the value after the key. */
        const char *kv = strchr(line, ' '), *sv = strchr(want, ' ');
        if (!kv || !sv) continue;
        if (strncmp(line, "cell ", 5) == 0) kv = strchr(kv + 1, ' '), sv = strchr(sv + 1, ' ');
        if (!kv || !sv) continue;
        ++kv, ++sv;
        if (!comparable(kv)) continue;
        ++total;
        if (agrees(kv, sv)) {
            ++agreed;
        } else if (first) {
            first = 0;
            int klen = (int)(kv - line - 1);
            printf("first disagreement: op %s: %.*s: kernel %s, simulation %s\n", op, klen, line, kv, sv);
        }
    }
    printf("agreement: %ld/%ld observations\n", agreed, total);
    return agreed == total ? 0 : 1;
}

int main(int argc, char **argv) {
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int rc;
    if (argc > 1 && strcmp(argv[1], "--race") == 0) {
        struct tw_race r = race;
        if (argc > 2) r.iterations = atol(argv[2]);
        if (argc > 3) r.seconds = atof(argv[3]);
        if (argc > 4) r.window_us = atoi(argv[4]);
        if (argc > 5) r.uniform = strcmp(argv[5], "uniform") == 0;
        rc = tw_race_run(&world, nsetup, &r, out);
        fclose(out);
        fputs(buf, stdout);
        if (rc) return rc;
        long c1 = 0, n = 0;
        char *p = buf;
        sscanf(strstr(p, "race iterations ") ? strstr(p, "race iterations ") : "", "race iterations %ld", &n);
        for (p = strstr(p, "\noutcome "); p; p = strstr(p + 1, "\noutcome ")) {
            char cls[16] = "";
            long count = 0;
            if (sscanf(p, "\noutcome %15s %ld", cls, &count) == 2 && strstr(cls, "C1")) c1 += count;
        }
        printf("verdict: C1 (a silent write) in %ld of %ld iterations (%.2f %%); the simulation of the schedule "
               "reports %s\n", c1, n, n ? 100.0 * (double)c1 / (double)n : 0.0, sim_findings);
        return (c1 > 0) == (strstr(sim_findings, "C1") != NULL) ? 0 : 1;
    }
    rc = tw_run(&world, nsetup, out);
    fclose(out);
    fputs(buf, stdout);
    if (rc) return rc;
    rc = verdict(buf);
    free(buf);
    return rc;
}
)C";

}  // namespace

std::string emitC(const Plan& plan, const std::string& sessionPath, bool race, long iterations, double seconds,
                  int windowUs, bool uniform) {
    std::ostringstream o;
    o << "/*\n * Faultline kernel twin reproducer: " << commentText(plan.name) << "\n *\n"
      << wrapped(plan.description) << " *\n * Made by: faultline-cli kernel " << commentText(sessionPath)
      << " --emit-c FILE.c\n"
      << " * Build:   cc -O2 -Wall -Werror -pthread -o repro FILE.c\n"
      << " * Run:     ./repro                 the operations one after another; prints what the\n"
      << " *                                  kernel shows after each and a verdict against the\n"
      << " *                                  simulation (Faultline, upstream)\n"
      << " *          ./repro --race [ITERATIONS [SECONDS [WINDOW_US [uniform]]]]\n"
      << " *                                  the racing operations started together on pinned\n"
      << " *                                  CPUs; WINDOW_US 0: start offsets over the range where\n"
      << " *                                  they overlap (durations measured first), aimed at the\n"
      << " *                                  offsets that hit; \"uniform\": not aimed\n"
      << " * Needs Linux >= 6.12 with userfaultfd (root, or vm.unprivileged_userfaultfd=1);\n"
      << " * exits 77 when not allowed, 0 when the kernel agrees with the simulation, 1 if not.\n"
      << " * libc and kernel headers only.\n */\n"
      << "#define _GNU_SOURCE\n"
      << kTwinRtHeader << "\n"
      << stripped(kTwinRtSource)
      << "\n/* ---- the session ---------------------------------------------------------- */\n\n";
    const tw_world& w = plan.world;
    o << "static const struct tw_op ops[] = {\n";
    for (const tw_op& t : plan.twOps)
        o << "    {" << cstr(t.label) << ", " << t.kind << ", " << t.mm << ", " << t.vma << ", " << t.page << "UL, "
          << t.count << "UL, " << t.arg << "ULL, " << cstr(t.tag) << ", " << t.src_vma << ", " << t.src_page
          << "UL, " << t.uffd << "},\n";
    o << "};\n\nstatic const struct tw_cell cells[] = {\n";
    for (const tw_cell& c : plan.twCells)
        o << "    {" << cstr(c.name) << ", " << c.kind << ", " << c.mm << ", " << c.vma << ", " << c.page << "UL},\n";
    o << "};\n\nstatic const struct tw_world world = {\n    " << cstr(w.name) << ", " << w.file_pages << "UL, "
      << w.nmms << ",\n    {";
    for (int m = 0; m < w.nmms; ++m) {
        o << (m ? ",\n     " : "") << "{" << cstr(w.mms[m].name) << ", " << w.mms[m].nvmas << ", {";
        for (int i = 0; i < w.mms[m].nvmas; ++i) {
            const tw_vma& v = w.mms[m].vmas[i];
            o << (i ? ", " : "") << "{" << v.start << "UL, " << v.pages << "UL, " << v.pgoff << "UL, " << v.file << ", "
              << v.write << ", " << v.shared << "}";
        }
        o << "}, " << w.mms[m].fork_of1 << "}";
    }
    const tw_policy& p = w.policy;
    o << "},\n    " << w.uffd_mm << ",\n    {" << p.copy_mode_wp << ", " << cstr(p.copy_tag) << ", " << p.zeropage
      << ", " << p.clear_on_wp << ", " << p.continue_on_minor << ", " << p.continue_mode_wp << ", " << p.close_forked
      << ", " << p.move_src_offset << "L},\n    " << w.nops
      << ", ops, " << w.ncells << ", cells, " << w.need_swap << "\n};\n\n";
    o << "static const int nsetup = " << plan.nsetup << ";\n";
    const RacePlan& rp = plan.race;
    o << intArray("follow", rp.follow) << intArray("rearm", rp.rearm);
    o << "static const char *const sim_findings = " << cstr(rp.simFindings.empty() ? "no findings" : rp.simFindings)
      << ";\n";
    o << "static const struct tw_race race = {" << rp.racers.size() << ", {";
    for (size_t i = 0; i < rp.racers.size(); ++i) o << (i ? ", " : "") << rp.racers[i];
    if (rp.racers.empty()) o << "0";
    o << "}, " << rp.follow.size() << ", follow, " << rp.rearm.size() << ", rearm, " << std::max(rp.watch, 0) << ", "
      << int(rp.watchProtected) << ", " << (race ? iterations : 0) << "L, " << (race ? seconds : 10.0) << ", "
      << windowUs << ", " << int(uniform) << "};\n\n";
    o << "/* What the simulation of the same operations shows after each (Faultline, upstream). */\n"
         "static const char *const expected[] = {\n";
    for (size_t i = 0; i < plan.sim.size(); ++i) {
        const Observation& s = plan.sim[i];
        o << "    " << cstr("op " + std::to_string(i + 1) + " " + s.label) << ",\n    " << cstr("result " + s.result)
          << ", " << cstr("msgs " + s.msgs) << ",\n";
        for (const auto& [name, value] : s.cells) o << "    " << cstr("cell " + name + " " + value) << ",\n";
    }
    o << "    NULL};\n" << kMain;
    if (!rp.error.empty()) o << "/* No race: " << commentText(rp.error) << ". */\n";
    return o.str();
}

}  // namespace faultline::kernel
