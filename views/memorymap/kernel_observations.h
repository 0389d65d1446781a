// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the kernel twin saw on the running kernel, operation by operation, as
// `faultline-cli kernel SESSION --json --all` prints it: per operation, every
// observed cell's kernel and simulated value in the cells' canonical text and
// whether they agree. Parsed once, then immutable and shared by the memory
// maps (the views never link the twin: they read its output).
#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>
#include <memory>

namespace faultline::views {

struct Snapshot;

struct KernelObservations {
    struct Cell {
        QString kernel, sim;
        bool agree = true;
    };
    struct Op {
        QString label;               // "A1: read 1"
        QHash<QString, Cell> cells;  // "A.pte[1]", "xa[1]", "data[1]", "result", "msgs"
        QStringList disagreements;   // cell names, in the twin's order
    };
    QString kernel;    // "Linux 6.18.44 x86_64"
    QString session;   // the session's name
    int setupOps = 0;  // ops[0, setupOps) are the session's setup
    QVector<Op> ops;   // ops[k]: after operation k + 1
    int agreed = 0, observations = 0;

    // nullptr and *error on bad input (not the twin's JSON, no setup_ops, ...).
    static std::shared_ptr<const KernelObservations> fromJson(const QByteArray& json, QString* error);
    // After operation n (1-based), or nullptr.
    const Op* after(int n) const { return n >= 1 && n <= ops.size() ? &ops[n - 1] : nullptr; }
};

// The twin's operation whose observation belongs to the debugger at `s`: the
// setup ops and then every program operation completed by s.position, in the
// order the run completed them (the order the twin runs them in). 0 before
// any operation completed.
int kernelOpAt(const Snapshot& s, int setupOps);

}  // namespace faultline::views
