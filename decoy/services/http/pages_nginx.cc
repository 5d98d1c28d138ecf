#include <string>

#include "decoy/services/http/http_pages.h"

namespace decnet::decoy::http {

std::string nginxErrorPage(int status, std::string_view server) {
  const std::string line = statusLine(status);
  return "<html>\r\n<head><title>" + line + "</title></head>\r\n<body>\r\n<center><h1>" + line +
         "</h1></center>\r\n<hr><center>" + htmlEscape(server) +
         "</center>\r\n</body>\r\n</html>\r\n";
}

std::string nginxDefaultPage() {
  return R"(<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
    body {
        width: 35em;
        margin: 0 auto;
        font-family: Tahoma, Verdana, Arial, sans-serif;
    }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
)";
}
}  // namespace decnet::decoy::http
