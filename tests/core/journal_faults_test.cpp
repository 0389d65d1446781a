// SPDX-License-Identifier: GPL-3.0-or-later
// Fault injection for the autosave journal and atomic saves: a disk that
// fills up (ENOSPC after some bytes), fails (EIO), or takes short writes.
// The journal must hold only whole records at every moment, retry what it
// could not write, and recover every step once space is back.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/atomic_file.h"
#include "io/file_ops.h"
#include "session/recording_journal.h"
#include "session/session_io.h"

namespace faultline {
namespace {

// A disk with `room` bytes left for writes (then ENOSPC, after a partial
// write that fills it); `maxChunk` caps each write() (short writes).
struct FakeDisk {
    size_t room = SIZE_MAX;
    size_t maxChunk = SIZE_MAX;
    int failWith = ENOSPC;
    bool truncateFails = false;
    io::FileOps ops() {
        io::FileOps o = io::systemFileOps();
        const io::FileOps sys = io::systemFileOps();
        o.write = [this, sys](int fd, const void* b, size_t n) -> ssize_t {
            if (room == 0) {
                errno = failWith;
                return -1;
            }
            const size_t k = std::min({n, room, maxChunk});
            const ssize_t w = sys.write(fd, b, k);
            if (w > 0 && room != SIZE_MAX) room -= size_t(w);
            return w;
        };
        o.fsync = [this, sys](int fd) {
            if (room == 0) {
                errno = failWith;
                return -1;
            }
            return sys.fsync(fd);
        };
        o.ftruncate = [this, sys](int fd, off_t len) {
            if (truncateFails) {
                errno = EIO;
                return -1;
            }
            return sys.ftruncate(fd, len);
        };
        return o;
    }
};

struct JournalFaults : ::testing::Test {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("faultline-faults-" + std::to_string(::getpid()));
    std::string path = (dir / "j.journal").string();
    Session base;
    void SetUp() override {
        std::filesystem::create_directories(dir);
        LoadResult r = loadSession(std::string(FAULTLINE_SAMPLE_DIR) + "/s1-seed-race.json");
        ASSERT_TRUE(r.session) << r.error.text();
        base = *r.session;
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
    static void grow(Recording& r, size_t n) {
        for (size_t i = 0; i < n; ++i) {
            const size_t k = r.schedule.size();
            r.schedule.push_back(uint8_t(k % 3));
            r.hashes.push_back(0x9e3779b97f4a7c15ull * (k + 1));
        }
    }
    // Every line of the file is a whole record (no torn record anywhere).
    void expectOnlyWholeRecords() {
        std::ifstream in(path);
        const std::string t{std::istreambuf_iterator<char>(in), {}};
        ASSERT_FALSE(t.empty());
        EXPECT_EQ(t.back(), '\n');
        const JournalLoad l = readJournal(path);
        ASSERT_TRUE(l.session) << l.error.text();
        EXPECT_EQ(l.damage.line, 0) << l.damage.text();
        EXPECT_FALSE(l.tornTail);
    }
};

// The run: 10 steps, disk full, 400 steps, space freed, 20 steps,
// kill: all 430 steps come back.
TEST_F(JournalFaults, AFullDiskLosesNothingOnceSpaceIsBack) {
    FakeDisk disk;
    io::ScopedFileOps scoped(disk.ops());
    RecordingJournal j;
    ASSERT_EQ(j.start(path, base, "s.json"), "");
    Recording r{"baseline-2020", {}, {}, {}, {}, {}};
    for (int i = 0; i < 10; ++i) {
        grow(r, 1);
        ASSERT_EQ(j.sync(r, r.schedule.size()), "");
    }
    disk.room = 37;  // a record and a half, then nothing
    int failures = 0;
    for (int i = 0; i < 400; ++i) {
        grow(r, 1);
        const std::string e = j.sync(r, r.schedule.size());
        if (!e.empty()) {
            ++failures;
            EXPECT_NE(e.find(std::strerror(ENOSPC)), std::string::npos) << e;
        }
    }
    EXPECT_GT(failures, 390);
    expectOnlyWholeRecords();
    disk.room = SIZE_MAX;
    for (int i = 0; i < 20; ++i) {
        grow(r, 1);
        ASSERT_EQ(j.sync(r, r.schedule.size()), "");
    }
    j.close();  // the kill: nothing more is written
    const JournalLoad l = readJournal(path);
    ASSERT_TRUE(l.session) << l.error.text();
    ASSERT_TRUE(l.session->recording);
    EXPECT_EQ(l.session->recording->schedule.size(), 430u);
    EXPECT_EQ(l.session->recording->schedule, r.schedule);
    EXPECT_EQ(l.session->recording->hashes, r.hashes);
    EXPECT_EQ(l.position, 430u);
    EXPECT_EQ(l.damage.line, 0);
}

// EIO in the middle of a record, and the cut-back fails too: the next sync
// removes the half record before it appends.
TEST_F(JournalFaults, AnIoErrorWhoseCutBackAlsoFailsIsRepairedNextTime) {
    FakeDisk disk;
    io::ScopedFileOps scoped(disk.ops());
    RecordingJournal j;
    ASSERT_EQ(j.start(path, base, ""), "");
    Recording r{"upstream", {}, {}, {}, {}, {}};
    grow(r, 5);
    ASSERT_EQ(j.sync(r, 5), "");
    disk.room = 10;
    disk.failWith = EIO;
    disk.truncateFails = true;
    grow(r, 3);
    EXPECT_NE(j.sync(r, 8), "");
    // The torn bytes are still there (the repair failed) ...
    disk.room = 0;
    EXPECT_NE(j.sync(r, 8), "");
    // ... until the disk works again.
    disk.room = SIZE_MAX;
    disk.truncateFails = false;
    grow(r, 1);
    ASSERT_EQ(j.sync(r, 9), "");
    j.close();
    expectOnlyWholeRecords();
    const JournalLoad l = readJournal(path);
    EXPECT_EQ(l.session->recording->schedule, r.schedule);
    EXPECT_EQ(l.position, 9u);
}

TEST_F(JournalFaults, ShortWritesAreCompleted) {
    FakeDisk disk;
    disk.maxChunk = 3;
    io::ScopedFileOps scoped(disk.ops());
    RecordingJournal j;
    ASSERT_EQ(j.start(path, base, "s.json"), "");
    Recording r{"upstream", {}, {}, {}, {}, {}};
    grow(r, 50);
    ASSERT_EQ(j.sync(r, 50), "");
    j.close();
    const JournalLoad l = readJournal(path);
    ASSERT_TRUE(l.session) << l.error.text();
    EXPECT_EQ(l.session->recording->schedule, r.schedule);
}

// A full disk while the journal starts: no journal, no temporary, an error;
// the next try (space back) starts it.
TEST_F(JournalFaults, AFullDiskAtStartLeavesNothingBehind) {
    FakeDisk disk;
    disk.room = 100;
    io::ScopedFileOps scoped(disk.ops());
    RecordingJournal j;
    EXPECT_NE(j.start(path, base, "s.json"), "");
    EXPECT_FALSE(j.active());
    EXPECT_TRUE(std::filesystem::is_empty(dir));
    disk.room = SIZE_MAX;
    EXPECT_EQ(j.start(path, base, "s.json"), "");
}

// Saves: ENOSPC, EIO and short writes never touch the previous file.
TEST_F(JournalFaults, AFailedSaveKeepsThePreviousFile) {
    const std::string target = (dir / "s.json").string();
    std::string err;
    ASSERT_TRUE(io::writeFileAtomically(target, "precious", &err)) << err;
    const std::string big(100000, 'x');
    for (int failWith : {ENOSPC, EIO}) {
        FakeDisk disk;
        disk.room = 5000;
        disk.failWith = failWith;
        io::ScopedFileOps scoped(disk.ops());
        EXPECT_FALSE(io::writeFileAtomically(target, big, &err));
        EXPECT_NE(err.find(std::strerror(failWith)), std::string::npos) << err;
        EXPECT_NE(err.find(target), std::string::npos) << err;
    }
    {
        FakeDisk disk;
        disk.maxChunk = 7;
        io::ScopedFileOps scoped(disk.ops());
        ASSERT_TRUE(io::writeFileAtomically(target, big, &err)) << err;
    }
    std::string back;
    ASSERT_TRUE(io::readFile(target, &back, &err));
    EXPECT_EQ(back, big);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);  // no temporaries
}

}  // namespace
}  // namespace faultline
