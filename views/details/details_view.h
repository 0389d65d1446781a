// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Details dock: the session's story (name, description, verdict) and the
// whole what-and-why of the current step, wrapped to the dock's width.
#include <QWidget>

#include "common/snapshot.h"
#include "details/step_details.h"

class QTextBrowser;

namespace faultline::views {

class DetailsView final : public QWidget {
    Q_OBJECT
public:
    explicit DetailsView(QWidget* parent = nullptr);
    void setSnapshot(const Snapshot& s);
    QTextBrowser* browser() const { return text_; }
    // The plain text shown (tests).
    QString plainText() const;
    // How often the document's text was set, whole or from a changed part (tests).
    int documentsSet() const { return textSets_; }

private:
    QTextBrowser* text_;
    const void* verdictLog_ = nullptr;  // the log the cached story was made from
    uint64_t verdictPos_ = ~uint64_t{0};
    QString head_, verdictLine_;  // the story: name, kernel, description; the verdict paragraph
    // What the browser holds: the head, the verdict from character
    // verdictFrom_, a rule, then the step's part from character stepFrom_
    // (-1: to be set anew).
    QString shownHead_, shownVerdict_, shownStep_;
    int verdictFrom_ = 0, stepFrom_ = -1;
    int textSets_ = 0;
    // The verdict of the log's first verdictUpTo_ records: a step appended at
    // the end adds its findings, it does not rescan a long run.
    Verdict verdict_;
    uint64_t verdictUpTo_ = 0;
};

}  // namespace faultline::views
