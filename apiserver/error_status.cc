#include "apiserver/error_status.h"

namespace decnet::apiserver {

int httpStatusFor(Errc code) {
  switch (code) {
    case Errc::kNotFound:
      return 404;
    case Errc::kAlreadyExists:
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
    case Errc::kTooLarge:
      return 413;
    case Errc::kUnsupportedMediaType:
      return 415;
    case Errc::kMethodNotAllowed:
      return 405;
    case Errc::kTooManyRequests:
      return 429;
    case Errc::kUnauthorized:
      return 401;
    case Errc::kForbidden:
      return 403;
    case Errc::kInternal:
      return 500;
  }
  return 500;
}

api::Json statusBody(const Error& error, const std::string& kind, const std::string& name) {
  api::Json body = {{"kind", "Status"},
                    {"apiVersion", "v1"},
                    {"metadata", api::Json::object()},
                    {"status", "Failure"},
                    {"message", error.message},
                    {"reason", errcName(error.code)},
                    {"code", httpStatusFor(error.code)}};
  api::Json details = api::Json::object();
  if (!name.empty()) details["name"] = name;
  if (!kind.empty()) details["kind"] = kind;
  if (!error.fields.empty()) {
    api::Json causes = api::Json::array();
    for (const auto& field : error.fields) {
      // kube-apiserver's spellings: a field another manager owns (server-side apply), or a value
      // that breaks the schema or a rule.
      causes.push_back({{"field", field.path},
                        {"message", field.detail},
                        {"reason", error.code == Errc::kConflict ? "FieldManagerConflict"
                                                                 : "FieldValueInvalid"}});
    }
    details["causes"] = causes;
  }
  if (!details.empty()) body["details"] = details;
  return body;
}

HttpResponse errorResponse(const Error& error, const std::string& kind, const std::string& name) {
  return jsonResponse(statusBody(error, kind, name), httpStatusFor(error.code));
}

HttpResponse jsonResponse(const api::Json& body, int status) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump();
  return response;
}

}  // namespace decnet::apiserver
