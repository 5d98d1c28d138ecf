#include "api/client/client.h"

namespace decnet::api {

const char* watchEventTypeName(WatchEvent::Type type) {
  switch (type) {
    case WatchEvent::Type::kAdded:
      return "ADDED";
    case WatchEvent::Type::kModified:
      return "MODIFIED";
    case WatchEvent::Type::kDeleted:
      return "DELETED";
    case WatchEvent::Type::kBookmark:
      return "BOOKMARK";
  }
  return "ERROR";
}

Result<SharedObjects> Client::listShared(const std::string& kind, const ListOptions& options) {
  auto listed = list(kind, options);
  if (!listed) return tl::unexpected(listed.error());
  SharedObjects out;
  out.reserve(listed->items.size());
  for (auto& object : listed->items)
    out.push_back(std::make_shared<const Object>(std::move(object)));
  return out;
}

}  // namespace decnet::api
