#pragma once
// meta.k8s.io/v1 Tables, as kube-apiserver serves them to kubectl (`Accept:
// application/json;as=Table;g=meta.k8s.io;v=v1`): a Name column and the CRD's
// additionalPrinterColumns (priority 1 only shown by kubectl -o wide).
#include <string>
#include <vector>

#include "api/types/kinds.h"
#include "api/types/object.h"
#include "apiserver/http_exchange.h"

namespace decnet::apiserver {

// True when the request's Accept header asks for a meta.k8s.io Table first.
bool wantsTable(const HttpRequest& request);

// The Table of `objects`. `includeObject` is the query parameter (None, Metadata (default),
// Object); `withColumns` false leaves out columnDefinitions (watch events after the first).
api::Json tableFor(const api::KindInfo& kind, const std::vector<api::Object>& objects,
                   const std::string& resourceVersion, const std::string& includeObject,
                   bool withColumns = true);

}  // namespace decnet::apiserver
