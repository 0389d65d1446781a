// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// vm_fault_t bits and errno values the modelled paths return.
#include <cstdint>
#include <string>

namespace faultline {

enum VmFault : int32_t {
    VM_FAULT_OOM = 1 << 0,
    VM_FAULT_SIGBUS = 1 << 1,
    VM_FAULT_MAJOR = 1 << 2,
    VM_FAULT_SIGSEGV = 1 << 6,
    VM_FAULT_NOPAGE = 1 << 8,
    VM_FAULT_LOCKED = 1 << 9,
    VM_FAULT_RETRY = 1 << 10,
};
constexpr int32_t VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV;

// Negative errno values for ioctls and internal returns.
enum Errno : int32_t {
    kEPERM = -1,
    kENOENT = -2,
    kEIO = -5,
    kEBADF = -9,
    kEAGAIN = -11,
    kENOMEM = -12,
    kEACCES = -13,
    kEFAULT = -14,
    kEBUSY = -16,
    kEEXIST = -17,
    kEINVAL = -22,
    kENOSPC = -28,
};
std::string errnoName(int32_t e);    // "-EEXIST"
std::string vmFaultText(int32_t r);  // "VM_FAULT_RETRY|VM_FAULT_MAJOR", "0"

}  // namespace faultline
