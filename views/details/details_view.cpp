// SPDX-License-Identifier: GPL-3.0-or-later
#include "details/details_view.h"

#include <QTextBrowser>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QVBoxLayout>

#include "common/theme.h"
#include "details/step_details.h"

namespace faultline::views {

DetailsView::DetailsView(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(2, 2, 2, 2);
    text_ = new QTextBrowser(this);
    text_->setObjectName("detailsText");
    text_->setOpenLinks(false);
    text_->setLineWrapMode(QTextEdit::WidgetWidth);
    lay->addWidget(text_);
}

QString DetailsView::plainText() const { return text_->toPlainText(); }

void DetailsView::setSnapshot(const Snapshot& s) {
    // The verdict scans the whole log: only when the log or the end state changes.
    const bool atEnd = s.position == s.length;
    if (s.log.get() != verdictLog_ || (atEnd ? s.position : ~uint64_t{0}) != verdictPos_ || head_.isEmpty()) {
        if (s.log.get() != verdictLog_) {
            if (!s.log || s.logSameBefore < verdictUpTo_ || !verdictLog_) verdict_ = {}, verdictUpTo_ = 0;
            if (s.log) extendVerdict(verdict_, *s.log, verdictUpTo_);
            verdictUpTo_ = s.log ? s.log->size() : 0;
        }
        head_ = storyHeadHtml(s);
        verdictLine_ = verdictHtml(s, s.log ? &verdict_ : nullptr);
        verdictLog_ = s.log.get();
        verdictPos_ = atEnd ? s.position : ~uint64_t{0};
    }
    // The application font already carries presentation's scale.
    if (text_->document()->defaultFont() != font()) {
        text_->document()->setDefaultFont(font());
        stepFrom_ = -1;
    }
    // Parsed and laid out again only when the text changed (a task selected,
    // a stop edited and the same step published again keep it), and then
    // only from the first part that changed: stepping through a run replaces
    // the step's part, a hand-made step the verdict and the step, while the
    // story above stays parsed and laid out (setHtml of the whole was a
    // seventh of a step with the window's refresh).
    QString step = stepDetailsHtml(s);
    const bool sameHead = stepFrom_ >= 0 && head_ == shownHead_ && verdictLine_.isEmpty() == shownVerdict_.isEmpty();
    if (sameHead && verdictLine_ == shownVerdict_ && step == shownStep_) return;
    ++textSets_;
    QTextDocument* doc = text_->document();
    const QString rule = QStringLiteral("<hr>");
    if (!sameHead) {
        text_->setHtml(head_ + verdictLine_ + rule + step);
    } else {
        // Everything from the first changed part's block to the end is
        // replaced; that block keeps its place (and a paragraph's format, the
        // same as the one put in it).
        const bool fromVerdict = verdictLine_ != shownVerdict_;
        QTextCursor c(doc);
        c.beginEditBlock();
        c.setPosition(fromVerdict ? verdictFrom_ : stepFrom_);
        c.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
        c.removeSelectedText();
        c.insertHtml(fromVerdict ? verdictLine_ + rule + step : step);
        c.endEditBlock();
        doc->clearUndoRedoStacks();
    }
    shownHead_ = head_, shownVerdict_ = verdictLine_, shownStep_ = std::move(step);
    // The parts' places: the step's part begins after the rule, the verdict
    // is the block before it.
    stepFrom_ = -1;
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next())
        if (b.blockFormat().hasProperty(QTextFormat::BlockTrailingHorizontalRulerWidth)) {
            stepFrom_ = b.position() + b.length();
            verdictFrom_ = b.previous().isValid() ? b.previous().position() : 0;
            break;
        }
}

}  // namespace faultline::views
