// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// QCustomPlot's header uses the Qt keywords (signals, slots, emit), which this
// project turns off (QT_NO_KEYWORDS: the engine has a member named `slots`).
// Parse the engine's headers first, then include QCustomPlot with the keywords
// mapped for that header only.
#include "model/state.h"
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
