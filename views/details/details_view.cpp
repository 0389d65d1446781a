// SPDX-License-Identifier: GPL-3.0-or-later
#include "details/details_view.h"

#include <QTextBrowser>
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
    if (s.log.get() != verdictLog_ || (atEnd ? s.position : ~uint64_t{0}) != verdictPos_ || story_.isEmpty()) {
        if (s.log.get() != verdictLog_) {
            if (!s.log || s.logSameBefore < verdictUpTo_ || !verdictLog_) verdict_ = {}, verdictUpTo_ = 0;
            if (s.log) extendVerdict(verdict_, *s.log, verdictUpTo_);
            verdictUpTo_ = s.log ? s.log->size() : 0;
        }
        story_ = storyHtml(s, s.log ? &verdict_ : nullptr);
        verdictLog_ = s.log.get();
        verdictPos_ = atEnd ? s.position : ~uint64_t{0};
    }
    // The application font already carries presentation's scale.
    if (text_->document()->defaultFont() != font()) {
        text_->document()->setDefaultFont(font());
        shown_.clear();
    }
    // Parsed and laid out again only when the text changed (a task selected,
    // a stop edited and the same step published again keep it).
    QString html = story_ + QStringLiteral("<hr>") + stepDetailsHtml(s);
    if (html == shown_) return;
    shown_ = std::move(html);
    ++setHtmlCalls_;
    text_->setHtml(shown_);
}

}  // namespace faultline::views
