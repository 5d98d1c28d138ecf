#pragma once
// write(2) until all of `data` is written: a regular file may take less than asked at once.
#include <unistd.h>

#include <cstddef>
#include <string_view>

namespace decnet::agents {

// Writes all of `data` to `fd`; false on an error or when the file takes no more (a full
// disk). What was written before the failure stays written: the caller cuts it back.
inline bool writeFully(int fd, std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace decnet::agents
