#pragma once
// The one place that maps error codes to HTTP statuses and Kubernetes Status bodies, both ways.
#include <string>

#include "api/types/object.h"
#include "api/types/result.h"

namespace decnet::api {

// NotFound 404, AlreadyExists/Conflict 409, Invalid 422, Gone 410, Unavailable 503,
// Terminal 400, Internal 500.
int httpStatusFor(Errc code);

// {"kind":"Status","apiVersion":"v1","status":"Failure","message":...,"reason":...,
//  "details":{"name":...,"kind":...,"causes":[{"field":...,"message":...,"reason":...}]},
//  "code":...}
Json statusBody(const Error& error, const std::string& kind = "", const std::string& name = "");

// Reads a Status body (or any body) returned with HTTP status `http` back into an Error.
Error errorFromStatus(int http, const Json& body, const std::string& fallbackMessage);

}  // namespace decnet::api
