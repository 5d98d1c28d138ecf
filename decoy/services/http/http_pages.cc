#include "decoy/services/http/http_pages.h"

#include <string>

namespace decnet::decoy::http {
namespace {

// Replaces each "{name}" in `page` by its value; pages stay readable as whole documents.
std::string fill(std::string page,
                 std::initializer_list<std::pair<std::string_view, std::string>> values) {
  for (const auto& [name, value] : values) {
    const std::string token = "{" + std::string(name) + "}";
    for (std::size_t at = page.find(token); at != std::string::npos;
         at = page.find(token, at + value.size())) {
      page.replace(at, token.size(), value);
    }
  }
  return page;
}

std::string statusLine(int status) {
  return std::to_string(status) + " " + std::string(reasonPhrase(status));
}

// Apache's wording for the common statuses (from its built-in error documents).
std::string apacheExplanation(int status, std::string_view path) {
  switch (status) {
    case 400:
      return "<p>Your browser sent a request that this server could not understand.<br />\n</p>";
    case 401:
      return "<p>This server could not verify that you\nare authorized to access the document\n"
             "requested.  Either you supplied the wrong\ncredentials (e.g., bad password), or "
             "your\nbrowser doesn't understand how to supply\nthe credentials required.</p>";
    case 403:
      return "<p>You don't have permission to access this resource.</p>";
    case 404:
      return "<p>The requested URL was not found on this server.</p>";
    case 405:
      return "<p>The requested method is not allowed for this URL.</p>";
    case 413:
      return "<p>The requested resource does not allow request data with the given request, "
             "or the amount of data provided in\nthe request exceeds the capacity limit.</p>";
    case 414:
      return "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n"
             "</p>";
    case 431:
      return "<p>Your browser sent a request that this server could not understand.<br />\n"
             "Size of a request header field exceeds server limit.<br />\n</p>";
    case 501:
      return "<p>" + htmlEscape(path) + " not supported for current URL.<br />\n</p>";
    default:
      return "<p>The server encountered an internal error or\nmisconfiguration and was unable "
             "to complete\nyour request.</p>";
  }
}

}  // namespace

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Long";
    case 418:
      return "I'm a teapot";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#039;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string errorPage(Flavor flavor, int status, std::string_view server, std::string_view host,
                      int port, std::string_view path) {
  const std::string line = statusLine(status);
  switch (flavor) {
    case Flavor::kNginx:
      return "<html>\r\n<head><title>" + line + "</title></head>\r\n<body>\r\n<center><h1>" + line +
             "</h1></center>\r\n<hr><center>" + htmlEscape(server) +
             "</center>\r\n</body>\r\n</html>\r\n";
    case Flavor::kIis:
      if (status == 404) {
        return fill(
            R"(<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>404 - File or directory not found.</title>
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
  <h2>404 - File or directory not found.</h2>
  <h3>The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.</h3>
 </fieldset></div>
</div>
</body>
</html>
)",
            {});
      }
      return "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"\"http://www.w3.org/TR/html4/"
             "strict.dtd\">\r\n<HTML><HEAD><TITLE>" +
             std::string(reasonPhrase(status)) +
             "</TITLE>\r\n<META HTTP-EQUIV=\"Content-Type\" Content=\"text/html; "
             "charset=us-ascii\"></HEAD>\r\n<BODY><h2>" +
             std::string(reasonPhrase(status)) + "</h2>\r\n<hr><p>HTTP Error " +
             std::to_string(status) +
             ". The request could not be processed.</p>\r\n</BODY></"
             "HTML>\r\n";
    case Flavor::kTomcat:
      return fill(
          R"(<!doctype html><html lang="en"><head><title>HTTP Status {line}</title><style type="text/css">body {font-family:Tahoma,Arial,sans-serif;} h1, h2, h3, b {color:white;background-color:#525D76;} h1 {font-size:22px;} h2 {font-size:16px;} h3 {font-size:14px;} p {font-size:12px;} a {color:black;} .line {height:1px;background-color:#525D76;border:none;}</style></head><body><h1>HTTP Status {line}</h1><hr class="line" /><p><b>Type</b> Status Report</p><p><b>Description</b> {description}</p><hr class="line" /><h3>Apache Tomcat/9.0.58</h3></body></html>)",
          {{"line", std::to_string(status) + " &ndash; " + std::string(reasonPhrase(status))},
           {"description",
            status == 404   ? "The origin server did not find a current representation for "
                              "the target resource or is not willing to disclose that one "
                              "exists."
            : status == 401 ? "The request has not been applied to the target "
                              "resource because it lacks valid authentication "
                              "credentials for that resource."
                            : "The server cannot or will not process the request due "
                              "to something that is perceived to be a client error."}});
    case Flavor::kJetty:
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
    case Flavor::kApache:
      break;
  }
  std::string address;
  if (!server.empty()) {
    address = "<hr>\n<address>" + htmlEscape(server) + " Server at " + htmlEscape(host) + " Port " +
              std::to_string(port) + "</address>\n";
  }
  return "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>" + line +
         "</title>\n</head><body>\n<h1>" + std::string(reasonPhrase(status)) + "</h1>\n" +
         apacheExplanation(status, path) + "\n" + address + "</body></html>\n";
}

std::string itWorksPage() { return "<html><body><h1>It works!</h1></body></html>\n"; }

std::string apacheDefaultPage(bool ubuntu) {
  const std::string distro = ubuntu ? "Ubuntu" : "Debian";
  return fill(
      R"(<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
  <head>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
    <title>Apache2 {distro} Default Page: It works</title>
    <style type="text/css" media="screen">
  * { margin: 0px 0px 0px 0px; padding: 0px 0px 0px 0px; }
  body, html { padding: 3px 3px 3px 3px; background-color: #D8DBE2; font-family: Verdana, sans-serif; font-size: 11pt; text-align: center; }
  div.main_page { position: relative; display: table; width: 800px; margin-bottom: 3px; margin-left: auto; margin-right: auto; padding: 0px 0px 0px 0px; border-width: 2px; border-color: #212738; border-style: solid; background-color: #FFFFFF; text-align: center; }
  div.page_header { height: 99px; width: 100%; background-color: #F5F6F7; }
  div.page_header span { margin: 15px 0px 0px 50px; font-size: 180%; font-weight: bold; }
  div.banner { padding: 9px 6px 9px 6px; background-color: #70A1D0; color: #FFFFFF; font-weight: bold; font-size: 112%; text-align: center; position: absolute; left: 40%; bottom: 30px; width: 20%; }
  div.table_of_contents { clear: left; min-width: 200px; width: 20%; border-style: solid; border-color: #000000; border-width: 1px; margin: 0px 0px 15px 15px; text-align: left; padding: 5px; }
  div.content_section_text { padding: 4px 8px 4px 8px; color: #000000; font-size: 100%; }
  div.section_header { padding: 3px 6px 3px 6px; background-color: #8E9CB2; color: #FFFFFF; font-weight: bold; font-size: 112%; text-align: center; }
  div.section_header_red { background-color: #CD214F; }
  pre { border: 1px solid #212738; background-color: #F0F0F0; font-family: monospace; font-size: 90%; padding: 5px; text-align: left; }
    </style>
  </head>
  <body>
    <div class="main_page">
      <div class="page_header floating_element">
        <span class="floating_element">
          Apache2 {distro} Default Page
        </span>
      </div>
      <div class="table_of_contents floating_element">
        <div class="section_header section_header_grey">
          TABLE OF CONTENTS
        </div>
        <div class="table_of_contents_item floating_element">
          <a href="#about">About</a>
        </div>
        <div class="table_of_contents_item floating_element">
          <a href="#changes">Changes on {distro} Systems</a>
        </div>
        <div class="table_of_contents_item floating_element">
          <a href="#scope">Scope</a>
        </div>
        <div class="table_of_contents_item floating_element">
          <a href="#files">Config files</a>
        </div>
      </div>
      <div class="content_section floating_element">
        <div class="section_header section_header_red">
          <div id="about"></div>
          It works!
        </div>
        <div class="content_section_text">
          <p>
                This is the default welcome page used to test the correct
                operation of the Apache2 server after installation on {distro} systems.
                If you can read this page, it means that the Apache HTTP server installed at
                this site is working properly. You should <b>replace this file</b> (located at
                <tt>/var/www/html/index.html</tt>) before continuing to operate your HTTP server.
          </p>
          <p>
                If you are a normal user of this web site and don't know what this page is
                about, this probably means that the site is currently unavailable due to
                maintenance.
          </p>
        </div>
        <div class="section_header">
          <div id="changes"></div>
                Configuration Overview
        </div>
        <div class="content_section_text">
          <p>
                {distro}'s Apache2 default configuration is different from the
                upstream default configuration, and split into several files optimized for
                interaction with {distro} tools. The configuration system is
                <b>fully documented in
                /usr/share/doc/apache2/README.Debian.gz</b>. Refer to this for the full
                documentation.
          </p>
          <p>
                The configuration layout for an Apache2 web server installation on {distro} systems is as follows:
          </p>
          <pre>
/etc/apache2/
|-- apache2.conf
|       `--  ports.conf
|-- mods-enabled
|       |-- *.load
|       `-- *.conf
|-- conf-enabled
|       `-- *.conf
|-- sites-enabled
|       `-- *.conf
          </pre>
        </div>
        <div class="section_header">
            <div id="docroot"></div>
                Document Roots
        </div>
        <div class="content_section_text">
            <p>
                By default, {distro} does not allow access through the web browser to
                <em>any</em> file outside of those located in <tt>/var/www</tt>,
                <a href="http://httpd.apache.org/docs/2.4/mod/mod_userdir.html" rel="nofollow">public_html</a>
                directories (when enabled) and <tt>/usr/share</tt> (for web
                applications).
            </p>
        </div>
        <div class="section_header">
          <div id="bugs"></div>
                Reporting Problems
        </div>
        <div class="content_section_text">
          <p>
                Please use the <tt>reportbug</tt> tool to report bugs in the
                Apache2 package with {distro}.
          </p>
        </div>
      </div>
    </div>
    <div class="validator">
    </div>
  </body>
</html>
)",
      {{"distro", distro}});
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

std::string wordpressHomePage(std::string_view siteUrl, std::string_view blogName) {
  return fill(R"(<!DOCTYPE html>
<html lang="en-US">
<head>
	<meta charset="UTF-8" />
	<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name='robots' content='max-image-preview:large' />
<title>{name}</title>
<link rel="alternate" type="application/rss+xml" title="{name} &raquo; Feed" href="{site}/feed/" />
<link rel='stylesheet' id='wp-block-library-css' href='{site}/wp-includes/css/dist/block-library/style.min.css?ver=6.4.3' media='all' />
<link rel="https://api.w.org/" href="{site}/wp-json/" />
<link rel="EditURI" type="application/rsd+xml" title="RSD" href="{site}/xmlrpc.php?rsd" />
<meta name="generator" content="WordPress 6.4.3" />
</head>

<body class="home blog wp-embed-responsive">
<div class="wp-site-blocks"><header class="wp-block-template-part">
<div class="wp-block-group alignwide">
<p class="wp-block-site-title"><a href="{site}" target="_self" rel="home">{name}</a></p>
</div>
</header>

<main class="wp-block-group">
<h1 class="wp-block-heading has-text-align-center">Mindblown: a blog about philosophy.</h1>
<ul class="wp-block-post-template">
<li class="wp-block-post post-1 post type-post status-publish format-standard hentry category-uncategorized">
<h2 class="wp-block-post-title"><a href="{site}/?p=1" target="_self">Hello world!</a></h2>
<div class="wp-block-post-excerpt"><p class="wp-block-post-excerpt__excerpt">Welcome to WordPress. This is your first post. Edit or delete it, then start writing! </p></div>
</li>
</ul>
</main>

<footer class="wp-block-template-part">
<p class="has-text-align-center">Designed with <a href="https://wordpress.org" rel="nofollow">WordPress</a></p>
<p><a href="{site}/wp-login.php">Log in</a></p>
</footer></div>
<script src='{site}/wp-includes/js/dist/interactivity.min.js?ver=6.4.3' id='wp-interactivity-js' defer data-wp-strategy='defer'></script>
</body>
</html>
)",
              {{"site", htmlEscape(siteUrl)}, {"name", htmlEscape(blogName)}});
}

std::string wordpressLoginPage(std::string_view siteUrl, std::string_view blogName,
                               std::string_view error, std::string_view user) {
  std::string errorBox;
  if (!error.empty()) {
    errorBox = "<div id=\"login_error\" class=\"notice notice-error\">\t" + std::string(error) +
               "<br />\n</div>\n";
  }
  return fill(R"(<!DOCTYPE html>
	<html lang="en-US">
	<head>
	<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
	<title>Log In &lsaquo; {name} &#8212; WordPress</title>
	<meta name='robots' content='max-image-preview:large, noindex, noarchive' />
<link rel='stylesheet' id='login-css' href='{site}/wp-admin/css/login.min.css?ver=6.4.3' media='all' />
	<meta name='referrer' content='strict-origin-when-cross-origin' />
		<meta name="viewport" content="width=device-width" />
		</head>
	<body class="login no-js login-action-login wp-core-ui  locale-en-us">
	<script type="text/javascript">
/* <![CDATA[ */
document.body.className = document.body.className.replace('no-js','js');
/* ]]> */
</script>
				<h1 class="screen-reader-text">Log In</h1>
			<div id="login">
		<h1><a href="https://wordpress.org/">Powered by WordPress</a></h1>
	{error}
		<form name="loginform" id="loginform" action="{site}/wp-login.php" method="post">
			<p>
				<label for="user_login">Username or Email Address</label>
				<input type="text" name="log" id="user_login" class="input" value="{user}" size="20" autocapitalize="off" autocomplete="username" required="required" />
			</p>

			<div class="user-pass-wrap">
				<label for="user_pass">Password</label>
				<div class="wp-pwd">
					<input type="password" name="pwd" id="user_pass" class="input password-input" value="" size="20" autocomplete="current-password" spellcheck="false" required="required" />
					<button type="button" class="button button-secondary wp-hide-pw hide-if-no-js" data-toggle="0" aria-label="Show password">
						<span class="dashicons dashicons-visibility" aria-hidden="true"></span>
					</button>
				</div>
			</div>
						<p class="forgetmenot"><input name="rememberme" type="checkbox" id="rememberme" value="forever"  /> <label for="rememberme">Remember Me</label></p>
			<p class="submit">
				<input type="submit" name="wp-submit" id="wp-submit" class="button button-primary button-large" value="Log In" />
									<input type="hidden" name="redirect_to" value="{site}/wp-admin/" />
									<input type="hidden" name="testcookie" value="1" />
			</p>
		</form>

					<p id="nav">
				<a class="wp-login-lost-password" href="{site}/wp-login.php?action=lostpassword">Lost your password?</a>			</p>
					<p id="backtoblog">
			<a href="{site}/">&larr; Go to {name}</a>		</p>
			</div>
	</body>
	</html>
)",
              {{"site", htmlEscape(siteUrl)},
               {"name", htmlEscape(blogName)},
               {"error", errorBox},
               {"user", htmlEscape(user)}});
}

std::string wordpressXmlRpcFault(int code, std::string_view message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodResponse>\n  <fault>\n    <value>\n"
         "      <struct>\n        <member>\n          <name>faultCode</name>\n          "
         "<value><int>" +
         std::to_string(code) +
         "</int></value>\n        </member>\n        <member>\n          <name>faultString</name>"
         "\n          <value><string>" +
         htmlEscape(message) +
         "</string></value>\n        </member>\n      </struct>\n    </value>\n  </fault>\n"
         "</methodResponse>\n";
}

std::string phpmyadminLoginPage(std::string_view error, std::string_view user,
                                std::string_view token) {
  std::string errorBox;
  if (!error.empty()) {
    errorBox =
        "<div class=\"alert alert-danger\" role=\"alert\"><img src=\"themes/dot.gif\" "
        "title=\"\" alt=\"\" class=\"icon ic_s_error\"> " +
        std::string(error) + "</div>";
  }
  return fill(R"(<!doctype html>
<html lang="en" dir="ltr">
<head>
  <meta charset="utf-8">
  <meta name="referrer" content="no-referrer">
  <meta name="robots" content="noindex,nofollow,notranslate">
  <meta name="google" content="notranslate">
  <style id="cfs-style">html{display: none;}</style>
  <link rel="icon" href="favicon.ico" type="image/x-icon">
  <link rel="shortcut icon" href="favicon.ico" type="image/x-icon">
  <link rel="stylesheet" type="text/css" href="./themes/pmahomme/jquery/jquery-ui.css">
  <link rel="stylesheet" type="text/css" href="js/vendor/codemirror/lib/codemirror.css?v=5.2.1deb1">
  <link rel="stylesheet" type="text/css" href="./themes/pmahomme/css/theme.css?v=5.2.1deb1">
  <title>phpMyAdmin</title>
    <script data-cfasync="false" type="text/javascript" src="js/vendor/jquery/jquery.min.js?v=5.2.1deb1"></script>
  <script data-cfasync="false" type="text/javascript" src="js/dist/common.js?v=5.2.1deb1"></script>
</head>
<body id="loginform">
<div id="page_content">
<div class="container">
<a href="./url.php?url=https%3A%2F%2Fwww.phpmyadmin.net%2F" target="_blank" rel="noopener noreferrer" class="logo">
  <img id="imLogo" name="imLogo" src="./themes/pmahomme/img/logo_right.png" alt="phpMyAdmin" border="0">
</a>
<h1>Welcome to <bdo dir="ltr" lang="en">phpMyAdmin</bdo></h1>
<noscript><div class="alert alert-danger" role="alert">Javascript must be enabled past this point!</div></noscript>
{error}
<div class="card">
<form method="post" id="login_form" action="index.php?route=/" name="login_form" class="disableAjax hide js-show">
  <div class="card-header">Log in</div>
  <div class="card-body">
    <div class="row mb-1">
      <div class="col-12 col-md-4 text-md-end"><label for="input_username" class="form-label">Username:</label></div>
      <div class="col-12 col-md-8"><input type="text" name="pma_username" id="input_username" value="{user}" class="form-control" autocomplete="username" spellcheck="false" autofocus></div>
    </div>
    <div class="row">
      <div class="col-12 col-md-4 text-md-end"><label for="input_password" class="form-label">Password:</label></div>
      <div class="col-12 col-md-8"><input type="password" name="pma_password" id="input_password" value="" class="form-control" autocomplete="current-password" spellcheck="false"></div>
    </div>
    <input type="hidden" name="server" value="1">
  </div>
  <div class="card-footer">
    <input class="btn btn-primary" value="Log in" type="submit" id="input_go">
    <input type="hidden" name="route" value="/">
    <input type="hidden" name="token" value="{token}">
  </div>
</form>
</div>
</div>
</div>
</body>
</html>
)",
              {{"error", errorBox}, {"user", htmlEscape(user)}, {"token", htmlEscape(token)}});
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
