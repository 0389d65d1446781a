// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The named kernel variants (spec §7). Adding a variant is one row in
// variants.cpp.
#include <string_view>
#include <vector>

#include "model/toggles.h"

namespace faultline {

struct Variant {
    std::string_view id;       // "baseline-2020"
    std::string_view letter;   // spec letter: "a" .. "e2"
    std::string_view summary;  // one line
    Toggles toggles;
};

const std::vector<Variant>& variants();
const Variant* findVariant(std::string_view id);
constexpr std::string_view kDefaultVariant = "upstream";

}  // namespace faultline
