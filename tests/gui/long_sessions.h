// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Sessions whose runs are long enough that commands on them go to the worker
// (tests of long work: progress, Cancel, the window repainting meanwhile).
#include <gtest/gtest.h>

#include <QFile>
#include <QString>
#include <QTemporaryDir>

namespace faultline::guitest {

// Writes `text` to `path` and returns the path.
inline QString writeFile(const QString& path, const QString& text) {
    QFile f(path);
    EXPECT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(text.toUtf8());
    return path;
}

// A session of many reads on a big file: one task reads every page, `rounds` times over.
// `planned`: the session's schedule is that many steps of A1, then it stops (the rest is run by hand).
inline QString writeManyReads(const QTemporaryDir& dir, int pages, int rounds, int planned = 0) {
    QString prog;
    for (int r = 0; r < rounds; ++r)
        prog += QStringLiteral("%1{\"op\": \"read\", \"page\": 0, \"pages\": %2}").arg(r ? ", " : "").arg(pages);
    const QString text = QStringLiteral(
                             "{\"format\": \"faultline-session\", \"schema_version\": 1, \"name\": \"many reads\",\n"
                             " \"file\": {\"pages\": %1}, \"swap\": {\"slots\": 0},\n"
                             " \"mms\": [{\"name\": \"A\", \"vmas\": [{\"name\": \"file\", \"start\": \"0x40000000\", "
                             "\"pages\": %1}]}],\n"
                             " \"tasks\": [{\"name\": \"A1\", \"mm\": \"A\", \"program\": [%2]}],\n"
                             " %3\"variant\": \"upstream\"}\n")
                             .arg(pages)
                             .arg(prog)
                             .arg(planned ? QStringLiteral("\"schedule\": [{\"task\": \"A1\", \"steps\": %1}], "
                                                           "\"then\": \"stop\", ")
                                                .arg(planned)
                                          : QString());
    return writeFile(dir.filePath(QStringLiteral("many-reads-%1-%2-%3.json").arg(pages).arg(rounds).arg(planned)), text);
}

// Two tasks: A1 reads one page, B1 reads `pages` pages `rounds` times. The
// plan lets A1 take the first two steps of its fault (into handle_mm_fault,
// then into fault-around) and then B1 run all of its reads before A1 goes on,
// so stepping over A1's fault (F10 at step 0) or out of handle_mm_fault
// (Shift+F11 at step 1) runs B1's whole program, and stepping back over it
// from the end scans all of it.
inline QString writeLongStepOver(const QTemporaryDir& dir, int pages, int rounds) {
    QString prog;
    for (int r = 0; r < rounds; ++r)
        prog += QStringLiteral("%1{\"op\": \"read\", \"page\": 1, \"pages\": %2}").arg(r ? ", " : "").arg(pages);
    const QString text = QStringLiteral(
                             "{\"format\": \"faultline-session\", \"schema_version\": 1, \"name\": \"long step over\",\n"
                             " \"file\": {\"pages\": %1}, \"swap\": {\"slots\": 0},\n"
                             " \"mms\": [{\"name\": \"A\", \"vmas\": [{\"name\": \"file\", \"start\": \"0x40000000\", "
                             "\"pages\": %1}]}, {\"name\": \"B\", \"vmas\": [{\"name\": \"file\", \"start\": "
                             "\"0x40000000\", \"pages\": %1}]}],\n"
                             " \"tasks\": [{\"name\": \"A1\", \"mm\": \"A\", \"program\": [{\"op\": \"read\", \"page\": 0}]},\n"
                             "  {\"name\": \"B1\", \"mm\": \"B\", \"program\": [%2]}],\n"
                             " \"schedule\": [{\"task\": \"A1\", \"steps\": 2}, {\"task\": \"B1\", \"until\": \"done\"}],\n"
                             " \"variant\": \"upstream\"}\n")
                             .arg(pages + 1)
                             .arg(prog);
    return writeFile(dir.filePath(QStringLiteral("long-step-over-%1-%2.json").arg(pages).arg(rounds)), text);
}

// A session whose setup is long: B1 writes a file of `pages` pages, A1 reads
// every page of it (one micro-stepped read each); the run itself is short.
inline QString writeBigSetup(const QTemporaryDir& dir, int pages) {
    const QString text =
        QStringLiteral(
            "{\"format\": \"faultline-session\", \"schema_version\": 1, \"name\": \"big setup\",\n"
            " \"file\": {\"pages\": %1}, \"swap\": {\"slots\": 0},\n"
            " \"mms\": [{\"name\": \"A\", \"vmas\": [{\"name\": \"file\", \"start\": \"0x40000000\", \"pages\": %1}]},\n"
            "  {\"name\": \"B\", \"vmas\": [{\"name\": \"file\", \"start\": \"0x40000000\", \"pages\": %1}]}],\n"
            " \"tasks\": [{\"name\": \"A1\", \"mm\": \"A\", \"program\": [{\"op\": \"read\", \"page\": 0}]},\n"
            "  {\"name\": \"B1\", \"mm\": \"B\"}],\n"
            " \"setup\": [{\"task\": \"B1\", \"op\": \"file_write\", \"page\": 0, \"pages\": %1, \"tag\": \"b0\"},\n"
            "  {\"task\": \"A1\", \"op\": \"read\", \"page\": 0, \"pages\": %1}],\n"
            " \"variant\": \"upstream\"}\n")
            .arg(pages);
    return writeFile(dir.filePath(QStringLiteral("big-setup-%1.json").arg(pages)), text);
}

}  // namespace faultline::guitest
