// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Breakpoints and watchpoints: the list, a line to add either
// ("do_fault_around", "MP.7", "filemap_map_pages:2" / "A.pte[8].uffd_wp"),
// and whether findings stop a run. Each entry has an enable checkbox and says
// how often the run stopped on it.
#include <QWidget>

#include "common/snapshot.h"

class QListWidget;
class QLineEdit;
class QCheckBox;
class QLabel;

namespace faultline::views {

class BreakpointsView final : public QWidget {
    Q_OBJECT
public:
    explicit BreakpointsView(QWidget* parent = nullptr);
    void setSnapshot(const Snapshot& s);
    void showError(const QString& e);
    // The result of an Add: the error, or (empty) success, which clears the field.
    void added(const QString& error);
    QListWidget* list() const { return list_; }
    QLineEdit* input() const { return input_; }

Q_SIGNALS:
    void addBreakpoint(const QString& spec);
    void addWatchpoint(const QString& spec);
    void removeBreakpoint(int i);
    void removeWatchpoint(int i);
    // A saved entry that cannot be used (Snapshot::leftOutStops[i]) is dropped for good.
    void removeLeftOut(int i);
    void stopOnFindingsChanged(bool on);
    // kind 0 breakpoint, 1 watchpoint; the item's checkbox.
    void enabledChanged(int kind, int i, bool on);

private:
    QListWidget* list_;
    QLineEdit* input_;
    QCheckBox* findings_;
    QLabel* error_;
    bool filling_ = false;
    QString leftOutNote_;  // the note about unusable saved entries now shown (if any)
};

}  // namespace faultline::views
