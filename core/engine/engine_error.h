// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <stdexcept>

namespace faultline {
// An engine bug: a path broke an invariant it relies on. The engine catches it
// and reports a Rule::Engine finding; the run stops there.
struct EngineError : std::logic_error {
    using std::logic_error::logic_error;
};
}  // namespace faultline
