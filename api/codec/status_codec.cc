#include "api/codec/status_codec.h"

namespace decnet::api {

Error errorFromStatus(int http, const Json& body, const std::string& fallbackMessage) {
  Error error;
  switch (http) {
    case 404:
      error.code = Errc::kNotFound;
      break;
    case 409:
      error.code = Errc::kConflict;
      break;
    case 410:
      error.code = Errc::kGone;
      break;
    case 400:
      error.code = Errc::kTerminal;
      break;
    case 422:
      error.code = Errc::kInvalid;
      break;
    case 405:
      error.code = Errc::kMethodNotAllowed;
      break;
    case 413:
      error.code = Errc::kTooLarge;
      break;
    case 415:
      error.code = Errc::kUnsupportedMediaType;
      break;
    case 429:
      error.code = Errc::kTooManyRequests;
      break;
    case 401:
      error.code = Errc::kUnauthorized;
      break;
    case 403:
      error.code = Errc::kForbidden;
      break;
    case 502:
    case 503:
    case 504:
      error.code = Errc::kUnavailable;
      break;
    default:
      error.code = Errc::kInternal;
  }
  error.message = fallbackMessage;
  if (body.is_object()) {
    if (body.value("reason", "") == "AlreadyExists") error.code = Errc::kAlreadyExists;
    if (auto m = body.find("message"); m != body.end() && m->is_string()) error.message = *m;
    // As kubectl words refusals: the reason and code first, then the server's why.
    if (error.code == Errc::kUnauthorized || error.code == Errc::kForbidden) {
      error.message =
          std::string(errcName(error.code)) + " (" + std::to_string(http) + "): " + error.message;
    }
    if (auto d = body.find("details"); d != body.end() && d->is_object()) {
      for (const auto& cause : d->value("causes", Json::array())) {
        error.fields.push_back({cause.value("field", ""), cause.value("message", "")});
      }
    }
  }
  return error;
}

}  // namespace decnet::api
