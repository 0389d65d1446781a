// SPDX-License-Identifier: GPL-3.0-or-later
// Session JSON → Session, with every error located (file:line:column).
// The schema is documented in docs/session-format.md.
#include <algorithm>
#include <charconv>

#include "io/atomic_file.h"
#include "json/json.h"
#include "json/json_reader.h"
#include "model/variants.h"
#include "paths/registry.h"
#include "session/session_io.h"

namespace faultline {

std::string SessionError::text() const {
    std::string s = file;
    if (line > 0) s += ":" + std::to_string(line) + ":" + std::to_string(column);
    return s + ": " + message;
}

namespace {

using json::ObjectReader;
using json::SchemaError;
using json::Value;

[[noreturn]] void fail(const Value& at, const std::string& msg) { throw SchemaError(at.pos(), msg); }

uint64_t nonNegative(const Value& v, const std::string& what) {
    if (!v.isInt()) fail(v, what + " must be an integer, found " + std::string(v.kindName()));
    if (v.asInt() < 0) fail(v, what + " must not be negative");
    return uint64_t(v.asInt());
}

// An address: an integer or a "0x…" string, in bytes, page aligned.
uint64_t address(const Value& v, const std::string& what) {
    uint64_t a = 0;
    if (v.isString()) {
        const std::string& s = v.asString();
        const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
        auto [p, ec] = std::from_chars(s.data() + (hex ? 2 : 0), s.data() + s.size(), a, hex ? 16 : 10);
        if (ec != std::errc() || p != s.data() + s.size()) fail(v, what + " is not a number: '" + s + "'");
    } else {
        a = nonNegative(v, what);
    }
    if (a % 4096) fail(v, what + " must be page aligned (a multiple of 4096)");
    if (a >= (uint64_t{1} << 47)) fail(v, what + " is beyond the 47-bit user address space");
    return a;
}

uint32_t flagList(const Value& v, const std::vector<std::pair<std::string, uint32_t>>& names, const std::string& what) {
    if (!v.isArray()) fail(v, what + " must be an array of strings, found " + std::string(v.kindName()));
    uint32_t bits = 0;
    for (const Value& e : v.asArray()) {
        if (!e.isString()) fail(e, what + " entries must be strings");
        auto it = std::find_if(names.begin(), names.end(), [&](const auto& n) { return n.first == e.asString(); });
        if (it == names.end()) {
            std::string known;
            for (const auto& n : names) known += (known.empty() ? "" : ", ") + n.first;
            fail(e, "unknown " + what + " '" + e.asString() + "' (known: " + known + ")");
        }
        bits |= it->second;
    }
    return bits;
}

const std::vector<std::pair<std::string, uint32_t>> kRegisterModes = {
    {"MISSING", UFFDIO_REGISTER_MODE_MISSING}, {"WP", UFFDIO_REGISTER_MODE_WP}, {"MINOR", UFFDIO_REGISTER_MODE_MINOR}};
const std::vector<std::pair<std::string, uint32_t>> kCopyModes = {{"DONTWAKE", UFFDIO_COPY_MODE_DONTWAKE},
                                                                  {"WP", UFFDIO_COPY_MODE_WP}};
const std::vector<std::pair<std::string, uint32_t>> kWpModes = {{"WP", UFFDIO_WRITEPROTECT_MODE_WP},
                                                                {"DONTWAKE", UFFDIO_WRITEPROTECT_MODE_DONTWAKE}};
const std::vector<std::pair<std::string, uint32_t>> kFeatures = {
    {"EVENT_REMOVE", 1u << 3},    {"EVENT_UNMAP", 1u << 6},
    {"MISSING_SHMEM", 1u << 5},   {"SIGBUS", 1u << 7},
    {"THREAD_ID", 1u << 8},       {"MINOR_SHMEM", 1u << 10},
    {"EXACT_ADDRESS", 1u << 11},  {"WP_HUGETLBFS_SHMEM", 1u << 12},
    {"WP_UNPOPULATED", 1u << 13}, {"POISON", 1u << 14},
    {"WP_ASYNC", 1u << 15},       {"EVENT_FORK", 1u << 1}, {"EVENT_REMAP", 1u << 2}, {"MOVE", 1u << 16}};

struct Reader {
    Session s;

    int mmByName(const Value& v) {
        if (!v.isString()) fail(v, "'mm' must be a string naming an mm");
        const int i = s.config.mmIndex(v.asString());
        if (i < 0) fail(v, "no mm named '" + v.asString() + "'");
        return i;
    }
    int taskByName(const Value& v) {
        if (!v.isString()) fail(v, "'task' must be a string naming a task");
        const int i = s.config.taskIndex(v.asString());
        if (i < 0) fail(v, "no task named '" + v.asString() + "'");
        return i;
    }
    uint8_t vmaByName(const std::string& name, const Value& at) {
        for (size_t i = 0; i < s.config.vmaNames.size(); ++i)
            if (s.config.vmaNames[i] == name) return uint8_t(i);
        fail(at, "no VMA named '" + name + "'");
    }

    void geometry(const Value& root) {
        ObjectReader r(root, "the session");
        const std::string format = r.getString("format");
        if (format != "faultline-session")
            fail(*r.optional("format"), "'format' must be \"faultline-session\", found \"" + format + "\"");
        const Value& ver = r.required("schema_version");
        const uint64_t v = nonNegative(ver, "'schema_version'");
        if (v > uint64_t(kSchemaVersion))
            fail(ver, "schema_version " + std::to_string(v) + " is newer than this Faultline understands (" +
                          std::to_string(kSchemaVersion) + "); update Faultline");
        if (v < 1) fail(ver, "schema_version must be at least 1");
        s.name = r.optString("name").value_or("");
        s.description = r.optString("description").value_or("");
        if (const Value* f = r.optional("file")) {
            ObjectReader fr(*f, "'file'");
            s.filePages = uint64_t(fr.getIntInRange("pages", 1, kMaxFilePages));
            fr.finish();
        }
        if (const Value* sw = r.optional("swap")) {
            ObjectReader sr(*sw, "'swap'");
            s.swapSlots = uint32_t(sr.getIntInRange("slots", 0, 1 << 20));
            sr.finish();
        }
        mms(r.required("mms"));
        tasks(r.required("tasks"));
        if (const Value* m = r.optional("monitor")) monitor(*m);
        if (const Value* st = r.optional("setup")) setup(*st);
        if (const Value* v2 = r.optional("variant")) {
            s.variant = json::expectString(*v2, "'variant'");
            if (!findVariant(s.variant)) fail(*v2, "unknown kernel variant '" + s.variant + "'");
        }
        if (const Value* t = r.optional("toggles")) s.toggles = toggles(*t);
        if (const Value* sc = r.optional("schedule")) schedule(*sc);
        if (const Value* th = r.optional("then")) {
            const std::string then = json::expectString(*th, "'then'");
            if (then != "default" && then != "stop") fail(*th, "'then' must be \"default\" or \"stop\"");
            s.scheduleThenDefault = then == "default";
        }
        for (size_t m = 0; m < s.mms.size(); ++m) {
            if (s.mms[m].forkOf < 0) continue;
            bool forked = false;
            for (const TaskConfig& t : s.config.tasks)
                for (const Op& o : t.program) forked |= o.kind == OpKind::Fork && o.child == int(m);
            for (const SetupStep& st : s.setup) forked |= st.op.kind == OpKind::Fork && st.op.child == int(m);
            if (!forked) fail(r.required("mms"), "mm '" + s.mms[m].name + "' has \"fork_of\" but no 'fork' creates it");
        }
        if (const Value* e = r.optional("expect")) expectations(*e);
        if (const Value* ex = r.optional("explore")) exploreExpectation(*ex);
        if (const Value* rec = r.optional("recording")) recording(*rec);
        r.finish();
    }

    void exploreExpectation(const Value& v) {
        ObjectReader r(v, "'explore'");
        ExploreExpectation e;
        if (r.optional("preemptions")) e.preemptions = int(r.getIntInRange("preemptions", 0, 1000));
        if (r.optional("max_steps")) e.maxSteps = uint64_t(r.getIntInRange("max_steps", 1, 100000));
        const Value& c1 = r.required("c1");
        if (!c1.isArray()) fail(c1, "'c1' must be an array of kernel variant ids");
        for (const Value& x : c1.asArray()) {
            const std::string id = json::expectString(x, "a variant in 'c1'");
            if (!findVariant(id)) fail(x, "unknown kernel variant '" + id + "'");
            e.c1Variants.push_back(id);
        }
        r.finish();
        s.exploreExpect = e;
    }

    void mms(const Value& v) {
        if (!v.isArray() || v.asArray().empty()) fail(v, "'mms' must be a non-empty array");
        if (v.asArray().size() > 8) fail(v, "at most 8 mms");
        for (const Value& m : v.asArray()) {
            ObjectReader r(m, "an mm");
            MmSpec spec;
            spec.name = r.getString("name");
            if (s.config.mmIndex(spec.name) >= 0) fail(*r.optional("name"), "duplicate mm name '" + spec.name + "'");
            s.config.mmNames.push_back(spec.name);
            if (const Value* fo = r.optional("fork_of")) {
                // A fork child: empty until a `fork` of its parent copies the parent's VMAs into it.
                const int parent = mmByName(*fo);
                if (s.mms[size_t(parent)].forkOf >= 0)
                    fail(*fo, "mm '" + s.config.mmNames[size_t(parent)] +
                                  "' is itself a fork child: fork from the mm it was forked from");
                if (r.optional("vmas"))
                    fail(*r.optional("vmas"), "a fork child ('fork_of') has its parent's VMAs: give it no 'vmas'");
                spec.forkOf = parent;
                spec.vmas = s.mms[size_t(parent)].vmas;
                r.finish();
                s.config.forkOf.resize(s.config.mmNames.size(), -1);
                s.config.forkOf.back() = parent;
                s.mms.push_back(std::move(spec));
                continue;
            }
            const Value& vmas = r.required("vmas");
            if (!vmas.isArray()) fail(vmas, "'vmas' must be an array");
            for (const Value& vv : vmas.asArray()) {
                ObjectReader vr(vv, "a VMA of mm '" + spec.name + "'");
                VmaSpec vma;
                vma.name = vr.optString("name").value_or("file");
                vma.file = vr.optString("kind").value_or("shmem") != "anon";
                if (const Value* k = vr.optional("kind"); k && k->asString() != "shmem" && k->asString() != "anon")
                    fail(*k, "'kind' must be \"shmem\" or \"anon\"");
                vma.start = address(vr.required("start"), "'start'") / 4096;
                vma.pages = uint64_t(vr.getIntInRange("pages", 1, kMaxFilePages));
                vma.pgoff =
                    vma.file && vr.optional("pgoff") ? uint64_t(vr.getIntInRange("pgoff", 0, kMaxFilePages - 1)) : 0;
                if (vma.file && vma.pgoff + vma.pages > s.filePages)
                    fail(vv, "VMA maps file pages [" + std::to_string(vma.pgoff) + ", " +
                                 std::to_string(vma.pgoff + vma.pages) + ") but the file has " +
                                 std::to_string(s.filePages) + " pages");
                vma.write = vr.optBool("write").value_or(true);
                vma.shared = vr.optBool("shared").value_or(vma.file);
                vr.finish();
                for (const VmaSpec& o : spec.vmas) {
                    if (vma.start < o.start + o.pages && o.start < vma.start + vma.pages)
                        fail(vv, "VMA overlaps VMA '" + o.name + "'");
                    // Operations name a VMA of their mm: two of one name would be one VMA to them.
                    if (o.name == vma.name) fail(vv, "mm '" + spec.name + "' has two VMAs named '" + vma.name + "'");
                }
                if (std::find(s.config.vmaNames.begin(), s.config.vmaNames.end(), vma.name) ==
                    s.config.vmaNames.end()) {
                    // A VMA's name is stored in 8 bits.
                    if (s.config.vmaNames.size() >= kMaxVmaNames)
                        fail(vv, "at most " + std::to_string(kMaxVmaNames) + " distinct VMA names");
                    s.config.vmaNames.push_back(vma.name);
                }
                spec.vmas.push_back(vma);
            }
            r.finish();
            s.mms.push_back(std::move(spec));
        }
        if (!s.config.forkOf.empty()) s.config.forkOf.resize(s.config.mmNames.size(), -1);
    }

    void tasks(const Value& v) {
        if (!v.isArray() || v.asArray().empty()) fail(v, "'tasks' must be a non-empty array");
        if (v.asArray().size() > 63)
            fail(v, "at most 63 tasks (with the implicit IO task, 64: lock holders are a 64-bit set)");
        // Names first, so programs can refer to any task.
        std::vector<std::pair<const Value*, const Value*>> programs;
        for (const Value& t : v.asArray()) {
            ObjectReader r(t, "a task");
            TaskConfig tc;
            tc.name = r.getString("name");
            if (s.config.taskIndex(tc.name) >= 0) fail(*r.optional("name"), "duplicate task name '" + tc.name + "'");
            if (tc.name == "IO") fail(*r.optional("name"), "the task name 'IO' is reserved for I/O completion");
            if (const Value* mm = r.optional("mm")) tc.mm = mmByName(*mm);
            if (const Value* role = r.optional("role")) {
                const std::string rs = json::expectString(*role, "'role'");
                if (rs != "monitor" && rs != "app") fail(*role, "'role' must be \"monitor\" or \"app\"");
                if (rs == "monitor") {
                    if (s.config.uffdTask >= 0) fail(*role, "only one task can be the monitor");
                    s.config.uffdTask = int(s.config.tasks.size());
                }
            }
            programs.emplace_back(&t, r.optional("program"));
            r.finish();
            s.config.tasks.push_back(tc);
        }
        for (size_t i = 0; i < programs.size(); ++i) {
            const Value* p = programs[i].second;
            if (!p) continue;
            if (!p->isArray()) fail(*p, "'program' must be an array of operations");
            for (const Value& o : p->asArray()) {
                for (Op& op : operations(o, int(i), "an operation of task '" + s.config.tasks[i].name + "'"))
                    s.config.tasks[i].program.push_back(op);
                if (s.config.tasks[i].program.size() > kMaxProgramOps)
                    fail(o, "task '" + s.config.tasks[i].name + "' has more than " + std::to_string(kMaxProgramOps) +
                                " operations (after 'pages' expand to one per page); split the work over more tasks");
            }
            const auto& prog = s.config.tasks[i].program;
            for (size_t k = 0; k + 1 < prog.size(); ++k)
                if (prog[k].kind == OpKind::Serve)
                    fail(p->asArray()[k], "'serve' runs forever: it must be the last operation");
            if (!prog.empty() && prog.back().kind == OpKind::Serve && int(i) != s.config.uffdTask)
                fail(*p, "only the task with role \"monitor\" can 'serve'");
        }
        s.config.addIoTask();
    }

    // One JSON operation; read/write with "pages" > 1 expand to one per page.
    std::vector<Op> operations(const Value& v, int task, const std::string& ctx) {
        ObjectReader r(v, ctx);
        (void)r.optional("task");  // setup entries carry it; read by the caller
        const Value& kindV = r.required("op");
        const std::string kind = json::expectString(kindV, "'op'");
        Op op;
        bool found = false;
        for (int k = 0; k < int(OpKind::kCount); ++k)
            if (opKindName(OpKind(k)) == kind) op.kind = OpKind(k), found = true;
        if (!found) {
            std::string known;
            for (int k = 0; k < int(OpKind::kCount); ++k) known += (k ? ", " : "") + std::string(opKindName(OpKind(k)));
            fail(kindV, "unknown operation '" + kind + "' (known: " + known + ")");
        }
        const TaskConfig& tc = s.config.tasks[task];
        if (const Value* mm = r.optional("mm")) op.mm = int8_t(mmByName(*mm));
        const int mm = op.mm >= 0 ? op.mm : tc.mm;
        // The VMA an op names (default: the mm's first VMA).
        const Value* vmaV = r.optional("vma");
        const MmSpec* mspec = mm >= 0 ? &s.mms[mm] : nullptr;
        const VmaSpec* vspec = nullptr;
        if (mspec) {
            // Checked before the loop: an mm may have no VMAs to compare with.
            const std::string* vmaName = vmaV ? &json::expectString(*vmaV, "'vma'") : nullptr;
            for (const VmaSpec& vs : mspec->vmas)
                if (!vmaName ? &vs == &mspec->vmas.front() : vs.name == *vmaName) vspec = &vs;
            if (vmaName && !vspec) fail(*vmaV, "mm '" + s.config.mmNames[mm] + "' has no VMA named '" + *vmaName + "'");
            if (vspec) op.vma = vmaByName(vspec->name, v);
        }
        const bool usesPage = op.kind != OpKind::UffdApi && op.kind != OpKind::Serve && op.kind != OpKind::Ftruncate &&
                              op.kind != OpKind::Mmap && op.kind != OpKind::UffdClose && op.kind != OpKind::Fork;
        const bool uffdOp = (op.kind >= OpKind::UffdApi && op.kind <= OpKind::UffdWake) ||
                            op.kind == OpKind::UffdClose || op.kind == OpKind::UffdPoison ||
                            op.kind == OpKind::UffdMove;
        if (const Value* u = r.optional("uffd")) {
            if (!uffdOp || op.kind == OpKind::Serve)
                fail(*u, "only the uffdio_* operations and 'uffd_close' take 'uffd' (a context number)");
            const uint64_t n = nonNegative(*u, "'uffd'");
            if (n >= kMaxUffdContexts)
                fail(*u, "'uffd' must be from 0 to " + std::to_string(kMaxUffdContexts - 1) + " (a context number)");
            op.uffd = uint8_t(n);
        }
        if (const Value* to = r.optional("to")) {
            if (op.kind != OpKind::Mremap) fail(*to, "only 'mremap' takes 'to'");
            op.to = address(*to, "'to'") / 4096;
        } else if (op.kind == OpKind::Mremap) {
            fail(v, "'mremap' needs a 'to' (the VMA's new address)");
        }
        if (op.kind == OpKind::UffdMove) {
            // The source: a page of a VMA of the same mm ("src_vma", default the op's VMA).
            const VmaSpec* sspec = vspec;
            if (const Value* sv = r.optional("src_vma")) {
                const std::string& nm = json::expectString(*sv, "'src_vma'");
                sspec = nullptr;
                for (const VmaSpec& vs : mspec->vmas)
                    if (vs.name == nm) sspec = &vs;
                if (!sspec) fail(*sv, "mm '" + s.config.mmNames[mm] + "' has no VMA named '" + nm + "'");
            }
            const Value& spv = r.required("src_page");
            op.srcPage = nonNegative(spv, "'src_page'");
            const uint64_t lo = sspec->file ? sspec->pgoff : 0;
            if (op.srcPage < lo || op.srcPage + op.count > lo + sspec->pages)
                fail(spv, "source pages [" + std::to_string(op.srcPage) + ", " + std::to_string(op.srcPage + op.count) +
                              ") are outside VMA '" + sspec->name + "'");
            op.srcVma = vmaByName(sspec->name, spv);
        } else if (r.optional("src_page") || r.optional("src_vma")) {
            fail(r.optional("src_page") ? *r.optional("src_page") : *r.optional("src_vma"),
                 "only 'uffdio_move' takes 'src_page' and 'src_vma'");
        }
        if (op.kind == OpKind::Fork) {
            const Value& cv = r.required("child");
            const int child = mmByName(cv);
            if (tc.mm < 0) fail(v, "'fork' copies the task's own mm: the task needs an 'mm'");
            if (s.mms[size_t(child)].forkOf != tc.mm)
                fail(cv, "mm '" + s.config.mmNames[size_t(child)] + "' is not declared as a fork child of '" +
                             s.config.mmNames[size_t(tc.mm)] + "' (give it \"fork_of\": \"" +
                             s.config.mmNames[size_t(tc.mm)] + "\")");
            for (const TaskConfig& t : s.config.tasks)
                for (const Op& o : t.program)
                    if (o.kind == OpKind::Fork && o.child == child)
                        fail(cv, "mm '" + s.config.mmNames[size_t(child)] + "' is created by another 'fork' already");
            for (const SetupStep& st : s.setup)
                if (st.op.kind == OpKind::Fork && st.op.child == child)
                    fail(cv, "mm '" + s.config.mmNames[size_t(child)] + "' is created by another 'fork' already");
            op.child = int8_t(child);
        }
        const bool needsMm =
            op.kind == OpKind::Read || op.kind == OpKind::Write || op.kind == OpKind::MadviseDontneed ||
            op.kind == OpKind::MadviseRemove || op.kind == OpKind::Mprotect || op.kind == OpKind::Mmap ||
            op.kind == OpKind::MadvisePageout || op.kind == OpKind::Munmap || op.kind == OpKind::Mremap ||
            (op.kind >= OpKind::UffdRegister && op.kind <= OpKind::UffdWake) || op.kind == OpKind::UffdPoison ||
            op.kind == OpKind::UffdMove;
        if (needsMm && !vspec) fail(v, "'" + kind + "' needs an mm: give the task an 'mm' or the operation an \"mm\"");
        uint64_t count = 1;
        if (op.kind == OpKind::Ftruncate) {
            // ftruncate's length in bytes; the file's "pages" is the largest size it can have.
            const Value& sv = r.required("size");
            op.page = nonNegative(sv, "'size'");
            if (op.page > s.filePages * 4096)
                fail(sv, "'size' " + std::to_string(op.page) + " is beyond the file's largest size (" +
                             std::to_string(s.filePages * 4096) + " bytes, its \"pages\")");
        } else if (op.kind == OpKind::Punch && r.optional("offset")) {
            op.page = nonNegative(*r.optional("offset"), "'offset'");
            op.count = nonNegative(r.required("len"), "'len'");
            if (op.count == 0) fail(*r.optional("len"), "'len' must be positive");
            if (op.page + op.count > s.filePages * 4096) fail(v, "punch range ends beyond the file");
        } else if (usesPage) {
            const Value& pv = r.required("page");
            op.page = nonNegative(pv, "'page'");
            if (const Value* n = r.optional("pages")) {
                count = nonNegative(*n, "'pages'");
                if (count == 0) fail(*n, "'pages' must be at least 1");
            }
            // Range check against the file or the VMA.
            const bool fileOp = op.kind == OpKind::FileWrite || op.kind == OpKind::Punch ||
                                (op.kind == OpKind::Reclaim && op.mm < 0) ||
                                (op.kind == OpKind::WritebackEnd && op.mm < 0);
            if (fileOp) {
                if (op.page + count > s.filePages)
                    fail(pv, "pages [" + std::to_string(op.page) + ", " + std::to_string(op.page + count) +
                                 ") are outside the file (" + std::to_string(s.filePages) + " pages)");
            } else if (vspec) {
                const uint64_t lo = vspec->file ? vspec->pgoff : 0;
                if (op.page < lo || op.page + count > lo + vspec->pages)
                    fail(pv, "pages [" + std::to_string(op.page) + ", " + std::to_string(op.page + count) +
                                 ") are outside VMA '" + vspec->name + "' of mm '" + s.config.mmNames[mm] + "'");
            }
            if (op.kind == OpKind::Punch) {
                op.page *= 4096;
                op.count = count * 4096;
                count = 1;
            } else if (op.kind != OpKind::Read && op.kind != OpKind::Write) {
                op.count = count;
                count = 1;
            }
        }
        if (const Value* t = r.optional("tag")) {
            const std::string tag = json::expectString(*t, "'tag'");
            if (tag.empty() || !Tag::valid(tag)) fail(*t, "'tag' must be 1 to 7 printable characters without spaces");
            op.tag = Tag(tag);
        } else if (op.kind == OpKind::Write || op.kind == OpKind::FileWrite || op.kind == OpKind::UffdCopy) {
            fail(v, "'" + kind + "' needs a 'tag' (the data written)");
        }
        if (const Value* m = r.optional("mode")) {
            if (op.kind == OpKind::UffdRegister) op.mode = flagList(*m, kRegisterModes, "register mode");
            else if (op.kind == OpKind::UffdCopy || op.kind == OpKind::UffdContinue)
                op.mode = flagList(*m, kCopyModes, "copy mode");
            else if (op.kind == OpKind::UffdWriteprotect) op.mode = flagList(*m, kWpModes, "writeprotect mode");
            else if (op.kind == OpKind::UffdMove)
                op.mode = flagList(*m, {{"DONTWAKE", 1}, {"ALLOW_SRC_HOLES", 2}}, "move mode");
            else fail(*m, "'" + kind + "' takes no 'mode'");
        } else if (op.kind == OpKind::UffdRegister) {
            fail(v, "'uffdio_register' needs a 'mode'");
        }
        if (const Value* pr = r.optional("prot")) {
            if (op.kind != OpKind::Mprotect) fail(*pr, "only 'mprotect' takes 'prot'");
            const std::string ps = json::expectString(*pr, "'prot'");
            if (ps == "none") op.mode = 0;
            else if (ps == "read") op.mode = 1;
            else if (ps == "read_write") op.mode = 3;
            else fail(*pr, "'prot' must be \"none\", \"read\" or \"read_write\", not '" + ps + "'");
        } else if (op.kind == OpKind::Mprotect) {
            fail(v, "'mprotect' needs a 'prot' (\"none\", \"read\" or \"read_write\")");
        }
        if (const Value* f = r.optional("features")) {
            if (op.kind != OpKind::UffdApi) fail(*f, "only 'uffdio_api' takes 'features'");
            op.features = flagList(*f, kFeatures, "uffd feature");
        }
        r.finish();
        std::vector<Op> out;
        if (count > kMaxOps)
            fail(v, "an operation expands to at most " + std::to_string(kMaxOps) + " operations (one per page)");
        for (uint64_t i = 0; i < count; ++i) {
            Op o = op;
            o.page = op.page + i;
            out.push_back(o);
        }
        return out;
    }

    void monitor(const Value& v) {
        ObjectReader r(v, "'monitor'");
        MonitorPolicy& p = s.config.policy;
        p.copyModeWp = r.optBool("copy_mode_wp").value_or(p.copyModeWp);
        if (const Value* t = r.optional("copy_tag")) {
            p.copyTag = json::expectString(*t, "'copy_tag'");
            // The tag of the widest index ("{i}" expanded) must fit.
            std::string widest = p.copyTag;
            if (auto at = widest.find("{i}"); at != std::string::npos)
                widest.replace(at, 3, std::to_string(kMaxFilePages - 1));
            if (widest.empty() || !Tag::valid(widest))
                fail(*t, "'copy_tag' must give 1 to 7 printable characters without spaces for every page index (\"" +
                             widest + "\" does not)");
        }
        p.useZeropage = r.optBool("zeropage").value_or(p.useZeropage);
        p.clearOnWp = r.optBool("clear_on_wp").value_or(p.clearOnWp);
        p.continueOnMinor = r.optBool("continue_on_minor").value_or(p.continueOnMinor);
        p.continueModeWp = r.optBool("continue_mode_wp").value_or(p.continueModeWp);
        if (const Value* of = r.optional("on_fork")) {
            const std::string o = json::expectString(*of, "'on_fork'");
            if (o != "serve" && o != "close") fail(*of, "'on_fork' must be \"serve\" or \"close\"");
            p.closeForked = o == "close";
        }
        if (const Value* mv = r.optional("move_src_offset")) {
            if (!mv->isInt() || mv->asInt() == 0 || mv->asInt() < -int64_t(kMaxFilePages) ||
                mv->asInt() > int64_t(kMaxFilePages))
                fail(*mv, "'move_src_offset' must be a non-zero integer from -" + std::to_string(kMaxFilePages) +
                              " to " + std::to_string(kMaxFilePages));
            p.moveSrcOffset = int32_t(mv->asInt());
        }
        r.finish();
    }

    void setup(const Value& v) {
        if (!v.isArray()) fail(v, "'setup' must be an array");
        for (const Value& e : v.asArray()) {
            const Value* t = e.isObject() ? e.find("task") : nullptr;
            if (!t) fail(e, "a setup step needs a 'task'");
            const int task = taskByName(*t);
            for (Op& op : operations(e, task, "a setup step")) {
                if (op.kind == OpKind::Serve) fail(e, "'serve' cannot be a setup step");
                s.setup.push_back({task, op});
            }
            if (s.setup.size() > kMaxOps)
                fail(e, "'setup' has more than " + std::to_string(kMaxOps) +
                            " operations (\"pages\" counts one per page)");
        }
    }

    std::vector<std::pair<std::string, std::string>> toggles(const Value& v) {
        if (!v.isObject()) fail(v, "'toggles' must be an object of NAME: value");
        std::vector<std::pair<std::string, std::string>> out;
        Toggles probe;
        for (const auto& m : v.asObject()) {
            std::string value = m.value.isString() ? m.value.asString()
                                : m.value.isBool() ? (m.value.asBool() ? "on" : "off")
                                : m.value.isInt()
                                    ? std::to_string(m.value.asInt())
                                    : (fail(m.value, "toggle values are strings, booleans or integers"), "");
            if (auto e = setToggle(probe, m.key, value)) throw SchemaError(m.keyPos, *e);
            out.emplace_back(m.key, value);
        }
        return out;
    }

    void schedule(const Value& v) {
        if (!v.isArray()) fail(v, "'schedule' must be an array");
        for (const Value& d : v.asArray()) {
            ObjectReader r(d, "a schedule entry");
            Directive dir;
            dir.task = taskByName(r.required("task"));
            const Value* steps = r.optional("steps");
            const Value* until = r.optional("until");
            const Value* ops = r.optional("ops");
            if (int(bool(steps)) + int(bool(until)) + int(bool(ops)) != 1)
                fail(d, "a schedule entry needs exactly one of 'steps', 'until', 'ops'");
            if (steps) dir.kind = Directive::Kind::Steps, dir.count = nonNegative(*steps, "'steps'");
            if (ops) dir.kind = Directive::Kind::Ops, dir.count = nonNegative(*ops, "'ops'");
            if (until) {
                const std::string u = json::expectString(*until, "'until'");
                if (u == "blocked") dir.kind = Directive::Kind::UntilBlocked;
                else if (u == "done") dir.kind = Directive::Kind::UntilDone;
                else if (knownStepId(u)) dir.kind = Directive::Kind::UntilStep, dir.stepId = u;
                else
                    fail(*until, "'until' must be \"blocked\", \"done\" or a step id such as \"PH.5\"; '" + u +
                                     "' is none of those");
            }
            r.finish();
            s.schedule.push_back(dir);
        }
    }

    void expectations(const Value& v) {
        if (!v.isArray()) fail(v, "'expect' must be an array");
        for (const Value& e : v.asArray()) {
            ObjectReader r(e, "an expectation");
            Expectation x;
            const Value& var = r.required("variant");
            x.variant = json::expectString(var, "'variant'");
            if (!findVariant(x.variant)) fail(var, "unknown kernel variant '" + x.variant + "'");
            if (const Value* t = r.optional("toggles")) x.toggles = toggles(*t);
            if (const Value* f = r.optional("findings")) {
                if (!f->isArray()) fail(*f, "'findings' must be an array");
                x.findings.emplace();
                for (const Value& fv : f->asArray()) {
                    ObjectReader fr(fv, "an expected finding");
                    ExpectedFinding ef;
                    const Value& rule = fr.required("rule");
                    const std::string rs = json::expectString(rule, "'rule'");
                    if (rs == "C1") ef.rule = Rule::C1;
                    else if (rs == "C2") ef.rule = Rule::C2;
                    else if (rs == "C3") ef.rule = Rule::C3;
                    else if (rs == "C4") ef.rule = Rule::C4;
                    else fail(rule, "'rule' must be C1, C2, C3 or C4");
                    ef.index = fr.optInt("page").value_or(-1);
                    ef.count = fr.optional("count") ? int(fr.getIntInRange("count", 0, 1'000'000)) : 1;
                    fr.finish();
                    x.findings->push_back(ef);
                }
            }
            if (const Value* sg = r.optional("signals")) {
                if (!sg->isArray())
                    fail(*sg, "'signals' must be an array of \"TASK:SIGSEGV\" or \"TASK:SIGBUS\" strings");
                x.signals.emplace();
                for (const Value& sv : sg->asArray()) {
                    const std::string t = json::expectString(sv, "a signal");
                    const auto colon = t.find(':');
                    const std::string sig = colon == std::string::npos ? "" : t.substr(colon + 1);
                    if (colon == std::string::npos || s.config.taskIndex(t.substr(0, colon)) < 0 ||
                        (sig != "SIGSEGV" && sig != "SIGBUS"))
                        fail(sv, "a signal is \"TASK:SIGSEGV\" or \"TASK:SIGBUS\" with a task of this session, not '" +
                                     t + "'");
                    x.signals->push_back(t);
                }
            }
            if (const Value* m = r.optional("messages")) {
                if (!m->isArray()) fail(*m, "'messages' must be an array of strings");
                x.messages.emplace();
                for (const Value& mv : m->asArray()) x.messages->push_back(json::expectString(mv, "a message"));
            }
            if (const Value* c = r.optional("cells")) {
                if (!c->isObject()) fail(*c, "'cells' must be an object of CELL: value");
                for (const auto& m : c->asObject())
                    x.cells.emplace_back(m.key, json::expectString(m.value, "a cell value"));
            }
            if (const Value* end = r.optional("end")) x.end = json::expectString(*end, "'end'");
            r.finish();
            s.expectations.push_back(std::move(x));
        }
    }

    void recording(const Value& v) {
        ObjectReader r(v, "'recording'");
        Recording rec;
        const Value& var = r.required("variant");
        rec.variant = json::expectString(var, "'variant'");
        if (!findVariant(rec.variant)) fail(var, "unknown kernel variant '" + rec.variant + "'");
        if (const Value* t = r.optional("toggles")) rec.toggles = toggles(*t);
        const Value& sched = r.required("schedule");
        if (!sched.isArray()) fail(sched, "'schedule' must be an array of [task, steps] pairs");
        const Value& hashes = r.required("hashes");
        if (!hashes.isArray()) fail(hashes, "'hashes' must be an array of 16-digit hex strings");
        // Every step has its hash in the file: counting the steps before
        // expanding them bounds the expansion by the file's size.
        uint64_t total = 0;
        for (const Value& run : sched.asArray()) {
            if (!run.isArray() || run.asArray().size() != 2) fail(run, "a schedule run is [task, steps]");
            const uint64_t n = nonNegative(run.asArray()[1], "a step count");
            if (n == 0 || n > kMaxRecordingSteps)
                fail(run.asArray()[1], "a step count must be 1 to " + std::to_string(kMaxRecordingSteps));
            total += n;
            if (total > kMaxRecordingSteps)
                fail(run, "the recording has more than " + std::to_string(kMaxRecordingSteps) + " steps");
        }
        if (total != hashes.asArray().size())
            fail(hashes, "the recording has " + std::to_string(total) + " steps but " +
                             std::to_string(hashes.asArray().size()) + " hashes");
        rec.schedule.reserve(total);
        for (const Value& run : sched.asArray()) {
            const int t = taskByName(run.asArray()[0]);
            rec.schedule.insert(rec.schedule.end(), uint64_t(run.asArray()[1].asInt()), uint8_t(t));
        }
        for (const Value& h : hashes.asArray()) {
            const std::string hs = json::expectString(h, "a hash");
            uint64_t x = 0;
            auto [p, ec] = std::from_chars(hs.data(), hs.data() + hs.size(), x, 16);
            if (hs.size() != 16 || ec != std::errc() || p != hs.data() + hs.size())
                fail(h, "a hash is 16 hex digits, not '" + hs + "'");
            rec.hashes.push_back(x);
        }
        if (const Value* b = r.optional("breakpoints")) rec.breakpoints = readSavedStops(*b, "'breakpoints'");
        if (const Value* w = r.optional("watchpoints")) rec.watchpoints = readSavedStops(*w, "'watchpoints'");
        r.finish();
        s.recording = std::move(rec);
    }
};

}  // namespace

namespace {
// `v` as JSON on one line, as a user writes it: {"at": 5}. The writer's
// newlines are only between tokens (strings escape theirs).
std::string oneLine(const Value& v) {
    const std::string t = json::write(v, {0, 100000});
    std::string out;
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '\n') {
            out += t[i];
            continue;
        }
        const char prev = out.empty() ? 0 : out.back(), next = i + 1 < t.size() ? t[i + 1] : 0;
        if (next && prev != '{' && prev != '[' && next != '}' && next != ']') out += ' ';
    }
    return out;
}
}  // namespace

std::vector<SavedStop> readSavedStops(const Value& v, const std::string& what) {
    if (!v.isArray()) fail(v, what + " must be an array of specs or {\"at\": spec} objects");
    std::vector<SavedStop> out;
    for (const Value& e : v.asArray()) {
        SavedStop st;
        st.line = e.pos().line;
        st.column = e.pos().column;
        // One entry's fault stays with that entry.
        try {
            if (e.isString()) {
                st.spec = e.asString();
            } else if (e.isObject()) {
                ObjectReader r(e, "an entry of " + what);
                st.spec = r.getString("at");
                if (auto on = r.optBool("enabled")) st.enabled = *on;
                if (const Value* h = r.optional("hits")) st.hits = nonNegative(*h, "'hits'");
                r.finish();
            } else {
                fail(e, "an entry of " + what + " is a spec string or {\"at\": spec}, not " +
                            std::string(e.kindName()));
            }
            if (st.spec.empty()) fail(e, "an entry of " + what + " has an empty spec");
            if (st.spec.find_first_of("\n\r") != std::string::npos || st.spec.size() > 200)
                fail(e, "an entry of " + what + " is not a one-line spec of at most 200 characters");
        } catch (const SchemaError& x) {
            st.error = x.what();
            st.line = x.pos.line;
            st.column = x.pos.column;
            st.raw = oneLine(e);
        }
        out.push_back(std::move(st));
    }
    return out;
}

LoadResult parseSession(const std::string& text, const std::string& file) {
    LoadResult out;
    auto parsed = json::parse(text);
    if (!parsed.ok()) {
        out.error = {file, parsed.error().pos.line, parsed.error().pos.column, parsed.error().message};
        return out;
    }
    try {
        Reader r;
        r.geometry(parsed.value());
        out.session = std::move(r.s);
    } catch (const SchemaError& e) {
        out.error = {file, e.pos.line, e.pos.column, e.what()};
    } catch (const std::exception& e) {
        // A reader bug must not abort the program: say so, with no position.
        out.session.reset();
        out.error = {file, 0, 0, std::string("cannot read this session (internal error: ") + e.what() + ")"};
    }
    return out;
}

LoadResult loadSession(const std::string& path) {
    std::string text, err;
    if (!io::readFile(path, &text, &err)) {
        LoadResult out;
        out.error = {path, 0, 0, err};
        return out;
    }
    return parseSession(text, path);
}

}  // namespace faultline
