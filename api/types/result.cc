#include "api/types/result.h"

namespace decnet {

const char* errcName(Errc code) {
  switch (code) {
    case Errc::kNotFound:
      return "NotFound";
    case Errc::kAlreadyExists:
      return "AlreadyExists";
    case Errc::kConflict:
      return "Conflict";
    case Errc::kInvalid:
      return "Invalid";
    case Errc::kGone:
      return "Expired";
    case Errc::kUnavailable:
      return "ServiceUnavailable";
    case Errc::kTerminal:
      return "BadRequest";
    case Errc::kInternal:
      return "InternalError";
    case Errc::kTooLarge:
      return "RequestEntityTooLarge";
    case Errc::kUnsupportedMediaType:
      return "UnsupportedMediaType";
    case Errc::kMethodNotAllowed:
      return "MethodNotAllowed";
    case Errc::kTooManyRequests:
      return "TooManyRequests";
    case Errc::kUnauthorized:
      return "Unauthorized";
    case Errc::kForbidden:
      return "Forbidden";
  }
  return "InternalError";
}

std::string describe(const Error& error) {
  std::string text = error.message;
  for (const auto& field : error.fields) {
    text += "\n  " + field.path + ": " + field.detail;
  }
  return text;
}

}  // namespace decnet
