#pragma once
// The SQLite Repository driver (the default store). SQLiteCpp stays inside the .cc file.
#include <string>

#include "api/types/result.h"
#include "controller/store/repository.h"

namespace decnet::store {

// Opens (creating and migrating if needed) the database at `path`; ":memory:" for a private
// in-memory store. kUnavailable when the file cannot be opened or is locked.
[[nodiscard]] Result<RepositoryPtr> makeSqliteRepository(const std::string& path);

}  // namespace decnet::store
