// SPDX-License-Identifier: GPL-3.0-or-later
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

// Saving keeps the file's mode, writes through a symbolic link to its
// target, and never replaces what is not a regular file.
TEST(AtomicFile, SavingKeepsModeLinksAndDevices) {
    const std::string dir = tempDir();
    std::string err, back;
    const std::string f = dir + "/s.json";
    ASSERT_TRUE(writeFileAtomically(f, "one", &err)) << err;
    ::chmod(f.c_str(), 0600);
    ASSERT_TRUE(writeFileAtomically(f, "two", &err)) << err;
    struct stat st {};
    ASSERT_EQ(::stat(f.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    const std::string link = dir + "/link.json";
    ASSERT_EQ(::symlink("s.json", link.c_str()), 0);
    ASSERT_TRUE(writeFileAtomically(link, "three", &err)) << err;
    ASSERT_EQ(::lstat(link.c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    ASSERT_TRUE(readFile(f, &back, &err));
    EXPECT_EQ(back, "three");
    EXPECT_FALSE(writeFileAtomically("/dev/null", "x", &err));
    EXPECT_NE(err.find("not a regular file"), std::string::npos) << err;
    struct stat dn {};
    ASSERT_EQ(::stat("/dev/null", &dn), 0);
    EXPECT_TRUE(S_ISCHR(dn.st_mode));
    const std::string fifo = dir + "/fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_FALSE(writeFileAtomically(fifo, "x", &err));
    EXPECT_EQ(entries(dir), 3);  // s.json, link.json, fifo: no temporaries
}

// Reading: a FIFO is refused at once (it used to hang), a device or a file
// past the limit too (/dev/zero used to abort after 2 GB).
TEST(AtomicFile, ReadingRefusesFifosDevicesAndHugeFiles) {
    const std::string dir = tempDir();
    std::string err, out;
    const std::string fifo = dir + "/fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_FALSE(readFile(fifo, &out, &err));
    EXPECT_NE(err.find("not a regular file"), std::string::npos) << err;
    EXPECT_FALSE(readFile("/dev/zero", &out, &err));
    EXPECT_NE(err.find("not a regular file"), std::string::npos) << err;
    ASSERT_TRUE(writeFileAtomically(dir + "/big", std::string(5000, 'x'), &err));
    EXPECT_FALSE(readFile(dir + "/big", &out, &err, 4096));
    EXPECT_NE(err.find("limit"), std::string::npos) << err;
    ASSERT_TRUE(readFile(dir + "/big", &out, &err, 5000)) << err;
    EXPECT_EQ(out.size(), 5000u);
}

}  // namespace
}  // namespace faultline::io
