// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The ticker of the timeline's step axis: whole steps at a 1-2-5 spacing and
// short labels ("950", "12.5k", "1M", "1.25M"), so a run of a million steps
// keeps readable ticks in a narrow dock instead of "1e+06" or seven-digit
// labels running into each other.
#include "common/qcp.h"

namespace faultline::views {

class StepTicker final : public QCPAxisTicker {
public:
    // The label of step `n`: plain below 10,000, then k (thousands) and M (millions).
    static QString label(double n);

protected:
    double getTickStep(const QCPRange& range) override;
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override;
};

}  // namespace faultline::views
