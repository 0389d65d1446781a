// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/atomic_file.h"

#include "io/file_ops.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace faultline::io {

namespace {
std::string sysError(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}
}  // namespace

bool readFile(const std::string& path, std::string* out, std::string* error, uint64_t maxBytes) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *error = sysError("cannot open", path);
        return false;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *error = "cannot read " + path + ": " + (S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
        ::close(fd);
        return false;
    }
    if (uint64_t(st.st_size) > maxBytes) {
        *error = "cannot read " + path + ": " + std::to_string(st.st_size) + " bytes is more than the limit of " +
                 std::to_string(maxBytes);
        ::close(fd);
        return false;
    }
    std::string text;
    text.resize(size_t(st.st_size));
    size_t got = 0;
    char more[4096];
    for (;;) {
        // Into the string while it has room, then a probe for a file that grew.
        char* dst = got < text.size() ? text.data() + got : more;
        const size_t room = got < text.size() ? text.size() - got : sizeof more;
        const ssize_t n = ::read(fd, dst, room);
        if (n < 0) {
            if (errno == EINTR) continue;
            *error = sysError("cannot read", path);
            ::close(fd);
            return false;
        }
        if (n == 0) break;
        if (dst == more) text.append(more, size_t(n));
        got += size_t(n);
        if (got > maxBytes) {
            *error = "cannot read " + path + ": more than the limit of " + std::to_string(maxBytes) + " bytes";
            ::close(fd);
            return false;
        }
    }
    ::close(fd);
    text.resize(got);
    *out = std::move(text);
    return true;
}

bool writeFileAtomically(const std::string& target, std::string_view content, std::string* error) {
    // Through a symbolic link to its target (the link stays a link); only a
    // regular file is replaced (never a device such as /dev/stdout); its mode
    // is kept.
    std::string path = target;
    struct stat st {};
    if (::lstat(target.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        char* real = ::realpath(target.c_str(), nullptr);
        if (!real) {
            *error = sysError("cannot follow the symbolic link", target);
            return false;
        }
        path = real;
        std::free(real);
    }
    mode_t mode = 0;
    if (::stat(path.c_str(), &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            *error = "cannot write " + target + ": not a regular file";
            return false;
        }
        mode = st.st_mode & 07777;
    } else {
        const mode_t mask = ::umask(0);
        ::umask(mask);
        mode = 0666 & ~mask;
    }
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    std::string tmpl = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) {
        *error = sysError("cannot create a temporary file beside", path);
        return false;
    }
    auto failWith = [&](const std::string& what) {
        *error = sysError(what, path);
        ::close(fd);
        ::unlink(tmpl.c_str());
        return false;
    };
    int werr = 0;
    if (writeAll(fd, content, &werr) != content.size()) {
        errno = werr;
        return failWith("cannot write");
    }
    ::fchmod(fd, mode);
    if (fileOps().fsync(fd) != 0) return failWith("cannot sync");
    if (::close(fd) != 0) {
        *error = sysError("cannot close", path);
        ::unlink(tmpl.c_str());
        return false;
    }
    if (::rename(tmpl.c_str(), path.c_str()) != 0) {
        *error = sysError("cannot replace", path);
        ::unlink(tmpl.c_str());
        return false;
    }
    if (const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); d >= 0) {
        ::fsync(d);
        ::close(d);
    }
    return true;
}

}  // namespace faultline::io
