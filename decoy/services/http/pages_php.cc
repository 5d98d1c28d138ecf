#include <string>

#include "decoy/services/http/http_pages.h"

namespace decnet::decoy::http {

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
}  // namespace decnet::decoy::http
