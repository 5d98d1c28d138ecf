#include "api/codec/status_codec.h"

namespace decnet::api {

int httpStatusFor(Errc code) {
  switch (code) {
    case Errc::kNotFound:
      return 404;
    case Errc::kAlreadyExists:
      return 409;
    case Errc::kConflict:
      return 409;
    case Errc::kInvalid:
      return 422;
    case Errc::kGone:
      return 410;
    case Errc::kUnavailable:
      return 503;
    case Errc::kTerminal:
      return 400;
    case Errc::kInternal:
      return 500;
  }
  return 500;
}

Json statusBody(const Error& error, const std::string& kind, const std::string& name) {
  Json body = {{"kind", "Status"},
               {"apiVersion", "v1"},
               {"metadata", Json::object()},
               {"status", "Failure"},
               {"message", error.message},
               {"reason", errcName(error.code)},
               {"code", httpStatusFor(error.code)}};
  Json details = Json::object();
  if (!name.empty()) details["name"] = name;
  if (!kind.empty()) details["kind"] = kind;
  if (!error.fields.empty()) {
    Json causes = Json::array();
    for (const auto& field : error.fields) {
      causes.push_back(
          {{"field", field.path}, {"message", field.detail}, {"reason", "FieldValueInvalid"}});
    }
    details["causes"] = causes;
  }
  if (!details.empty()) body["details"] = details;
  return body;
}

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
    if (auto d = body.find("details"); d != body.end() && d->is_object()) {
      for (const auto& cause : d->value("causes", Json::array())) {
        error.fields.push_back({cause.value("field", ""), cause.value("message", "")});
      }
    }
  }
  return error;
}

}  // namespace decnet::api
