#include "io/atomic_file.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace faultline::io {
namespace {

std::string tempDir() {
    char tmpl[] = "/tmp/faultline-io-XXXXXX";
    return ::mkdtemp(tmpl);
}

int entries(const std::string& dir) {
    int n = 0;
    DIR* d = ::opendir(dir.c_str());
    while (dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
    return n;
}

TEST(AtomicFile, WritesAndReadsBack) {
    const std::string dir = tempDir();
    std::string err, back;
    ASSERT_TRUE(writeFileAtomically(dir + "/s.json", "hello", &err)) << err;
    ASSERT_TRUE(writeFileAtomically(dir + "/s.json", "second", &err)) << err;
    ASSERT_TRUE(readFile(dir + "/s.json", &back, &err)) << err;
    EXPECT_EQ(back, "second");
    EXPECT_EQ(entries(dir), 1);  // no temporary left behind
}

TEST(AtomicFile, AFailedWriteKeepsThePreviousFile) {
    const std::string dir = tempDir();
    std::string err;
    ASSERT_TRUE(writeFileAtomically(dir + "/keep.json", "precious", &err));
    // The rename cannot replace a directory: the write fails at the last step.
    ::mkdir((dir + "/target").c_str(), 0755);
    EXPECT_FALSE(writeFileAtomically(dir + "/target", "x", &err));
    EXPECT_NE(err.find(dir + "/target"), std::string::npos);
    // A path through a regular file cannot even create the temporary.
    EXPECT_FALSE(writeFileAtomically(dir + "/keep.json/sub", "x", &err));
    std::string back;
    ASSERT_TRUE(readFile(dir + "/keep.json", &back, &err));
    EXPECT_EQ(back, "precious");
    EXPECT_EQ(entries(dir), 2);  // keep.json and target/, no temporaries
}

TEST(AtomicFile, ReadErrorsNameTheProblem) {
    std::string err, out;
    EXPECT_FALSE(readFile("/nonexistent/faultline.json", &out, &err));
    EXPECT_NE(err.find("/nonexistent/faultline.json"), std::string::npos);
    EXPECT_FALSE(readFile("/tmp", &out, &err));
    EXPECT_NE(err.find("directory"), std::string::npos);
}

}  // namespace
}  // namespace faultline::io
