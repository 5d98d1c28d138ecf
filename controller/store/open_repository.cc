// Picks the Repository driver from a DSN (DECNET_DB_URL).
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "controller/store/repository.h"
#include "controller/store/sqlite_repository.h"

namespace decnet::store {
namespace {

constexpr const char* kAcceptedSchemes =
    "use sqlite::memory:, sqlite:///absolute/path.db, sqlite://relative/path.db, a plain path "
    "ending in .db, or mysql://user:password@host:port/database";

Result<RepositoryPtr> openSqliteFile(const std::string& path) {
  if (path.empty()) {
    return fail(Errc::kInvalid, std::string(kAcceptedSchemes).insert(0, "empty database path; "));
  }
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return fail(Errc::kUnavailable,
                  "cannot create directory " + parent.string() + ": " + error.message());
    }
  }
  return makeSqliteRepository(path);
}

}  // namespace

Result<RepositoryPtr> openRepository(std::string_view dsn) {
  if (dsn == "sqlite::memory:" || dsn == "sqlite://:memory:")
    return makeSqliteRepository(":memory:");
  // "sqlite:///abs" keeps its leading slash; "sqlite://rel" is relative to the working dir.
  if (dsn.starts_with("sqlite://")) return openSqliteFile(std::string(dsn.substr(9)));
  if (dsn.starts_with("mysql://")) return fail(Errc::kInvalid, "the MySQL driver is not built yet");
  if (dsn.find("://") == std::string_view::npos && dsn.ends_with(".db")) {
    return openSqliteFile(std::string(dsn));
  }
  return fail(Errc::kInvalid,
              "unsupported database URL \"" + std::string(dsn) + "\": " + kAcceptedSchemes);
}

}  // namespace decnet::store
