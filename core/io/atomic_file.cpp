#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace faultline::io {

namespace {
std::string sysError(const std::string& what, const std::string& path) { return what + " " + path + ": " + std::strerror(errno); }
}  // namespace

bool readFile(const std::string& path, std::string* out, std::string* error) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        *error = sysError("cannot open", path);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        *error = "cannot read " + path + ": it is a directory";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = sysError("cannot open", path);
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
        *error = sysError("cannot read", path);
        return false;
    }
    *out = ss.str();
    return true;
}

bool writeFileAtomically(const std::string& path, std::string_view content, std::string* error) {
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
    for (size_t done = 0; done < content.size();) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return failWith("cannot write");
        }
        done += size_t(n);
    }
    ::fchmod(fd, 0644);
    if (::fsync(fd) != 0) return failWith("cannot sync");
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
