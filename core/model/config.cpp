// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/config.h"

#include <array>

#include "util/hash.h"

namespace faultline {

namespace {
constexpr std::array<std::string_view, size_t(OpKind::kCount)> kOpNames = {"read",
                                                                           "write",
                                                                           "file_write",
                                                                           "punch_hole",
                                                                           "madvise_dontneed",
                                                                           "madvise_pageout",
                                                                           "reclaim",
                                                                           "writeback_end",
                                                                           "munmap",
                                                                           "uffdio_api",
                                                                           "uffdio_register",
                                                                           "uffdio_unregister",
                                                                           "uffdio_writeprotect",
                                                                           "uffdio_copy",
                                                                           "uffdio_zeropage",
                                                                           "uffdio_continue",
                                                                           "uffdio_wake",
                                                                           "serve",
                                                                           "madvise_remove",
                                                                           "ftruncate",
                                                                           "mprotect",
                                                                           "mmap",
                                                                           "uffd_close",
                                                                           "uffdio_poison",
                                                                           "fork",
                                                                           "mremap",
                                                                           "uffdio_move"};
}

std::string_view opKindName(OpKind k) { return kOpNames.at(size_t(k)); }

std::string Op::text() const {
    std::string s(opKindName(kind));
    switch (kind) {
    case OpKind::Read: return s + " " + std::to_string(page);
    case OpKind::Write: return s + " " + std::to_string(page) + " = " + tag.str();
    case OpKind::Punch: return s + " offset " + std::to_string(page) + " len " + std::to_string(count);
    case OpKind::Ftruncate: return s + " " + std::to_string(page);
    case OpKind::UffdMove:
        return s + " " + std::to_string(page) + " from " + std::to_string(srcPage) +
               (count != 1 ? " +" + std::to_string(count) : "");
    case OpKind::Mremap: return s + " " + std::to_string(page) + " to vpn " + std::to_string(to);
    case OpKind::Mmap:
    case OpKind::Fork:
    case OpKind::UffdClose: return s + (uffd ? " uffd " + std::to_string(uffd) : "");
    case OpKind::Mprotect:
        return s + " " + std::to_string(page) + (count != 1 ? " +" + std::to_string(count) : "") + " " +
               (mode == 0   ? "PROT_NONE"
                : mode == 1 ? "PROT_READ"
                            : "PROT_READ|PROT_WRITE");
    case OpKind::UffdApi:
    case OpKind::Serve: return s;
    default: return s + " " + std::to_string(page) + (count != 1 ? " +" + std::to_string(count) : "");
    }
}

Tag MonitorPolicy::copyTagFor(uint64_t index) const {
    std::string t = copyTag;
    if (auto p = t.find("{i}"); p != std::string::npos) t.replace(p, 3, std::to_string(index));
    return Tag(t);
}

uint64_t Config::stableHash() const {
    Hasher h;
    for (const auto& n : mmNames) h.add(n);
    for (const auto& n : vmaNames) h.add(n);
    for (const TaskConfig& t : tasks) {
        h.add(t.name).add(uint64_t(int64_t(t.mm)));
        for (const Op& op : t.program)
            h.add(uint64_t(op.kind))
                .add(uint64_t(int64_t(op.mm)))
                .add(op.vma)
                .add(op.page)
                .add(op.count)
                .add(op.mode)
                .add(op.features)
                .add(op.tag.bits());
        for (const Op& op : t.program)  // fields added later: hashed only when set, so older configs hash as before
            if (op.uffd || op.child >= 0 || op.to || op.srcPage || op.srcVma)
                h.add(0xc7c9).add(op.uffd).add(uint64_t(int64_t(op.child))).add(op.to).add(op.srcPage).add(op.srcVma);
    }
    for (size_t i = 0; i < forkOf.size(); ++i)
        if (forkOf[i] >= 0) h.add(0xc7ca).add(i).add(uint64_t(forkOf[i]));
    if (policy.closeForked) h.add(0xc7cb);
    if (policy.moveSrcOffset) h.add(0xc7cc).add(uint64_t(int64_t(policy.moveSrcOffset)));
    h.add(uint64_t(int64_t(uffdTask))).add(uint64_t(int64_t(ioTask)));
    h.add(policy.copyModeWp)
        .add(policy.copyTag)
        .add(policy.useZeropage)
        .add(policy.clearOnWp)
        .add(policy.continueOnMinor)
        .add(policy.continueModeWp);
    return h.value();
}

void Config::addIoTask() {
    if (ioTask >= 0) return;
    ioTask = int(tasks.size());
    tasks.push_back({"IO", -1, {}});
}

int Config::taskIndex(const std::string& name) const {
    for (size_t i = 0; i < tasks.size(); ++i)
        if (tasks[i].name == name) return int(i);
    return -1;
}

int Config::mmIndex(const std::string& name) const {
    for (size_t i = 0; i < mmNames.size(); ++i)
        if (mmNames[i] == name) return int(i);
    return -1;
}

}  // namespace faultline
