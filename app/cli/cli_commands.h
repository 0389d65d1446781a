#pragma once
#include <string>
#include <vector>

namespace faultline::cli {

enum Exit { kOk = 0, kFailed = 1, kBadInput = 2 };

int dispatch(const std::vector<std::string>& args);
int cmdRun(const std::vector<std::string>& args);
int cmdCheck(const std::vector<std::string>& args);
int cmdReplay(const std::vector<std::string>& args);
int cmdVariants(const std::vector<std::string>& args);

}  // namespace faultline::cli
