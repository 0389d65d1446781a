// SPDX-License-Identifier: GPL-3.0-or-later
// Check registry shared by main.cpp (runner) and checks.cpp (the checks).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace probe {

// Facts the runner establishes before forking a check.
struct Env {
    bool verbose = false;
    bool user_mode_only = false;      // open the uffd with UFFD_USER_MODE_ONLY
    std::uint64_t uffd_features = 0;  // what UFFDIO_API offers on this kernel
    bool swap = false;                // an active swap area exists (maybe ours)
    std::string swap_note;            // which one, or why none
};

// Outcome of one check. A check records expectations; any mismatch makes it
// FAIL. PASS lines list what was observed, FAIL lines what was expected and
// what was observed instead.
class Result {
public:
    explicit Result(const Env& env) : env_(env) {}
    // Compare one observation against the kernel behaviour we expect.
    bool expect(const std::string& what, const std::string& expected, const std::string& observed);
    // For expectations that are not string equality (e.g. "at least 2").
    bool expect_that(const std::string& what, bool ok, const std::string& expected, const std::string& observed);
    void note(const std::string& s) { observed_.push_back(s); }  // context, not compared
    void skip(const std::string& reason) { skip_ = reason; }
    void error(const std::string& e);      // setup failure: counts as FAIL
    void log(const std::string& s) const;  // --verbose detail line
    // Prints the PASS/FAIL/SKIP line; returns the child exit code (0/1/77).
    int report(const std::string& name) const;

private:
    const Env& env_;
    std::vector<std::string> observed_;
    std::vector<std::pair<std::string, std::string>> failures_;  // expected, observed
    std::string skip_;
};

enum class Needs { Nothing, Swap, NoSwap };

struct CheckDef {
    const char* name;
    const char* scenario;  // spec section it mirrors
    Needs needs;
    void (*run)(const Env&, Result&);
};

const std::vector<CheckDef>& all_checks();

}  // namespace probe
