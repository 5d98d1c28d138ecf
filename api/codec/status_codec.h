#pragma once
// Reads kube-apiserver Status bodies back into errors (the client side; the server side is
// apiserver/error_status.h).
#include <string>

#include "api/types/object.h"
#include "api/types/result.h"

namespace decnet::api {

// Reads a Status body (or any body) returned with HTTP status `http` back into an Error.
Error errorFromStatus(int http, const Json& body, const std::string& fallbackMessage);

}  // namespace decnet::api
