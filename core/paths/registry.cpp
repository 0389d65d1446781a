// SPDX-License-Identifier: GPL-3.0-or-later
#include "paths/registry.h"

#include <cctype>

#include <array>

namespace faultline {
namespace paths {
#define FAULTLINE_FN(name) const FunctionInfo& info_##name();
#define FAULTLINE_FNS                                                                                               \
    FAULTLINE_FN(user_access)                                                                                       \
    FAULTLINE_FN(handle_mm_fault) FAULTLINE_FN(do_read_fault) FAULTLINE_FN(do_fault_around) FAULTLINE_FN(           \
        filemap_map_pages) FAULTLINE_FN(finish_fault) FAULTLINE_FN(do_shared_fault) FAULTLINE_FN(do_wp_page)        \
        FAULTLINE_FN(handle_pte_marker) FAULTLINE_FN(do_anonymous_page) FAULTLINE_FN(do_swap_page)                  \
            FAULTLINE_FN(shmem_fault) FAULTLINE_FN(shmem_get_folio_gfp) FAULTLINE_FN(shmem_swapin_folio)            \
                FAULTLINE_FN(shmem_file_write) FAULTLINE_FN(handle_userfault) FAULTLINE_FN(userfaultfd_api)         \
                    FAULTLINE_FN(userfaultfd_register) FAULTLINE_FN(userfaultfd_unregister)                         \
                        FAULTLINE_FN(mwriteprotect_range) FAULTLINE_FN(mfill_atomic_pte)                            \
                            FAULTLINE_FN(userfaultfd_wake) FAULTLINE_FN(uffd_monitor) FAULTLINE_FN(shmem_fallocate) \
                                FAULTLINE_FN(unmap_mapping_range) FAULTLINE_FN(shmem_undo_range)                    \
                                    FAULTLINE_FN(truncate_inode_folio) FAULTLINE_FN(shmem_free_swap)                \
                                        FAULTLINE_FN(madvise_dontneed) FAULTLINE_FN(madvise_pageout)                \
                                            FAULTLINE_FN(do_munmap) FAULTLINE_FN(shrink_folio_list)                 \
                                                FAULTLINE_FN(try_to_unmap_one) FAULTLINE_FN(shmem_writepage)        \
                                                    FAULTLINE_FN(folio_end_writeback) FAULTLINE_FN(shmem_setattr)   \
                                                        FAULTLINE_FN(madvise_remove) FAULTLINE_FN(do_cow_fault)     \
                                                            FAULTLINE_FN(do_mprotect) FAULTLINE_FN(do_mmap)         \
                                                                FAULTLINE_FN(userfaultfd_release)                   \
                                                                    FAULTLINE_FN(mfill_atomic_pte_poison)   \
                                                                        FAULTLINE_FN(dup_mmap) FAULTLINE_FN(move_vma) FAULTLINE_FN(move_pages)
FAULTLINE_FNS
#undef FAULTLINE_FN
}  // namespace paths

namespace {
// Same order as enum Fn.
const std::array<const FunctionInfo*, size_t(Fn::kCount)>& table() {
#define FAULTLINE_FN(name) &paths::info_##name(),
    static const std::array<const FunctionInfo*, size_t(Fn::kCount)> t{FAULTLINE_FNS};
#undef FAULTLINE_FN
    return t;
}
}  // namespace

const FunctionInfo& fnInfo(Fn fn) { return *table().at(size_t(fn)); }
std::string_view fnName(Fn fn) { return fnInfo(fn).name; }

Fn fnByName(std::string_view name) {
    for (size_t i = 0; i < table().size(); ++i)
        if (table()[i]->name == name) return Fn(i);
    return Fn::kCount;
}

std::string_view stepId(Fn fn, uint8_t pc) {
    const auto& lines = fnInfo(fn).lines;
    return pc < lines.size() ? lines[pc].id : std::string_view{};
}

bool knownStepId(std::string_view id) {
    for (const FunctionInfo* f : table())
        for (const CodeLine& l : f->lines)
            if (l.id == id) return true;
    return false;
}

const std::vector<std::string_view>& substepIds() {
    static const std::vector<std::string_view> ids{"ZP.3", "ZP.4", "ZP.5", "TU.3"};
    return ids;
}

bool namesWord(std::string_view text, std::string_view name) {
    if (name.empty()) return false;
    auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
    for (size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
        const bool before = at == 0 || !word(text[at - 1]);
        const size_t end = at + name.size();
        // "ZP.3" must not match inside "ZP.31"; a trailing '.' ends a sentence.
        const bool after = end >= text.size() ||
                           !(word(text[end]) || (text[end] == '.' && end + 1 < text.size() && word(text[end + 1])));
        if (before && after) return true;
    }
    return false;
}

std::vector<std::pair<Fn, int>> rowsNaming(std::string_view name) {
    std::vector<std::pair<Fn, int>> out;
    for (size_t i = 0; i < size_t(Fn::kCount); ++i) {
        const auto& lines = fnInfo(Fn(i)).lines;
        for (size_t pc = 0; pc < lines.size(); ++pc)
            if (lines[pc].id != name && namesWord(lines[pc].code, name)) out.emplace_back(Fn(i), int(pc));
    }
    if (!out.empty()) return out;
    // "MP.6" between the rows "MP.3" and "MP.7": the spec's steps MP.3–MP.6 run in the MP.3 row.
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return out;
    int n = 0;
    for (size_t k = dot + 1; k < name.size(); ++k) {
        if (!std::isdigit(static_cast<unsigned char>(name[k]))) return out;
        n = n * 10 + (name[k] - '0');
    }
    const std::string_view prefix = name.substr(0, dot + 1);
    int best = -1;
    for (size_t i = 0; i < size_t(Fn::kCount); ++i) {
        const auto& lines = fnInfo(Fn(i)).lines;
        for (size_t pc = 0; pc < lines.size(); ++pc) {
            const std::string_view id = lines[pc].id;
            if (id.size() <= prefix.size() || id.substr(0, prefix.size()) != prefix) continue;
            int m = 0;
            bool num = true;
            for (char ch : id.substr(prefix.size()))
                num = num && std::isdigit(static_cast<unsigned char>(ch)), m = m * 10 + (ch - '0');
            if (num && m <= n && m > best) best = m, out.assign(1, {Fn(i), int(pc)});
        }
    }
    return out;
}

}  // namespace faultline
