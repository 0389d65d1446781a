// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The modelled kernel functions: for each, its step table (one row per pc:
// the spec's step id and a line of kernel-style pseudocode written for this
// project), the step function that executes a row, and the locals it uses.
// The Code view shows the table with the current pc marked.
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace faultline {

class StepContext;
struct StackFrame;

enum class Fn : uint8_t {
    // user side
    user_access,
    // faults (mm/memory.c)
    handle_mm_fault,
    do_read_fault,
    do_fault_around,
    filemap_map_pages,
    finish_fault,
    do_shared_fault,
    do_wp_page,
    handle_pte_marker,
    do_anonymous_page,
    do_swap_page,
    // shmem (mm/shmem.c)
    shmem_fault,
    shmem_get_folio_gfp,
    shmem_swapin_folio,
    shmem_file_write,
    // userfaultfd (fs/userfaultfd.c, mm/userfaultfd.c)
    handle_userfault,
    userfaultfd_api,
    userfaultfd_register,
    userfaultfd_unregister,
    mwriteprotect_range,
    mfill_atomic_pte,
    userfaultfd_wake,
    uffd_monitor,
    // hole punch (mm/shmem.c, mm/memory.c, mm/truncate.c)
    shmem_fallocate,
    unmap_mapping_range,
    shmem_undo_range,
    truncate_inode_folio,
    shmem_free_swap,
    // madvise / munmap
    madvise_dontneed,
    madvise_pageout,
    do_munmap,
    // reclaim (mm/vmscan.c, mm/rmap.c, mm/shmem.c)
    shrink_folio_list,
    try_to_unmap_one,
    shmem_writepage,
    folio_end_writeback,
    // later additions (appended: Fn values are part of state hashes)
    shmem_setattr,
    madvise_remove,
    do_cow_fault,
    do_mprotect,
    do_mmap,
    userfaultfd_release,
    mfill_atomic_pte_poison,
    dup_mmap,
    move_vma,
    move_pages,
    kCount
};

struct CodeLine {
    std::string_view id;    // spec step id ("FA.3"), or "" for a plain line
    std::string_view code;  // pseudocode
};

struct FunctionInfo {
    std::string_view name;        // kernel name
    std::string_view source;      // kernel file
    std::vector<CodeLine> lines;  // indexed by pc
    void (*step)(StepContext&);
    std::vector<std::string_view> locals;  // "field:meaning", e.g. "lo:start_pgoff"
};

const FunctionInfo& fnInfo(Fn fn);
std::string_view fnName(Fn fn);
// Looks a function up by kernel name; returns Fn::kCount if none.
Fn fnByName(std::string_view name);
// Step id of a frame's current pc ("" if the line has none).
std::string_view stepId(Fn fn, uint8_t pc);
// Whether any function's table has this step id.
bool knownStepId(std::string_view id);
// Spec step ids finer than a table row that the paths report with
// StepContext::substep() when they run ("ZP.3": zap_pte_range clears a present
// pte inside unmap_mapping_range's ZP.1 row). Other ids named only in a row's
// code ("ZP.2", "ZP.6") run whenever that row runs.
const std::vector<std::string_view>& substepIds();
// The row (function, pc) whose code names `name` (a step id or a kernel helper
// such as "zap_pte_range"), as a whole word; {Fn::kCount, -1} if none. Rows
// whose own id is `name` do not count (that is a plain line).
std::vector<std::pair<Fn, int>> rowsNaming(std::string_view name);
// Whether `text` contains `name` as a whole word ("ZP.3" not in "ZP.31").
bool namesWord(std::string_view text, std::string_view name);

}  // namespace faultline
