// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Step-table positions (StackFrame::pc) that code outside their function
// reasons about: the explorer's key (core/explore/future_key.cpp) knows which
// locals of these frames are dead at which pc. Values are hashed into
// recordings: append, never renumber.
#include <cstdint>

namespace faultline::paths {

// uffd_monitor (paths/monitor.cpp): poll, read a message, resolve it by policy, ...
enum MonitorPc : uint8_t { MON_POLL, MON_READ, MON_RESOLVE, MON_DONE, MON_END, MON_MOVED };
// handle_userfault (paths/userfault.cpp): queue the message, must-wait check, woken.
enum HandleUserfaultPc : uint8_t { HU_1, HU_4, HU_6 };

}  // namespace faultline::paths
