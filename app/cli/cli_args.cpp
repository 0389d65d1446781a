#include "cli_args.h"

#include <algorithm>

namespace faultline::cli {

Args Args::parse(const std::vector<std::string>& in, const std::vector<std::string>& valued, const std::vector<std::string>& flags) {
    Args a;
    for (size_t i = 0; i < in.size(); ++i) {
        const std::string& s = in[i];
        if (s.rfind("--", 0) != 0) {
            a.positional.push_back(s);
            continue;
        }
        std::string name = s, value;
        if (auto eq = s.find('='); eq != std::string::npos && std::count(valued.begin(), valued.end(), s.substr(0, eq))) {
            name = s.substr(0, eq);
            value = s.substr(eq + 1);
            a.options.emplace_back(name, value);
            continue;
        }
        if (std::count(valued.begin(), valued.end(), name)) {
            if (i + 1 >= in.size()) {
                a.error = name + " needs a value";
                return a;
            }
            a.options.emplace_back(name, in[++i]);
        } else if (std::count(flags.begin(), flags.end(), name)) {
            a.options.emplace_back(name, "");
        } else {
            a.error = "unknown option " + name;
            return a;
        }
    }
    return a;
}

bool Args::has(const std::string& name) const {
    return std::any_of(options.begin(), options.end(), [&](const auto& o) { return o.first == name; });
}

std::optional<std::string> Args::get(const std::string& name) const {
    for (auto it = options.rbegin(); it != options.rend(); ++it)
        if (it->first == name) return it->second;
    return std::nullopt;
}

std::vector<std::string> Args::all(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& o : options)
        if (o.first == name) out.push_back(o.second);
    return out;
}

}  // namespace faultline::cli
