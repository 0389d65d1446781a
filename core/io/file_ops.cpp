// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/file_ops.h"

#include <unistd.h>

#include <cerrno>

namespace faultline::io {

FileOps systemFileOps() {
    return FileOps{[](int fd, const void* b, size_t n) { return ::write(fd, b, n); },
                   [](int fd) { return ::fsync(fd); }, [](int fd, off_t len) { return ::ftruncate(fd, len); }};
}

FileOps& fileOps() {
    static FileOps ops = systemFileOps();
    return ops;
}

size_t writeAll(int fd, std::string_view data, int* err) {
    size_t done = 0;
    *err = 0;
    while (done < data.size()) {
        const ssize_t w = fileOps().write(fd, data.data() + done, data.size() - done);
        if (w < 0) {
            if (errno == EINTR) continue;
            *err = errno;
            return done;
        }
        if (w == 0) {  // a device that takes nothing: do not spin
            *err = errno = ENOSPC;
            return done;
        }
        done += size_t(w);
    }
    return done;
}

}  // namespace faultline::io
