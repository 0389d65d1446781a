// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/fault_codes.h"

namespace faultline {

std::string errnoName(int32_t e) {
    switch (e) {
    case 0: return "0";
    case kEPERM: return "-EPERM";
    case kEBADF: return "-EBADF";
    case kEACCES: return "-EACCES";
    case kENOENT: return "-ENOENT";
    case kEIO: return "-EIO";
    case kEAGAIN: return "-EAGAIN";
    case kENOMEM: return "-ENOMEM";
    case kEFAULT: return "-EFAULT";
    case kEBUSY: return "-EBUSY";
    case kEEXIST: return "-EEXIST";
    case kEINVAL: return "-EINVAL";
    case kENOSPC: return "-ENOSPC";
    }
    return std::to_string(e);
}

std::string vmFaultText(int32_t r) {
    static const std::pair<int32_t, const char*> bits[] = {{VM_FAULT_OOM, "OOM"},       {VM_FAULT_SIGBUS, "SIGBUS"},
                                                           {VM_FAULT_MAJOR, "MAJOR"},   {VM_FAULT_SIGSEGV, "SIGSEGV"},
                                                           {VM_FAULT_NOPAGE, "NOPAGE"}, {VM_FAULT_LOCKED, "LOCKED"},
                                                           {VM_FAULT_RETRY, "RETRY"}};
    std::string s;
    for (auto [b, n] : bits)
        if (r & b) s += std::string(s.empty() ? "VM_FAULT_" : "|VM_FAULT_") + n;
    return s.empty() ? "0" : s;
}

}  // namespace faultline
