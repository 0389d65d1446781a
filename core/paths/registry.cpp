#include "paths/registry.h"

#include <array>

namespace faultline {
namespace paths {
#define FAULTLINE_FN(name) const FunctionInfo& info_##name();
#define FAULTLINE_FNS                                                                                       \
    FAULTLINE_FN(user_access) FAULTLINE_FN(handle_mm_fault) FAULTLINE_FN(do_read_fault)                     \
    FAULTLINE_FN(do_fault_around) FAULTLINE_FN(filemap_map_pages) FAULTLINE_FN(finish_fault)                \
    FAULTLINE_FN(do_shared_fault) FAULTLINE_FN(do_wp_page) FAULTLINE_FN(handle_pte_marker)                  \
    FAULTLINE_FN(do_anonymous_page) FAULTLINE_FN(do_swap_page) FAULTLINE_FN(shmem_fault)                    \
    FAULTLINE_FN(shmem_get_folio_gfp) FAULTLINE_FN(shmem_swapin_folio) FAULTLINE_FN(shmem_file_write)       \
    FAULTLINE_FN(handle_userfault) FAULTLINE_FN(userfaultfd_api) FAULTLINE_FN(userfaultfd_register)         \
    FAULTLINE_FN(userfaultfd_unregister) FAULTLINE_FN(mwriteprotect_range) FAULTLINE_FN(mfill_atomic_pte)   \
    FAULTLINE_FN(userfaultfd_wake) FAULTLINE_FN(uffd_monitor) FAULTLINE_FN(shmem_fallocate)                 \
    FAULTLINE_FN(unmap_mapping_range) FAULTLINE_FN(shmem_undo_range) FAULTLINE_FN(truncate_inode_folio)     \
    FAULTLINE_FN(shmem_free_swap) FAULTLINE_FN(madvise_dontneed) FAULTLINE_FN(madvise_pageout)              \
    FAULTLINE_FN(do_munmap) FAULTLINE_FN(shrink_folio_list) FAULTLINE_FN(try_to_unmap_one)                  \
    FAULTLINE_FN(shmem_writepage) FAULTLINE_FN(folio_end_writeback) FAULTLINE_FN(shmem_setattr)              \
    FAULTLINE_FN(madvise_remove) FAULTLINE_FN(do_cow_fault) FAULTLINE_FN(do_mprotect) FAULTLINE_FN(do_mmap) \
    FAULTLINE_FN(userfaultfd_release) FAULTLINE_FN(mfill_atomic_pte_poison)
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

}  // namespace faultline
