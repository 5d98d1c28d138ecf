// The fake applications behind the site: WordPress, phpMyAdmin, Tomcat and Jenkins. Their logins
// never succeed; every attempt is reported by the caller from the credentials left here.
#include <nlohmann/json.hpp>

#include "decoy/services/http/http_site.h"

namespace decnet::decoy::http {

Response Handler::wordpress(const std::optional<Credential>& form,
                            std::vector<Credential>& credentials) {
  const std::string& path = request_.path;
  const std::string site = siteUrl();
  const std::string blog = config_->hostname;
  const auto php = [&](std::string body, int status = 200) {
    Response response = page(std::move(body), "text/html; charset=UTF-8", false, status);
    response.headers.emplace_back("Link", "<" + site + "/wp-json/>; rel=\"https://api.w.org/\"");
    return response;
  };
  if (oneOf(path, {"/", "/index.php"})) {
    Response response = php(http::wordpressHomePage(site, blog), config_->responseCode);
    if (config_->body) response.body = *config_->body;
    return response;
  }
  if (path == "/wp-login.php") {
    std::string error;
    std::string user;
    if (request_.method == "POST") {
      user = form ? form->principal : "";
      if (user.empty()) {
        error = "<strong>Error:</strong> The username field is empty.";
      } else {
        error = "<strong>Error:</strong> The password you entered for the username <strong>" +
                http::htmlEscape(user) + "</strong> is incorrect. <a href=\"" + site +
                "/wp-login.php?action=lostpassword\">Lost your password?</a>";
      }
    }
    Response response =
        page(http::wordpressLoginPage(site, blog, error, user), "text/html; charset=UTF-8", false);
    response.headers.emplace_back("Expires", "Wed, 11 Jan 1984 05:00:00 GMT");
    response.headers.emplace_back("Cache-Control",
                                  "no-cache, must-revalidate, max-age=0, no-store, private");
    response.headers.emplace_back("Set-Cookie",
                                  "wordpress_test_cookie=WP%20Cookie%20check; path=/; HttpOnly");
    response.headers.emplace_back("X-Frame-Options", "SAMEORIGIN");
    return response;
  }
  if (path == "/wp-admin" || path.rfind("/wp-admin/", 0) == 0) {
    Response response = php("", 302);
    response.headers.emplace_back(
        "Location", site + "/wp-login.php?redirect_to=" + urlEncode(site + path) + "&reauth=1");
    return response;
  }
  if (path == "/xmlrpc.php") {
    if (request_.method != "POST") {
      return page("XML-RPC server accepts POST requests only.", "text/plain;charset=UTF-8", false,
                  405);
    }
    std::string methodName;
    const auto strings = xmlRpcStrings(request_.body, methodName);
    Response response;
    if (methodName == "system.listMethods") {
      std::string list;
      for (const char* name :
           {"system.multicall", "system.listMethods", "system.getCapabilities", "wp.getUsersBlogs",
            "wp.getPosts", "wp.getUsers", "metaWeblog.getRecentPosts", "pingback.ping"}) {
        list += std::string("  <value><string>") + name + "</string></value>\n";
      }
      response = page(
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodResponse>\n  <params>"
          "\n    <param>\n      <value>\n      <array><data>\n" +
              list +
              "</data></array>\n      </value>\n    </param>\n  </params>\n"
              "</methodResponse>\n",
          "text/xml; charset=UTF-8", false);
    } else {
      // wp.getUsersBlogs(user, pass); most other wp./metaWeblog. calls (blog, user, pass).
      const std::size_t userAt = methodName == "wp.getUsersBlogs" ? 0 : 1;
      if (strings.size() >= userAt + 2 &&
          (methodName.rfind("wp.", 0) == 0 || methodName.rfind("metaWeblog.", 0) == 0 ||
           methodName.rfind("blogger.", 0) == 0)) {
        credentials.push_back(Credential{
            "xmlrpc", strings[userAt], strings[userAt + 1], {{"rpc_method", methodName}}});
        response = page(http::wordpressXmlRpcFault(403, "Incorrect username or password."),
                        "text/xml; charset=UTF-8", false);
      } else {
        response = page(http::wordpressXmlRpcFault(-32700, "parse error. not well formed"),
                        "text/xml; charset=UTF-8", false);
      }
    }
    return response;
  }
  if (path == "/robots.txt") {
    return page(
        "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
        "Sitemap: " +
            site + "/wp-sitemap.xml\n",
        "text/plain; charset=utf-8", false);
  }
  if (path == "/wp-json" || path == "/wp-json/") {
    nlohmann::json info = {{"name", blog},
                           {"description", ""},
                           {"url", site},
                           {"home", site},
                           {"gmt_offset", "0"},
                           {"timezone_string", ""},
                           {"namespaces", {"oembed/1.0", "wp/v2", "wp-site-health/v1"}}};
    return page(info.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                "application/json; charset=UTF-8", false);
  }
  return errorResponse(404);
}

Response Handler::phpmyadmin(const std::optional<Credential>& form) {
  const std::string& path = request_.path;
  if (path == "/phpmyadmin" || path == "/pma") {
    const std::string location = siteUrl() + path + "/";
    Response response = page(
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>301 Moved "
        "Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n<p>The document has "
        "moved <a href=\"" +
            http::htmlEscape(location) + "\">here</a>.</p>\n</body></html>\n",
        "text/html; charset=iso-8859-1", false, 301);
    response.headers.emplace_back("Location", location);
    return response;
  }
  if (!oneOf(path, {"/", "/index.php", "/phpmyadmin/", "/phpmyadmin/index.php", "/pma/",
                    "/pma/index.php"})) {
    return errorResponse(404);
  }
  std::string error;
  std::string user;
  if (request_.method == "POST" && form) {
    user = form->principal;
    error = "mysqli::real_connect(): (HY000/1045): Access denied for user '" +
            http::htmlEscape(user) +
            "'@'localhost' (using password: " + (form->secret.empty() ? "NO" : "YES") +
            ")</div><div class=\"alert alert-danger\" role=\"alert\"><img src=\"themes/dot.gif\" "
            "title=\"\" alt=\"\" class=\"icon ic_s_error\"> Cannot log in to the MySQL server";
  }
  Response response =
      page(http::phpmyadminLoginPage(error, user, state_->token(32, "0123456789abcdef")),
           "text/html; charset=utf-8", false, error.empty() ? config_->responseCode : 200);
  if (config_->body && error.empty() && request_.method != "POST") response.body = *config_->body;
  response.headers.emplace_back(
      "Set-Cookie", "phpMyAdmin=" + state_->token(26, "abcdefghijklmnopqrstuvwxyz0123456789") +
                        "; path=/; HttpOnly; SameSite=Strict");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Cache-Control",
                                "no-store, no-cache, must-revalidate,  pre-check=0, post-check=0, "
                                "max-age=0");
  return response;
}

Response Handler::tomcat() {
  const std::string& path = request_.path;
  if (oneOf(path, {"/", "/index.jsp"})) {
    Response response = page(config_->body.value_or(http::tomcatHomePage()),
                             "text/html;charset=UTF-8", false, config_->responseCode);
    return response;
  }
  if (path == "/manager" || path == "/host-manager") {
    Response response = page("", "text/html;charset=UTF-8", false, 302);
    response.headers.emplace_back("Location", path + "/html");
    return response;
  }
  if (path.rfind("/manager/", 0) == 0 || path.rfind("/host-manager/", 0) == 0) {
    Response response = errorResponse(401);
    response.headers.emplace_back("WWW-Authenticate",
                                  path.rfind("/host-manager/", 0) == 0
                                      ? "Basic realm=\"Tomcat Host Manager Application\""
                                      : "Basic realm=\"Tomcat Manager Application\"");
    return response;
  }
  return errorResponse(404);
}

Response Handler::jenkins() {
  const std::string& path = request_.path;
  const auto withHeaders = [&](Response response) {
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("X-Hudson", "1.395");
    response.headers.emplace_back("X-Jenkins", "2.426.1");
    response.headers.emplace_back("X-Jenkins-Session", config_->jenkinsSession);
    response.headers.emplace_back("Set-Cookie",
                                  "JSESSIONID." + config_->jenkinsSession + "=node0" +
                                      state_->token(26, "abcdefghijklmnopqrstuvwxyz0123456789") +
                                      ".node0; Path=/; HttpOnly");
    return response;
  };
  if (path == "/login") {
    return withHeaders(page(config_->body.value_or(http::jenkinsLoginPage(false)),
                            "text/html;charset=utf-8", false, config_->responseCode));
  }
  if (path == "/loginError") {
    return withHeaders(page(http::jenkinsLoginPage(true), "text/html;charset=utf-8", false, 401));
  }
  if (path == "/j_spring_security_check" || path == "/j_acegi_security_check") {
    Response response = page("", "text/html;charset=utf-8", false, 302);
    response.headers.emplace_back("Location", siteUrl() + "/loginError");
    return withHeaders(std::move(response));
  }
  if (path == "/robots.txt") {
    return page("# we don't want robots to click \"build\" links\nUser-agent: *\nDisallow: /\n",
                "text/plain", true);
  }
  // Everything else needs a login; Jenkins answers 403 with a redirect to the form.
  Response response =
      page(http::jenkinsForbiddenPage(urlEncode(path)), "text/html;charset=utf-8", false, 403);
  return withHeaders(std::move(response));
}

}  // namespace decnet::decoy::http
