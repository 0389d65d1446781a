#pragma once
// Tiny argument reader for the CLI: positional arguments and --options.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faultline::cli {

struct Args {
    std::vector<std::string> positional;
    std::vector<std::pair<std::string, std::string>> options;  // --name value (value "" for flags)
    std::string error;

    // `valued` lists options that take a value.
    static Args parse(const std::vector<std::string>& in, const std::vector<std::string>& valued,
                      const std::vector<std::string>& flags);
    bool has(const std::string& name) const;
    std::optional<std::string> get(const std::string& name) const;
    std::vector<std::string> all(const std::string& name) const;
};

}  // namespace faultline::cli
