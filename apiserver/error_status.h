#pragma once
// The one place that turns errors into HTTP statuses and kube-apiserver Status bodies.
#include <string>

#include "api/types/object.h"
#include "api/types/result.h"
#include "apiserver/http_exchange.h"

namespace decnet::apiserver {

// kube-apiserver's status for each code: NotFound 404, AlreadyExists/Conflict 409, Invalid
// 422, Gone 410, TooLarge 413, UnsupportedMediaType 415, MethodNotAllowed 405, Unavailable
// 503, Terminal (bad request) 400, Internal 500.
int httpStatusFor(Errc code);

// {"kind":"Status","apiVersion":"v1","status":"Failure","message":...,"reason":...,
//  "details":{"name":...,"kind":...,"causes":[{"field":...,"message":...,"reason":...}]},
//  "code":...}
api::Json statusBody(const Error& error, const std::string& kind = "",
                     const std::string& name = "");

// The error as a response: its status and Status body.
HttpResponse errorResponse(const Error& error, const std::string& kind = "",
                           const std::string& name = "");

// A 200 (or `status`) JSON response.
HttpResponse jsonResponse(const api::Json& body, int status = 200);

}  // namespace decnet::apiserver
