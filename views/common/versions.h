// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Versions of the libraries the views are built with, for Help ▸ About.
#include <QString>

namespace faultline::views {

QString qcustomplotVersion();  // "2.1.0"

}  // namespace faultline::views
