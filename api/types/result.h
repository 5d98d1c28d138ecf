#pragma once
// Errors as values across module boundaries. Exceptions stay inside the adapter that throws.
#include <string>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

namespace decnet {

// Codes that drive behaviour; apiserver/error_status.cc maps them to HTTP statuses.
enum class Errc {
  kNotFound,
  kAlreadyExists,
  kConflict,
  kInvalid,
  kGone,  // a watch asked for a compacted revision
  kUnavailable,
  kTerminal,  // a request that can never succeed as sent (HTTP 400 BadRequest)
  kInternal,
  kTooLarge,              // a request body over the limit
  kUnsupportedMediaType,  // a body in a content type the route does not take
  kMethodNotAllowed,
  kTooManyRequests,  // a client over its share (open watches); retry later
  kUnauthorized,     // no identity, or one that does not check out (HTTP 401)
  kForbidden,        // an identity not allowed to do this (HTTP 403)
};

struct FieldError {
  std::string path;    // "spec.services[2].ports[0]"
  std::string detail;  // "must be 1..65535"
};

struct Error {
  Errc code = Errc::kInternal;
  std::string message;
  std::vector<FieldError> fields;  // only for Errc::kInvalid
};

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(Errc code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message), {}});
}

inline tl::unexpected<Error> failInvalid(std::string message, std::vector<FieldError> fields) {
  return tl::unexpected<Error>(Error{Errc::kInvalid, std::move(message), std::move(fields)});
}

// "NotFound", "Conflict", ... (the Kubernetes Status reason spelling).
const char* errcName(Errc code);

// "message" plus one "  path: detail" line per field error.
std::string describe(const Error& error);

}  // namespace decnet
