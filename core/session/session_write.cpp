// SPDX-License-Identifier: GPL-3.0-or-later
// Session → JSON (the inverse of session_read.cpp), and atomic saving.
#include "io/atomic_file.h"
#include "json/json.h"
#include "session/session_io.h"
#include "util/hash.h"

namespace faultline {
namespace {

using json::Value;

Value str(const std::string& s) { return Value(s); }
Value num(uint64_t n) { return Value(int64_t(n)); }

Value flags(uint32_t bits, const std::vector<std::pair<std::string, uint32_t>>& names) {
    Value a = Value::array();
    for (const auto& [n, b] : names)
        if (bits & b) a.push_back(str(n));
    return a;
}

std::string hexAddress(uint64_t bytes) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(bytes));
    return buf;
}

Value togglesValue(const std::vector<std::pair<std::string, std::string>>& t) {
    Value o = Value::object();
    for (const auto& [k, v] : t) o.set(k, str(v));
    return o;
}

Value opValue(const Session& s, const Op& op, int task, bool withTask) {
    Value o = Value::object();
    if (withTask) o.set("task", str(s.config.tasks[task].name));
    o.set("op", str(std::string(opKindName(op.kind))));
    if (op.mm >= 0) o.set("mm", str(s.config.mmNames[op.mm]));
    const int mm = op.mm >= 0 ? op.mm : s.config.tasks[task].mm;
    if (mm >= 0 && !s.mms[mm].vmas.empty() && s.config.vmaNames[op.vma] != s.mms[mm].vmas.front().name)
        o.set("vma", str(s.config.vmaNames[op.vma]));
    switch (op.kind) {
    case OpKind::UffdApi:
        if (op.features)
            o.set("features", flags(uint32_t(op.features), {{"EVENT_REMOVE", 1u << 3},
                                                            {"EVENT_UNMAP", 1u << 6},
                                                            {"MISSING_SHMEM", 1u << 5},
                                                            {"SIGBUS", 1u << 7},
                                                            {"THREAD_ID", 1u << 8},
                                                            {"MINOR_SHMEM", 1u << 10},
                                                            {"EXACT_ADDRESS", 1u << 11},
                                                            {"WP_HUGETLBFS_SHMEM", 1u << 12},
                                                            {"WP_UNPOPULATED", 1u << 13},
                                                            {"POISON", 1u << 14},
                                                            {"WP_ASYNC", 1u << 15},
                                                            {"EVENT_FORK", 1u << 1},
                                                            {"EVENT_REMAP", 1u << 2},
                                                            {"MOVE", 1u << 16}}));
        if (op.uffd) o.set("uffd", num(op.uffd));
        return o;
    case OpKind::Serve: return o;
    case OpKind::Mmap: o.set("vma", str(s.config.vmaNames[op.vma])); return o;
    case OpKind::UffdClose:
        if (op.uffd) o.set("uffd", num(op.uffd));
        return o;
    case OpKind::Fork: o.set("child", str(s.config.mmNames.at(size_t(op.child)))); return o;
    case OpKind::Ftruncate: o.set("size", num(op.page)); return o;
    case OpKind::Punch:
        o.set("offset", num(op.page));
        o.set("len", num(op.count));
        return o;
    default: break;
    }
    o.set("page", num(op.page));
    if (op.uffd) o.set("uffd", num(op.uffd));
    if (op.kind == OpKind::Mremap) o.set("to", str(hexAddress(op.to * 4096)));
    if (op.kind == OpKind::UffdMove) {
        o.set("src_vma", str(s.config.vmaNames[op.srcVma]));
        o.set("src_page", num(op.srcPage));
        if (op.mode) o.set("mode", flags(op.mode, {{"DONTWAKE", 1}, {"ALLOW_SRC_HOLES", 2}}));
    }
    if (op.kind != OpKind::Read && op.kind != OpKind::Write && op.count != 1) o.set("pages", num(op.count));
    if (!op.tag.zero()) o.set("tag", str(op.tag.str()));
    if (op.kind == OpKind::UffdRegister) o.set("mode", flags(op.mode, {{"MISSING", 1}, {"WP", 2}, {"MINOR", 4}}));
    if ((op.kind == OpKind::UffdCopy || op.kind == OpKind::UffdContinue) && op.mode)
        o.set("mode", flags(op.mode, {{"DONTWAKE", 1}, {"WP", 2}}));
    if (op.kind == OpKind::UffdWriteprotect) o.set("mode", flags(op.mode, {{"WP", 1}, {"DONTWAKE", 2}}));
    if (op.kind == OpKind::Mprotect) o.set("prot", str(op.mode == 0 ? "none" : op.mode == 1 ? "read" : "read_write"));
    return o;
}

}  // namespace

std::string writeSession(const Session& s) {
    Value root = Value::object();
    root.set("format", str("faultline-session"));
    root.set("schema_version", num(kSchemaVersion));
    root.set("name", str(s.name));
    if (!s.description.empty()) root.set("description", str(s.description));
    Value file = Value::object();
    file.set("pages", num(s.filePages));
    root.set("file", file);
    Value swap = Value::object();
    swap.set("slots", num(s.swapSlots));
    root.set("swap", swap);
    Value mms = Value::array();
    for (const MmSpec& m : s.mms) {
        Value mv = Value::object();
        mv.set("name", str(m.name));
        if (m.forkOf >= 0) {  // its VMAs are the parent's, copied by the fork
            mv.set("fork_of", str(s.config.mmNames.at(size_t(m.forkOf))));
            mms.push_back(mv);
            continue;
        }
        Value vmas = Value::array();
        for (const VmaSpec& v : m.vmas) {
            Value vv = Value::object();
            vv.set("name", str(v.name));
            if (!v.file) vv.set("kind", str("anon"));
            vv.set("start", str(hexAddress(v.start * 4096)));
            vv.set("pages", num(v.pages));
            if (v.file && v.pgoff) vv.set("pgoff", num(v.pgoff));
            if (!v.write) vv.set("write", Value(false));
            if (v.shared != v.file) vv.set("shared", Value(v.shared));
            vmas.push_back(vv);
        }
        mv.set("vmas", vmas);
        mms.push_back(mv);
    }
    root.set("mms", mms);
    Value tasks = Value::array();
    for (size_t i = 0; i < s.config.tasks.size(); ++i) {
        const TaskConfig& t = s.config.tasks[i];
        if (int(i) == s.config.ioTask) continue;  // implicit
        Value tv = Value::object();
        tv.set("name", str(t.name));
        if (int(i) == s.config.uffdTask) tv.set("role", str("monitor"));
        if (t.mm >= 0) tv.set("mm", str(s.config.mmNames[t.mm]));
        Value prog = Value::array();
        for (const Op& op : t.program) prog.push_back(opValue(s, op, int(i), false));
        if (!t.program.empty()) tv.set("program", prog);
        tasks.push_back(tv);
    }
    root.set("tasks", tasks);
    const MonitorPolicy& p = s.config.policy;
    Value mon = Value::object();
    mon.set("copy_mode_wp", Value(p.copyModeWp));
    mon.set("copy_tag", str(p.copyTag));
    mon.set("zeropage", Value(p.useZeropage));
    mon.set("clear_on_wp", Value(p.clearOnWp));
    mon.set("continue_on_minor", Value(p.continueOnMinor));
    mon.set("continue_mode_wp", Value(p.continueModeWp));
    if (p.closeForked) mon.set("on_fork", str("close"));
    if (p.moveSrcOffset) mon.set("move_src_offset", Value(int64_t(p.moveSrcOffset)));
    root.set("monitor", mon);
    Value setup = Value::array();
    for (const SetupStep& st : s.setup) setup.push_back(opValue(s, st.op, st.task, true));
    root.set("setup", setup);
    root.set("variant", str(s.variant));
    if (!s.toggles.empty()) root.set("toggles", togglesValue(s.toggles));
    Value sched = Value::array();
    for (const Directive& d : s.schedule) {
        Value dv = Value::object();
        dv.set("task", str(s.config.tasks[d.task].name));
        switch (d.kind) {
        case Directive::Kind::Steps: dv.set("steps", num(d.count)); break;
        case Directive::Kind::Ops: dv.set("ops", num(d.count)); break;
        case Directive::Kind::UntilStep: dv.set("until", str(d.stepId)); break;
        case Directive::Kind::UntilBlocked: dv.set("until", str("blocked")); break;
        case Directive::Kind::UntilDone: dv.set("until", str("done")); break;
        }
        sched.push_back(dv);
    }
    if (!s.schedule.empty()) root.set("schedule", sched);
    if (!s.scheduleThenDefault) root.set("then", str("stop"));
    Value exps = Value::array();
    for (const Expectation& e : s.expectations) {
        Value ev = Value::object();
        ev.set("variant", str(e.variant));
        if (!e.toggles.empty()) ev.set("toggles", togglesValue(e.toggles));
        if (e.findings) {
            Value fs = Value::array();
            for (const ExpectedFinding& f : *e.findings) {
                Value fv = Value::object();
                fv.set("rule", str(std::string(ruleName(f.rule))));
                if (f.index >= 0) fv.set("page", Value(int64_t(f.index)));
                if (f.count != 1) fv.set("count", Value(int64_t(f.count)));
                fs.push_back(fv);
            }
            ev.set("findings", fs);
        }
        if (e.messages) {
            Value ms = Value::array();
            for (const std::string& m : *e.messages) ms.push_back(str(m));
            ev.set("messages", ms);
        }
        if (e.signals) {
            Value sg = Value::array();
            for (const std::string& x : *e.signals) sg.push_back(str(x));
            ev.set("signals", sg);
        }
        if (!e.cells.empty()) ev.set("cells", togglesValue(e.cells));
        if (e.end) ev.set("end", str(*e.end));
        exps.push_back(ev);
    }
    if (!s.expectations.empty()) root.set("expect", exps);
    if (s.exploreExpect) {
        Value ev = Value::object();
        if (s.exploreExpect->preemptions >= 0) ev.set("preemptions", int64_t(s.exploreExpect->preemptions));
        ev.set("max_steps", int64_t(s.exploreExpect->maxSteps));
        Value c1 = Value::array();
        for (const std::string& v : s.exploreExpect->c1Variants) c1.push_back(str(v));
        ev.set("c1", c1);
        root.set("explore", ev);
    }
    if (s.recording) root.set("recording", recordingValue(s));
    return json::write(root);
}

json::Value recordingValue(const Session& s) {
    {
        const Recording& r = *s.recording;
        Value rv = Value::object();
        rv.set("variant", str(r.variant));
        if (!r.toggles.empty()) rv.set("toggles", togglesValue(r.toggles));
        Value runs = Value::array();
        for (size_t i = 0; i < r.schedule.size();) {
            size_t j = i;
            while (j < r.schedule.size() && r.schedule[j] == r.schedule[i]) ++j;
            Value run = Value::array();
            run.push_back(str(s.config.tasks[r.schedule[i]].name));
            run.push_back(num(j - i));
            runs.push_back(run);
            i = j;
        }
        rv.set("schedule", runs);
        Value hashes = Value::array();
        for (uint64_t h : r.hashes) hashes.push_back(str(hexHash(h)));
        rv.set("hashes", hashes);
        if (!r.breakpoints.empty()) rv.set("breakpoints", savedStopsValue(r.breakpoints));
        if (!r.watchpoints.empty()) rv.set("watchpoints", savedStopsValue(r.watchpoints));
        return rv;
    }
}

json::Value savedStopsValue(const std::vector<SavedStop>& stops) {
    Value a = Value::array();
    for (const SavedStop& st : stops) {
        if (!st.error.empty()) {
            // An entry that could not be read goes back as it was written.
            if (auto back = json::parse(st.raw); back.ok()) a.push_back(back.value());
            continue;
        }
        Value e = Value::object();
        e.set("at", str(st.spec));
        e.set("enabled", Value(st.enabled));
        e.set("hits", num(st.hits));
        a.push_back(e);
    }
    return a;
}

std::string saveSession(const Session& s, const std::string& path) {
    std::string err;
    if (!io::writeFileAtomically(path, writeSession(s), &err)) return err;
    return "";
}

}  // namespace faultline
