// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Code: the step table of the selected task's selected frame, as kernel-style
// pseudocode (paths/registry.h). One marker, one meaning: ▶ is the line the
// task runs next; ✓ marks the rows the last step ran in this function (the
// zap at the step that zapped, even though the task now stands on the next
// mapping's row), with what they did as the row's tooltip. Breakpoints ●.
#include "common/snapshot_model.h"
#include "paths/registry.h"

namespace faultline::views {

class CodeModel final : public SnapshotTableModel {
    Q_OBJECT
public:
    enum Role { CurrentRole = Qt::UserRole + 1, BreakpointRole, PcRole, RanRole };
    using SnapshotTableModel::SnapshotTableModel;
    QVariant cellData(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;
    // Function shown, Fn::kCount if none; and its current pc (-1 if none).
    Fn function() const { return fn_; }
    int currentPc() const { return pc_; }
    // "FAULT_AROUND_POLICY = always · SHMEM_MAP_PAGES = on" for the function shown.
    QString rulesText() const;
    // What the last step ran in the function shown ("step 3 ran ZP.1: …"), "" if nothing.
    QString ranText() const { return ranText_; }
    bool ran(int pc) const { return pc >= 0 && pc < int(ran_.size()) && !ran_[pc].isEmpty(); }

protected:
    int rowsFor(const Snapshot& s) const override;
    int columnsFor(const Snapshot&) const override { return 3; }
    void snapshotChanged() override;

private:
    static std::pair<Fn, int> shown(const Snapshot& s);
    Fn fn_ = Fn::kCount;
    int pc_ = -1;
    std::vector<QString> ran_;  // per pc: the last step's narration of that row
    QString ranText_;
};

// Toggles (toggleInfos() names) that decide what a function does.
std::vector<std::string_view> rulesFor(Fn fn);

}  // namespace faultline::views
