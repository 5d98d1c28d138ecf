#include <string>

#include "decoy/services/http/http_pages.h"

namespace decnet::decoy::http {

namespace {

// IIS's custom error documents (%SystemDrive%\inetpub\custerr): title, headline, explanation.
struct IisError {
  int status;
  const char* title;
  const char* detail;
};

constexpr IisError kIisErrors[] = {
    {401, "401 - Unauthorized: Access is denied due to invalid credentials.",
     "You do not have permission to view this directory or page using the credentials that you "
     "supplied."},
    {403, "403 - Forbidden: Access is denied.",
     "You do not have permission to view this directory or page using the credentials that you "
     "supplied."},
    {404, "404 - File or directory not found.",
     "The resource you are looking for might have been removed, had its name changed, or is "
     "temporarily unavailable."},
    {405, "405 - HTTP verb used to access this page is not allowed.",
     "The page you are looking for cannot be displayed because an invalid method (HTTP verb) was "
     "used to attempt access."},
    {413, "413 - Request Entity Too Large.",
     "The page was not displayed because the request entity is too large."},
    {500, "500 - Internal server error.",
     "There is a problem with the resource you are looking for, and it cannot be displayed."},
    {501, "501 - Header values specify a method that is not implemented.",
     "The page you are looking for cannot be displayed because a header value in the request does "
     "not match certain configuration settings on the Web server."},
};

}  // namespace

std::string iisErrorPage(int status) {
  for (const auto& error : kIisErrors) {
    if (error.status != status) continue;
    return fill(
        R"(<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>{title}</title>
<style type="text/css">
<!--
body{margin:0;font-size:.7em;font-family:Verdana, Arial, Helvetica, sans-serif;background:#EEEEEE;}
fieldset{padding:0 15px 10px 15px;}
h1{font-size:2.4em;margin:0;color:#FFF;}
h2{font-size:1.7em;margin:0;color:#CC0000;}
h3{font-size:1.2em;margin:10px 0 0 0;color:#000000;}
#header{width:96%;margin:0 0 0 0;padding:6px 2% 6px 2%;font-family:"trebuchet MS", Verdana, sans-serif;color:#FFF;background-color:#555555;}
#content{margin:0 0 0 2%;position:relative;}
.content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;position:relative;}
-->
</style>
</head>
<body>
<div id="header"><h1>Server Error</h1></div>
<div id="content">
 <div class="content-container"><fieldset>
  <h2>{title}</h2>
  <h3>{detail}</h3>
 </fieldset></div>
</div>
</body>
</html>
)",
        {{"title", error.title}, {"detail", error.detail}});
  }
  // What HTTP.sys itself answers before IIS sees the request (bad request lines, long URLs).
  std::string title = std::string(reasonPhrase(status));
  std::string detail = "The request could not be processed.";
  if (status == 400) {
    title = "Bad Request";
    detail = "The request is badly formed.";
  } else if (status == 414) {
    title = "Bad Request - Invalid URL";
    detail = "The request URL is invalid.";
    status = 400;
  } else if (status == 431) {
    title = "Bad Request - Request Too Long";
    detail = "The size of the request headers is too long.";
    status = 400;
  } else if (status == 505) {
    title = "Version Not Supported";
    detail = "The request has an invalid header name.";
  }
  return "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"\"http://www.w3.org/TR/html4/"
         "strict.dtd\">\r\n<HTML><HEAD><TITLE>" +
         title +
         "</TITLE>\r\n<META HTTP-EQUIV=\"Content-Type\" Content=\"text/html; "
         "charset=us-ascii\"></HEAD>\r\n<BODY><h2>" +
         title + "</h2>\r\n<hr><p>HTTP Error " + std::to_string(status) + ". " + detail +
         "</p>\r\n</BODY></HTML>\r\n";
}

std::string iisDefaultPage() {
  return R"(<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1" />
<title>IIS Windows Server</title>
<style type="text/css">
<!--
body {
	color:#000000;
	background-color:#0072C6;
	margin:0;
}

#container {
	margin-left:auto;
	margin-right:auto;
	text-align:center;
	}

a img {
	border:none;
}

-->
</style>
</head>
<body>
<div id="container">
<a href="http://go.microsoft.com/fwlink/?linkid=66138&amp;clcid=0x409"><img src="iisstart.png" alt="IIS" width="960" height="600" /></a>
</div>
</body>
</html>)";
}

}  // namespace decnet::decoy::http
