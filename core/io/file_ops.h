// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The few system calls that write a user's data (the atomic writer, the
// autosave journal), reached through one table so tests can make them fail
// as a full or dying disk does: ENOSPC or EIO after some bytes, short writes.
// Production code never changes the table.
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace faultline::io {

struct FileOps {
    std::function<ssize_t(int fd, const void* buf, size_t n)> write;
    std::function<int(int fd)> fsync;
    std::function<int(int fd, off_t length)> ftruncate;
};

// The table in use (the real calls unless a test replaced them).
FileOps& fileOps();
// The real calls.
FileOps systemFileOps();

// Writes all of `data` (retrying short writes and EINTR). Returns the bytes
// written; on failure *err is set and errno kept, and fewer bytes were written.
size_t writeAll(int fd, std::string_view data, int* err);

// Tests: replaces the table for a scope.
class ScopedFileOps {
public:
    explicit ScopedFileOps(FileOps ops) : saved_(fileOps()) { fileOps() = std::move(ops); }
    ~ScopedFileOps() { fileOps() = std::move(saved_); }
    ScopedFileOps(const ScopedFileOps&) = delete;
    ScopedFileOps& operator=(const ScopedFileOps&) = delete;

private:
    FileOps saved_;
};

}  // namespace faultline::io
