#include <string>

#include "decoy/services/http/http_pages.h"

namespace decnet::decoy::http {
namespace {

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

std::string apacheErrorPage(int status, std::string_view server, std::string_view host, int port,
                            std::string_view path) {
  const std::string line = statusLine(status);
  std::string address;
  if (!server.empty()) {
    address = "<hr>\n<address>" + htmlEscape(server) + " Server at " + htmlEscape(host) + " Port " +
              std::to_string(port) + "</address>\n";
  }
  return "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>" + line +
         "</title>\n</head><body>\n<h1>" + std::string(reasonPhrase(status)) + "</h1>\n" +
         apacheExplanation(status, path) + "\n" + address + "</body></html>\n";
}

std::string rhelTestPage(std::string_view distroName) {
  return fill(R"(<!doctype html>
<html>
  <head>
    <meta charset='utf-8'>
    <meta name='viewport' content='width=device-width, initial-scale=1'>
    <title>HTTP Server Test Page powered by: {distro}</title>
    <style rel="stylesheet" type="text/css">
      html { height: 100%; width: 100%; }
      body { background: #EEE; color: #212529; font-family: "Red Hat Text", Overpass, "Helvetica Neue", Arial, sans-serif; font-size: 1rem; margin: 0; }
      h1 { text-align: center; background-color: #10B981; color: white; font-size: 1.75rem; font-weight: 400; padding: 2rem 0; margin: 0; }
      .row { display: flex; justify-content: center; margin: 2rem auto; max-width: 60rem; }
      .col-md-6 { flex: 1 1 50%; padding: 0 1rem; }
      footer { text-align: center; font-size: 0.85rem; padding: 1rem 0; }
    </style>
  </head>
  <body>
    <h1>HTTP Server <strong>Test Page</strong></h1>
    <div class='row'>
      <div class='col-md-6 col-md-offset-3'>
        <div class='col-sm-12'>
          <p class="summary">This page is used to test the proper operation of
            an HTTP server after it has been installed on a {distro} system.
            If you can read this page, it means that the software is working
            correctly.</p>
        </div>
      </div>
    </div>
    <div class='row'>
      <div class='col-md-6'>
        <h2>Just visiting?</h2>
        <p>This website you are visiting is either experiencing problems or
          could be going through maintenance.</p>
        <p>If you would like the let the administrators of this website know
          that you've seen this page instead of the page you've expected, you
          should send them an email. In general, mail sent to the name
          "webmaster" and directed to the website's domain should reach the
          appropriate person.</p>
      </div>
      <div class='col-md-6'>
        <h2>I am the admin, what do I do?</h2>
        <p>You may now add content to the webroot directory for your
          software.</p>
        <p><strong>For systems using the
          <a href="https://httpd.apache.org/">Apache Webserver</a>:</strong>
          You can add content to the directory <code>/var/www/html/</code>.
          Until you do so, people visiting your website will see this page. If
          you would like this page to not be shown, follow the instructions in:
          <code>/etc/httpd/conf.d/welcome.conf</code>.</p>
      </div>
    </div>
    <footer class="col-sm-12">
      <a href="https://apache.org">Apache&trade;</a> is a registered trademark of
      <a href="https://apache.org">the Apache Software Foundation</a> in the United
      States and/or other countries.<br />
    </footer>
  </body>
</html>
)",
              {{"distro", htmlEscape(distroName)}});
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
}  // namespace decnet::decoy::http
