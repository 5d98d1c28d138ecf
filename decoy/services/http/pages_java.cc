#include <string>

#include "decoy/services/http/http_pages.h"

namespace decnet::decoy::http {

std::string tomcatErrorPage(int status) {
  return fill(
      R"(<!doctype html><html lang="en"><head><title>HTTP Status {line}</title><style type="text/css">body {font-family:Tahoma,Arial,sans-serif;} h1, h2, h3, b {color:white;background-color:#525D76;} h1 {font-size:22px;} h2 {font-size:16px;} h3 {font-size:14px;} p {font-size:12px;} a {color:black;} .line {height:1px;background-color:#525D76;border:none;}</style></head><body><h1>HTTP Status {line}</h1><hr class="line" /><p><b>Type</b> Status Report</p><p><b>Description</b> {description}</p><hr class="line" /><h3>Apache Tomcat/9.0.58</h3></body></html>)",
      {{"line", std::to_string(status) + " &ndash; " + std::string(reasonPhrase(status))},
       {"description", status == 404
                           ? "The origin server did not find a current representation for "
                             "the target resource or is not willing to disclose that one "
                             "exists."
                       : status == 401 ? "The request has not been applied to the target "
                                         "resource because it lacks valid authentication "
                                         "credentials for that resource."
                                       : "The server cannot or will not process the request due "
                                         "to something that is perceived to be a client error."}});
}

std::string jettyErrorPage(int status, std::string_view path) {
  return fill(R"(<html>
<head>
<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>
<title>Error {status} {reason}</title>
</head>
<body><h2>HTTP ERROR {status} {reason}</h2>
<table>
<tr><th>URI:</th><td>{path}</td></tr>
<tr><th>STATUS:</th><td>{status}</td></tr>
<tr><th>MESSAGE:</th><td>{reason}</td></tr>
<tr><th>SERVLET:</th><td>Stapler</td></tr>
</table>
<hr><a href="https://eclipse.org/jetty">Powered by Jetty:// 10.0.18</a><hr/>

</body>
</html>
)",
              {{"status", std::to_string(status)},
               {"reason", std::string(reasonPhrase(status))},
               {"path", htmlEscape(path)}});
}

std::string tomcatHomePage() {
  return R"(<!DOCTYPE html>
<html lang="en">
    <head>
        <meta charset="UTF-8" />
        <title>Apache Tomcat/9.0.58</title>
        <link href="favicon.ico" rel="icon" type="image/x-icon" />
        <link href="tomcat.css" rel="stylesheet" type="text/css" />
    </head>

    <body>
        <div id="wrapper">
            <div id="navigation" class="curved container">
                <span id="nav-home"><a href="https://tomcat.apache.org/">Home</a></span>
                <span id="nav-hosts"><a href="/docs/">Documentation</a></span>
                <span id="nav-config"><a href="/docs/config/">Configuration</a></span>
                <span id="nav-examples"><a href="/examples/">Examples</a></span>
                <span id="nav-wiki"><a href="https://wiki.apache.org/tomcat/FrontPage">Wiki</a></span>
                <span id="nav-lists"><a href="https://tomcat.apache.org/lists.html">Mailing Lists</a></span>
                <span id="nav-help"><a href="https://tomcat.apache.org/findhelp.html">Find Help</a></span>
                <br class="separator" />
            </div>
            <div id="asf-box">
                <h1>Apache Tomcat/9.0.58</h1>
            </div>
            <div id="upper" class="curved container">
                <div id="congrats" class="curved container">
                    <h2>If you're seeing this, you've successfully installed Tomcat. Congratulations!</h2>
                </div>
                <div id="notice">
                    <img id="tomcat-logo" src="tomcat.svg" alt="[tomcat logo]" />
                    <div id="tasks">
                        <h3>Recommended Reading:</h3>
                        <h4><a href="/docs/security-howto.html">Security Considerations How-To</a></h4>
                        <h4><a href="/docs/manager-howto.html">Manager Application How-To</a></h4>
                        <h4><a href="/docs/cluster-howto.html">Clustering/Session Replication How-To</a></h4>
                    </div>
                </div>
                <div id="actions">
                    <div class="button">
                        <a class="container shadow" href="/manager/status"><span>Server Status</span></a>
                    </div>
                    <div class="button">
                        <a class="container shadow" href="/manager/html"><span>Manager App</span></a>
                    </div>
                    <div class="button">
                        <a class="container shadow" href="/host-manager/html"><span>Host Manager</span></a>
                    </div>
                </div>
                <br class="separator" />
            </div>
            <p class="copyright">Copyright &copy;1999-2022 Apache Software Foundation.  All Rights Reserved</p>
        </div>
    </body>

</html>
)";
}

std::string jenkinsForbiddenPage(std::string_view from) {
  return fill(
      R"(<html><head><meta http-equiv='refresh' content='1;url=/login?from={from}'/><script id='redirect' data-redirect-url='/login?from={from}' src='/static/a2f3c5d1/scripts/redirect.js'></script></head><body style='background-color:white; color:white;'>
Authentication required
<!--
-->
</body></html>
)",
      {{"from", htmlEscape(from)}});
}

std::string jenkinsLoginPage(bool failed) {
  return fill(
      R"(<!DOCTYPE html><html class=""><head resURL="/static/a2f3c5d1" data-rooturl="" data-resurl="/static/a2f3c5d1" data-imagesurl="/static/a2f3c5d1/images">
    <title>Sign in [Jenkins]</title><meta name="ROBOTS" content="NOFOLLOW"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/static/a2f3c5d1/jsbundles/simple-page.css" type="text/css"></head><body><div class="simple-page" role="main"><div class="modal login"><div id="loginIntroDefault"><div class="logo"></div><h1>Welcome to Jenkins!</h1></div><form method="post" name="login" action="j_spring_security_check">{error}<div class="jenkins-form-item jenkins-form-item--tight"><input autocorrect="off" autocomplete="off" name="j_username" id="j_username" placeholder="Username" type="text" class="jenkins-input normal" autocapitalize="off" aria-label="Username"></div><div class="jenkins-form-item jenkins-form-item--tight"><input name="j_password" placeholder="Password" type="password" class="jenkins-input normal" aria-label="Password"></div><div class="jenkins-checkbox"><input type="checkbox" id="remember_me" name="remember_me"><label for="remember_me">Keep me signed in</label></div><input name="from" type="hidden"><div class="submit"><button type="submit" name="Submit" class="jenkins-button jenkins-button--primary">Sign in</button></div></form><div class="footer"></div></div></div></body></html>)",
      {{"error", failed ? "<div class=\"app-sign-in-register__error\">Invalid username or "
                          "password</div>"
                        : ""}});
}
}  // namespace decnet::decoy::http
