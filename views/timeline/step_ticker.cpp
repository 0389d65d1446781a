// SPDX-License-Identifier: GPL-3.0-or-later
#include "timeline/step_ticker.h"

#include <cmath>

namespace faultline::views {

namespace {
// `v` with up to `decimals` decimals, trailing zeros (and point) dropped.
QString trimmed(double v, int decimals) {
    QString s = QString::number(v, 'f', decimals);
    if (s.contains(QLatin1Char('.'))) {
        while (s.endsWith(QLatin1Char('0'))) s.chop(1);
        if (s.endsWith(QLatin1Char('.'))) s.chop(1);
    }
    return s;
}
}  // namespace

QString StepTicker::label(double n) {
    const double a = std::fabs(n);
    if (a < 10000) return QString::number(std::llround(n));
    if (a < 1e6) return trimmed(n / 1e3, 2) + QLatin1Char('k');
    return trimmed(n / 1e6, 3) + QLatin1Char('M');
}

double StepTicker::getTickStep(const QCPRange& range) {
    // About tickCount() ticks, a whole number of steps apart: 1, 2, 5 × 10^k.
    const double exact = range.size() / (tickCount() + 1e-10);
    if (exact <= 1) return 1;
    const double mag = std::pow(10.0, std::floor(std::log10(exact)));
    const double m = exact / mag;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * mag;
}

QString StepTicker::getTickLabel(double tick, const QLocale&, QChar, int) { return label(tick); }

}  // namespace faultline::views
